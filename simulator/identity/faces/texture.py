"""Aligned skin-texture descriptor: what tells two synthetic people apart.

Pipeline (why each step):

1. *Align* on the eyes: a similarity transform puts the eyes at fixed points of a small crop
   (``CROP_W`` x ``CROP_H``, eyes ``EYE_DIST`` apart). The image is first resized (anti-aliased)
   to the crop's scale, so the rotation step does not alias the fine texture.
2. *Log luminance*: camera gain and colour cast become additive constants.
3. *Band-pass* (difference of Gaussians, sigma 0.8 and 3 crop pixels): removes lighting ramps
   and keeps the blob-sized skin detail; clipped so strong edges cannot dominate. Both blurs are
   normalised convolutions over skin pixels only, so feature edges do not ring into the skin.
4. *Region*: the cheeks only, intersected with a skin mask (chromaticity and brightness close to
   each cheek's own sample, eroded). Features common to all faces (eyes, nose line, face outline,
   mouth, hairline) must stay out: including them makes every pair of faces look alike.

Comparison is a masked normalised cross-correlation over the pixels both masks keep. A search
over +-1 pixel shifts is available (``max_shift``) but off by default: the eyes are located to
~0.5 px, and maximising over shifts lifts every impostor score (max of 9 draws).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from .arrays import erode_cross, median
from .eyes import EyePair

CROP_W = 96
CROP_H = 112
EYE_DIST = 40.0
EYE_Y = 36.0
MID_X = CROP_W / 2
_CLIP = 0.3
MIN_PIXELS = 300


def _region() -> np.ndarray:
    """Fixed cheek region of the aligned crop (before the skin mask).

    Rows and columns are chosen from the generator's proportions so that the region stays inside
    the face oval, clear of the eyes, the nose line and the jaw, for every face. (A forehead region
    was tried and dropped: fringes and hairlines put shared edges into it.)
    """
    yy, xx = np.mgrid[0:CROP_H, 0:CROP_W].astype(np.float32) + 0.5
    ax = np.abs(xx - MID_X)
    return (yy >= EYE_Y + 0.22 * EYE_DIST) & (yy <= EYE_Y + 0.72 * EYE_DIST) & (ax >= 0.17 * EYE_DIST) \
        & (ax <= 0.72 * EYE_DIST)


REGION = _region()
_ROWS = slice(int(EYE_Y + 0.3 * EYE_DIST), int(EYE_Y + 0.6 * EYE_DIST))
_LEFT_CHEEK = slice(int(MID_X - 0.65 * EYE_DIST), int(MID_X - 0.25 * EYE_DIST))
_RIGHT_CHEEK = slice(int(MID_X + 0.25 * EYE_DIST), int(MID_X + 0.65 * EYE_DIST))


@dataclass(frozen=True)
class AlignedFace:
    """The eye-aligned colour crop of a face (float32, ``CROP_H x CROP_W x 3``)."""

    rgb: np.ndarray


def align(image: Image.Image, eyes: EyePair) -> AlignedFace:
    """Resample ``image`` (RGB) so the eyes land on the crop's fixed eye points."""
    (lx, ly), (rx, ry) = eyes.left, eyes.right
    dist = math.hypot(rx - lx, ry - ly)
    scale = dist / EYE_DIST  # input pixels per crop pixel
    w, h = image.size
    small_w, small_h = max(8, round(w / scale)), max(8, round(h / scale))
    fx, fy = w / small_w, h / small_h
    small = image.resize((small_w, small_h), Image.BILINEAR) if scale > 1.05 else image
    if small is image:
        fx = fy = 1.0
    lx, ly, rx, ry = lx / fx, ly / fy, rx / fx, ry / fy
    theta = math.atan2(ry - ly, rx - lx)
    s = math.hypot(rx - lx, ry - ly) / EYE_DIST
    cos_t, sin_t = s * math.cos(theta), s * math.sin(theta)
    ox, oy = MID_X - EYE_DIST / 2, EYE_Y
    # crop (u, v) -> image (x, y) = left_eye + R S ((u, v) - left_eye_in_crop)
    coeffs = (cos_t, -sin_t, lx - cos_t * ox + sin_t * oy, sin_t, cos_t, ly - sin_t * ox - cos_t * oy)
    crop = small.transform((CROP_W, CROP_H), Image.AFFINE, coeffs, resample=Image.BILINEAR)
    return AlignedFace(np.asarray(crop, dtype=np.float32))


