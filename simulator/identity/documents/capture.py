"""Phone-camera capture model: what the app's document camera turns a flat page into.

``capture(image, rng, strength)`` places the page on a textured table, photographs it at an angle
(perspective warp plus a small in-plane rotation), then applies what a phone adds: uneven lighting,
defocus blur, sensor noise and JPEG compression. ``strength`` in [0, 1] scales every degradation at once
(0 = a flat, sharp, well-lit scan; 1 = the worst the reader is specified to cope with), and every random
choice comes from the caller's ``random.Random``, so a capture is reproducible from its seed.
"""

from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageFilter

from simulator.identity.documents.geometry import homography

FRAME_SIZE = (1280, 960)


class CaptureError(ValueError):
    """Raised for an out-of-range strength or an unusable frame size."""


def perspective_coefficients(
    dst_quad: list[tuple[float, float]], src_size: tuple[int, int]
) -> tuple[float, ...]:
    """``Image.transform(PERSPECTIVE)`` data mapping output pixels in ``dst_quad`` to the source page.

    ``dst_quad`` lists the page's top-left, top-right, bottom-right, bottom-left corners in the output.
    """
    w, h = src_size
    src = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    m = homography(np.asarray(dst_quad, dtype=np.float64), np.asarray(src, dtype=np.float64))
    return tuple(float(v) for v in m.flatten()[:8])


def _table(rng: random.Random, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    base = rng.uniform(25, 80)
    tint = np.asarray([rng.uniform(0.85, 1.15) for _ in range(3)], dtype=np.float32)
    coarse = np.asarray(
        Image.fromarray(
            np.uint8(
                np.clip(
                    np.random.default_rng(rng.getrandbits(32)).normal(128, 40, (h // 32 + 1, w // 32 + 1)),
                    0,
                    255,
                )
            )
        ).resize((w, h), Image.Resampling.BICUBIC),
        dtype=np.float32,
    )
    table = base + (coarse - 128) * 0.25
    return np.clip(table[..., None] * tint[None, None, :], 0, 255)


def _quad(
    rng: random.Random, page: tuple[int, int], frame: tuple[int, int], strength: float
) -> list[tuple[float, float]]:
    pw, ph = page
    fw, fh = frame
    scale = min(fw * rng.uniform(0.72, 0.86) / pw, fh * 0.86 / ph)
    w, h = pw * scale, ph * scale
    angle = math.radians(rng.uniform(-8.0, 8.0) * strength)
    cx = fw / 2 + rng.uniform(-0.04, 0.04) * fw * strength
    cy = fh / 2 + rng.uniform(-0.04, 0.04) * fh * strength
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    jitter = 0.045 * strength
    out = []
    for x, y in corners:
        x += rng.uniform(-jitter, jitter) * w
        y += rng.uniform(-jitter, jitter) * h
        out.append(
            (cx + x * math.cos(angle) - y * math.sin(angle), cy + x * math.sin(angle) + y * math.cos(angle))
        )
    return out


def capture(
    image: Image.Image, rng: random.Random, strength: float = 0.5, frame_size: tuple[int, int] = FRAME_SIZE
) -> bytes:
    """Photograph ``image`` as the phone's document camera would; returns JPEG bytes."""
    if not 0.0 <= strength <= 1.0:
        raise CaptureError(f"strength must be within [0, 1], got {strength}")
    if frame_size[0] < 64 or frame_size[1] < 64:
        raise CaptureError(f"frame too small: {frame_size}")
    page = image.convert("RGB")
    quad = _quad(rng, page.size, frame_size, strength)
    coeffs = perspective_coefficients(quad, page.size)
    warped = page.transform(frame_size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(
        frame_size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    alpha = np.asarray(mask, dtype=np.float32)[..., None] / 255.0
    frame = np.asarray(warped, dtype=np.float32) * alpha + _table(rng, frame_size).astype(np.float32) * (
        1.0 - alpha
    )
    # lighting: a linear gradient in a random direction plus a soft vignette
    fw, fh = frame_size
    xs = (np.arange(fw, dtype=np.float32) / fw - 0.5)[None, :]
    ys = (np.arange(fh, dtype=np.float32) / fh - 0.5)[:, None]
    theta = rng.uniform(0, 2 * math.pi)
    ramp = (xs * math.cos(theta) + ys * math.sin(theta)) * 2.0
    gain = (1.0 + 0.22 * strength * ramp) * (1.0 - 0.12 * strength * (xs * xs + ys * ys) * 4.0)
    gain *= rng.uniform(1.0 - 0.15 * strength, 1.0 + 0.05 * strength)
    frame *= gain[..., None]
    img = Image.fromarray(np.clip(frame, 0, 255).astype(np.uint8), "RGB")
    blur = rng.uniform(0.3, 1.0) * 1.8 * strength
    if blur > 0.05:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    noise_sigma = rng.uniform(0.5, 1.0) * 12.0 * strength
    if noise_sigma > 0.1:
        noisy = np.asarray(img, dtype=np.float32)
        noise = np.random.default_rng(rng.getrandbits(32)).standard_normal(noisy.shape, dtype=np.float32)
        noisy += noise * np.float32(noise_sigma)
        img = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")
    quality = round(95 - rng.uniform(0.6, 1.0) * 55 * strength)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=max(20, quality))
    return buf.getvalue()
