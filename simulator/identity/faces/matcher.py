"""1:1 face matcher working from pixels only.

``extract`` turns image bytes into a :class:`FaceTemplate` (eyes located, face aligned, skin
texture described); ``compare`` scores a probe against a reference (bytes or a cached template).
A provider extracts the enrolled (trusted) image once and keeps the template, so a verification
costs one probe extraction plus one template comparison.

Score: masked normalised cross-correlation of the aligned skin textures, in -1..1. Same person
through the capture model: mean ~0.95, lowest ~0.78 over 400 captures; another person or a
look-alike: 0 +- 0.1, highest ~0.43 over 39 600 pairs.

Threshold: ``DEFAULT_THRESHOLD`` = 0.55, midway between the genuine and impostor tails of the
synthetic population, so that the false match rate stays far below 0.1 % while false non-matches
stay under 1 % (``loadtests/benchmarks/identity_faces.py`` measures both). Keep it
configurable, and report the score.

Templates are a pure function of the image bytes, so :meth:`FaceMatcher.extract` keeps the last
128 of them (``TEMPLATES``) by the bytes' SHA-256 (read-only arrays): the same document portrait or
trusted image met again (page portrait, DG2, enrolment) costs a hash. A changed byte is another
digest and a fresh extraction; failures are never cached.

Reasons: ``face_not_found`` (no plausible eye pair, or too little skin to describe) and
``face_mismatch`` (score below the threshold).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..digest_cache import DigestCache, digest
from .errors import FaceError, TemplateFormatError
from .eyes import EyePair, locate_eyes
from .imageio import decode_rgb, to_grey
from .texture import CROP_H, CROP_W, MIN_PIXELS, align, descriptor, masked_ncc

DEFAULT_THRESHOLD = 0.55
FACE_NOT_FOUND = "face_not_found"
FACE_MISMATCH = "face_mismatch"
_MAGIC = b"SFT1"
_HEADER = struct.Struct(">4sHHff")
#: Templates kept by image digest (a template is ~40 kB).
TEMPLATES = DigestCache[bytes, "FaceTemplate"](128)


class FaceNotFoundError(FaceError):
    """No face (eye pair with enough skin around it) was found in the image."""


@dataclass(frozen=True)
class FaceTemplate:
    """What the matcher keeps of a face: the aligned texture, its mask and the eye-finding quality."""

    texture: np.ndarray
    mask: np.ndarray
    eye_distance: float
    eye_score: float

    def to_bytes(self) -> bytes:
        """Compact serialisation (float16 texture + packed mask) for a provider's template cache."""
        h, w = self.texture.shape
        return (_HEADER.pack(_MAGIC, h, w, self.eye_distance, self.eye_score)
                + np.packbits(self.mask.ravel()).tobytes() + self.texture.astype(">f2").tobytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> FaceTemplate:
        if len(data) < _HEADER.size:
            raise TemplateFormatError("face template truncated (no header)")
        magic, h, w, dist, score = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise TemplateFormatError(f"not a face template (magic {magic!r})")
        if (h, w) != (CROP_H, CROP_W):
            raise TemplateFormatError(f"face template is {h}x{w}, this matcher uses {CROP_H}x{CROP_W}")
        n = h * w
        mask_len = (n + 7) // 8
        if len(data) != _HEADER.size + mask_len + 2 * n:
            raise TemplateFormatError(f"face template has {len(data)} bytes, expected "
                                      f"{_HEADER.size + mask_len + 2 * n}")
        off = _HEADER.size
        mask = np.unpackbits(np.frombuffer(data, np.uint8, mask_len, off))[:n].astype(bool).reshape(h, w)
        tex = np.frombuffer(data, ">f2", n, off + mask_len).astype(np.float32).reshape(h, w)
        if not np.all(np.isfinite(tex)):
            raise TemplateFormatError("face template texture has non-finite values")
        return cls(tex, mask, float(dist), float(score))


@dataclass(frozen=True)
class MatchResult:
    """Outcome of one comparison; ``reason`` is ``None`` when matched."""

    score: float
    matched: bool
    reason: str | None


def extract_from_rgb(rgb: np.ndarray, eyes: EyePair | None = None) -> FaceTemplate:
    """Template of a decoded ``(H, W, 3)`` image, float or the decoder's ``uint8`` (shared with the
    liveness verifier); ``eyes`` when already located on this very image (else searched here)."""
    if eyes is None:
        eyes = locate_eyes(to_grey(rgb.astype(np.float32, copy=False)))
    if eyes is None:
        raise FaceNotFoundError("no eye pair found")
    pixels = rgb if rgb.dtype == np.uint8 else np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    texture, mask = descriptor(align(image, eyes))
    if int(mask.sum()) < MIN_PIXELS:
        raise FaceNotFoundError("too little skin around the eyes to describe the face")
    return FaceTemplate(texture, mask, eyes.distance, eyes.score)


class FaceMatcher:
    """Compare face images (JPEG/PNG bytes) or cached templates at a configurable threshold."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not -1.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within -1..1, got {threshold}")
        self.threshold = threshold

    def extract(self, image_bytes: bytes) -> FaceTemplate:
        """Locate, align and describe the face; raises :class:`FaceNotFoundError` or
        :class:`~.errors.InvalidImageError`."""
        def extract_frozen() -> FaceTemplate:
            template = extract_from_rgb(decode_rgb(image_bytes))
            template.texture.setflags(write=False)  # shared by every later caller
            template.mask.setflags(write=False)
            return template

        return TEMPLATES.get_or_compute(digest(image_bytes), extract_frozen)

    def compare_templates(self, probe: FaceTemplate, reference: FaceTemplate) -> MatchResult:
        score = masked_ncc(probe.texture, probe.mask, reference.texture, reference.mask)
        if score < -0.999:  # masks do not overlap enough to compare
            return MatchResult(0.0, False, FACE_NOT_FOUND)
        matched = score >= self.threshold
        return MatchResult(round(score, 4), matched, None if matched else FACE_MISMATCH)

    def compare(self, probe: bytes, reference: bytes | FaceTemplate) -> MatchResult:
        """Score ``probe`` against ``reference``; a face missing on either side is ``face_not_found``."""
        try:
            ref = reference if isinstance(reference, FaceTemplate) else self.extract(reference)
            tpl = self.extract(probe)
        except FaceNotFoundError:
            return MatchResult(0.0, False, FACE_NOT_FOUND)
        return self.compare_templates(tpl, ref)


def encode_png(image: Image.Image) -> bytes:
    """PNG bytes of an image (lossless reference uploads)."""
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