def skin_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels whose chromaticity and brightness are those of the cheeks (hair, lips, brows out).

    Each half of the face is compared with its own cheek sample, so a lighting ramp across the
    face does not push one side out of the brightness window.
    """
    # Channel sums spelled out: the same float32 additions as .sum(axis=2), far cheaper over a
    # length-3 (or 2) axis.
    total = rgb[:, :, 0] + rgb[:, :, 1] + rgb[:, :, 2] + 1e-3
    chroma = rgb[:, :, :2] / total[:, :, None]
    mask = np.zeros(total.shape, dtype=bool)
    for cols, half in ((_LEFT_CHEEK, slice(0, CROP_W // 2)), (_RIGHT_CHEEK, slice(CROP_W // 2, CROP_W))):
        ref_c = median(chroma[_ROWS, cols].reshape(-1, 2), axis=0)
        ref_b = float(median(total[_ROWS, cols].reshape(-1)))
        diff = chroma[:, half] - ref_c
        dist = np.sqrt(diff[:, :, 0] ** 2 + diff[:, :, 1] ** 2)
        tot = total[:, half]
        mask[:, half] = (dist < 0.03) & (tot > 0.74 * ref_b) & (tot < 1.35 * ref_b)
    return erode_cross(mask)


def descriptor(face: AlignedFace) -> tuple[np.ndarray, np.ndarray]:
    """Band-passed log-luminance texture and the mask of pixels it is defined on."""
    luma = face.rgb @ np.asarray([0.299, 0.587, 0.114], dtype=np.float32)
    log = np.log(luma + 4.0)
    skin = skin_mask(face.rgb)
    weight = skin.astype(np.float32)
    # Normalised convolution: both low-passes average skin pixels only, so the edges of eyes,
    # brows, lips and the face outline do not ring into the neighbouring skin.
    # Numerator and denominator are blurred as the two planes of one array (sigma 0 across them):
    # the same 1-D passes as two separate calls, half the calls.
    planes = np.stack([log * weight, weight], axis=2)
    dog = _skin_blur(planes, 0.8) - _skin_blur(planes, 3.0)
    mask = REGION & skin
    return np.clip(dog, -_CLIP, _CLIP).astype(np.float32), mask


def _skin_blur(planes: np.ndarray, sigma: float) -> np.ndarray:
    """Normalised blur: ``planes`` holds values x weight and the weight, ``(H, W, 2)``."""
    blurred = gaussian_filter(planes, (sigma, sigma, 0.0), mode="nearest")
    return blurred[:, :, 0] / np.maximum(blurred[:, :, 1], 1e-3)


def masked_ncc(a: np.ndarray, ma: np.ndarray, b: np.ndarray, mb: np.ndarray, max_shift: int = 0) -> float:
    """Best masked NCC of ``a`` against ``b`` over integer shifts of up to ``max_shift`` pixels."""
    k = max_shift
    h, w = a.shape
    core_b = b[k:h - k, k:w - k]
    core_mb = mb[k:h - k, k:w - k]
    best = -1.0
    for dy in range(-k, k + 1):
        for dx in range(-k, k + 1):
            sa = a[k + dy:h - k + dy, k + dx:w - k + dx]
            sm = ma[k + dy:h - k + dy, k + dx:w - k + dx] & core_mb
            n = int(sm.sum())
            if n < MIN_PIXELS:
                continue
            va, vb = sa[sm], core_b[sm]
            va = va - va.mean()
            vb = vb - vb.mean()
            den = math.sqrt(float(va @ va) * float(vb @ vb))
            if den > 1e-9:
                best = max(best, float(va @ vb) / den)
    return best
