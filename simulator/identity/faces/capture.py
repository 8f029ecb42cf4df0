"""Camera capture model: what a phone camera does to a face between the person and the JPEG.

Selfies and video frames are the canonical portrait pushed through a seeded chain of pose
(a cheap yaw that squeezes one half of the face, rotation, scale, shift), optics (blur), lighting
(gain, a horizontal light ramp, a colour cast), sensor noise and JPEG compression. ``strength``
scales every degradation, so a benchmark can ask "how does the matcher behave on harder
captures?". Deterministic for a given ``rng`` state.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from .render import portrait


@dataclass(frozen=True)
class CaptureParams:
    """One capture's degradations (all relative to the canonical portrait)."""

    rotation_deg: float = 0.0
    scale: float = 1.0
    shift: tuple[float, float] = (0.0, 0.0)
    gain: float = 1.0
    ramp: float = 0.0
    cast: tuple[float, float, float] = (1.0, 1.0, 1.0)
    noise_sigma: float = 0.0
    blur: float = 0.0
    jpeg_quality: int = 92
    yaw: float = 0.0

    def map_point(self, x: float, y: float, in_size: tuple[int, int],
                  out_size: tuple[int, int] | None = None) -> tuple[float, float]:
        """Where canonical point (x, y) lands in the captured image (ground truth for tests)."""
        w, h = in_size
        ow, oh = out_size or in_size
        x = _yaw_x(x, w, self.yaw)
        fx = w / ow
        theta = math.radians(self.rotation_deg)
        k = self.scale / fx
        dx, dy = x - w / 2, y - h / 2
        u = k * (math.cos(theta) * dx - math.sin(theta) * dy)
        v = k * (math.sin(theta) * dx + math.cos(theta) * dy)
        return u + ow / 2 + self.shift[0] / fx, v + oh / 2 + self.shift[1] / fx

    @classmethod
    def draw(cls, rng: random.Random, strength: float = 1.0) -> CaptureParams:
        """Seeded degradations; ``strength`` 1.0 is the full range of the design (0 = ideal)."""
        if not 0.0 <= strength <= 2.0:
            raise ValueError(f"capture strength must be within 0..2, got {strength}")
        k = strength
        return cls(
            rotation_deg=rng.uniform(-7, 7) * k,
            scale=1.0 + rng.uniform(-0.08, 0.08) * k,
            shift=(rng.uniform(-10, 10) * k, rng.uniform(-10, 10) * k),
            gain=1.0 + rng.uniform(-0.3, 0.2) * k,
            ramp=rng.uniform(-0.25, 0.25) * k,
            cast=(1.0 + rng.uniform(-0.1, 0.1) * k, 1.0 + rng.uniform(-0.1, 0.1) * k,
                  1.0 + rng.uniform(-0.1, 0.1) * k),
            noise_sigma=5.0 * k,
            blur=rng.uniform(0.0, 1.3) * k,
            jpeg_quality=round(92 - rng.uniform(0, 37) * min(k, 1.0)),
            yaw=rng.uniform(-0.06, 0.06) * k,
        )


def _yaw_x(x: float, width: int, yaw: float) -> float:
    c = width // 2
    if yaw > 0 and x > c:
        return c + (x - c) * (1 - yaw)
    if yaw < 0 and x < c:
        return c - (c - x) * (1 + yaw)
    return x


def yaw_warp(image: Image.Image, yaw: float) -> Image.Image:
    """A cheap head turn: one half of the picture (right for ``yaw`` > 0) is squeezed sideways."""
    if abs(yaw) < 1e-3:
        return image
    w, h = image.size
    c = w // 2
    out = Image.new(image.mode, image.size, image.getpixel((1, 1)))
    if yaw > 0:
        out.paste(image.crop((0, 0, c, h)), (0, 0))
        squeezed = image.crop((c, 0, w, h)).resize((max(1, round((w - c) * (1 - yaw))), h), Image.BICUBIC)
        out.paste(squeezed, (c, 0))
    else:
        squeezed = image.crop((0, 0, c, h)).resize((max(1, round(c * (1 + yaw))), h), Image.BICUBIC)
        out.paste(squeezed, (c - squeezed.size[0], 0))
        out.paste(image.crop((c, 0, w, h)), (c, 0))
    return out


def affine_warp(image: Image.Image, params: CaptureParams, out_size: tuple[int, int]) -> Image.Image:
    """Rotate/scale about the image centre, then shift, resampling into ``out_size``."""
    w, h = image.size
    ow, oh = out_size
    fx = w / ow
    theta = math.radians(params.rotation_deg)
    cos_t, sin_t = math.cos(theta) / params.scale, math.sin(theta) / params.scale
    # Output pixel (u, v) -> input pixel (x, y): inverse of scale/rotate about the centre + shift.
    du, dv = (params.shift[0]) / fx, (params.shift[1]) / fx
    ucx, ucy = ow / 2 + du, oh / 2 + dv
    a = cos_t * fx
    b = sin_t * fx
    coeffs = (a, b, w / 2 - a * ucx - b * ucy, -b, a, h / 2 + b * ucx - a * ucy)
    fill = image.getpixel((1, 1))
    return image.transform(out_size, Image.AFFINE, coeffs, resample=Image.BICUBIC, fillcolor=fill)


def apply_capture(image: Image.Image, params: CaptureParams, rng: random.Random,
                  out_size: tuple[int, int] | None = None) -> bytes:
    """Push ``image`` through the capture chain and return the JPEG bytes.

    ``rng`` seeds the sensor noise only (the other parameters are in ``params``).
    """
    size = out_size or image.size
    img = affine_warp(yaw_warp(image.convert("RGB"), params.yaw), params, size)
    if params.blur > 0.05:
        img = img.filter(ImageFilter.GaussianBlur(params.blur * size[0] / image.size[0]))
    arr = np.asarray(img, dtype=np.float32)
    ramp = 1.0 + params.ramp * np.linspace(-1.0, 1.0, size[0], dtype=np.float32)
    arr = arr * (params.gain * ramp)[None, :, None] * np.asarray(params.cast, dtype=np.float32)
    if params.noise_sigma > 0:
        noise = np.random.default_rng(rng.getrandbits(64)).standard_normal(arr.shape, dtype=np.float32)
        arr = arr + noise * params.noise_sigma
    out = io.BytesIO()
    Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB").save(
        out, "JPEG", quality=params.jpeg_quality)
    return out.getvalue()


def selfie(identity_id: str, rng: random.Random, *, strength: float = 1.0,
           out_size: tuple[int, int] | None = None, lookalike_of: str | None = None) -> bytes:
    """A seeded selfie of ``identity_id`` (JPEG bytes) with freshly drawn capture degradations."""
    params = CaptureParams.draw(rng, strength)
    return apply_capture(portrait(identity_id, lookalike_of=lookalike_of), params, rng, out_size)
