"""Decoding untrusted image bytes into numpy arrays, with typed errors instead of library crashes."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import InvalidImageError

MIN_SIDE = 48
MAX_SIDE = 4096


def decode_rgb(data: bytes, *, max_width: int | None = None) -> np.ndarray:
    """Decode JPEG/PNG bytes to a float32 ``(H, W, 3)`` array in 0..255.

    ``max_width`` lets JPEG decoding scale down in the DCT domain (Pillow's draft mode), which is
    far cheaper than decoding a large photo and resizing it afterwards.
    """
    return decode_rgb8(data, max_width=max_width).astype(np.float32)


def decode_rgb8(data: bytes, *, max_width: int | None = None) -> np.ndarray:
    """:func:`decode_rgb` as the decoder's own ``uint8`` pixels (read-only, no float copy).

    For callers that only need part of an image in float (the liveness verifier reads a band and
    two corners of most frames): converting just that part gives the same values for less work.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidImageError(f"image must be bytes, got {type(data).__name__}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(bytes(data)))
            w, h = img.size
            if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
                raise InvalidImageError(f"image size {w}x{h} outside {MIN_SIDE}..{MAX_SIDE} pixels")
            if max_width is not None and img.format == "JPEG" and w >= 2 * max_width:
                img.draft("RGB", (max_width, round(h * max_width / w)))
            # convert() loads (decodes) the image; to the same mode it would only copy it.
            img.load()
            rgb = img if img.mode == "RGB" else img.convert("RGB")
    except InvalidImageError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise InvalidImageError(f"not a decodable image: {exc}") from exc
    return np.asarray(rgb)


def to_grey(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma of an ``(H, W, 3)`` array."""
    return rgb @ np.asarray([0.299, 0.587, 0.114], dtype=np.float32)

