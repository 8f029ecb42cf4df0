"""Identity-seeded synthetic portraits.

Every parameter of a face is drawn from ``random.Random`` seeded with the SHA-256 of the identity id,
so one id always draws the same face, in the document, in the chip's DG2 and in front of the camera.

What makes two people different is mostly an identity-specific *skin texture* (a "freckle map" of
a few hundred soft multiplicative blobs), as skin detail is in real faces: geometry alone leaves
drawn faces too alike for a pixel descriptor. A *look-alike* keeps another identity's geometry
(same eyes, hair, skin tone, proportions) with its own texture, the hard impostor case.

The generator is constrained so that the verifier can always find the eyes: the iris is dark and
centred in a white sclera of a minimum size, eyebrows and hairline keep a clear gap above the eyes,
hair never reaches the eye band, and ears are drawn a shade darker than the face so the face outline
is visible at cheek height. Canvas 240 x 300 (4:5, like an ICAO portrait), drawn at 3x and
Lanczos-downsampled so edges are anti-aliased like a camera image.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

WIDTH = 240
HEIGHT = 300
_SUPERSAMPLE = 3

Colour = tuple[int, int, int]

_BACKGROUNDS: tuple[Colour, ...] = ((214, 224, 236), (222, 226, 232), (206, 218, 230), (228, 230, 234),
                                    (218, 226, 226))
_SKINS: tuple[Colour, ...] = ((240, 212, 190), (238, 206, 180), (224, 184, 152), (205, 160, 125),
                              (180, 135, 100), (150, 105, 75), (120, 82, 58), (95, 65, 45))
_HAIRS: tuple[Colour, ...] = ((25, 20, 18), (60, 40, 28), (105, 72, 45), (150, 90, 50), (200, 165, 105),
                              (160, 160, 160), (130, 55, 30), (225, 205, 160))
# Iris colours are kept dark enough (grey <= ~110) that the iris + pupil always read as a dark disc.
_IRISES: tuple[Colour, ...] = ((92, 60, 38), (60, 40, 28), (110, 90, 50), (70, 100, 70), (60, 95, 140),
                               (95, 105, 115))
_LIPS: tuple[Colour, ...] = ((190, 95, 95), (170, 80, 80), (150, 70, 70), (200, 120, 110), (120, 60, 55),
                             (160, 95, 85))
_CLOTHES: tuple[Colour, ...] = ((40, 50, 80), (70, 70, 70), (120, 30, 40), (30, 80, 60), (200, 200, 190),
                                (90, 60, 110))
HAIR_STYLES = ("cap", "long", "bald", "fringe")
_SCLERA: Colour = (246, 246, 242)
_PUPIL: Colour = (14, 12, 16)
_LASH: Colour = (40, 30, 30)


@dataclass(frozen=True)
class FaceSpec:
    """The geometry and colours of one face, in canvas pixels (``WIDTH`` x ``HEIGHT``).

    The liveness device model needs the face ellipse (``cx, cy, a, b``) to shade the reflection of
    the screen; nothing on the verifier side reads a spec.
    """

    background: Colour
    skin: Colour
    hair: Colour
    hair_style: str
    iris: Colour
    lips: Colour
    clothes: Colour
    cx: float
    cy: float
    a: float
    b: float
    eye_y: float
    eye_dx: float
    eye_w: float
    eye_h: float
    iris_r: float
    brow_gap: float
    brow_thickness: float
    brow_tilt: float
    brow_length: float
    hairline_y: float
    hair_thickness: float
    nose_y: float
    nose_w: float
    mouth_y: float
    mouth_hw: float
    lip_h: float
    ear_w: float
    ear_h: float
    mole: tuple[float, float, float] | None


def _rng(label: str, identity_id: str) -> random.Random:
    digest = hashlib.sha256(f"{label}:{identity_id}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def face_spec(identity_id: str) -> FaceSpec:
    """Draw the geometry of ``identity_id``'s face (deterministic)."""
    rng = _rng("face-geometry", identity_id)
    a = rng.uniform(0.34, 0.42) * WIDTH
    b = a * rng.uniform(1.10, 1.25)
    cx = WIDTH / 2 + rng.uniform(-3.0, 3.0)
    cy = HEIGHT * rng.uniform(0.50, 0.53)
    eye_y = cy - rng.uniform(0.08, 0.20) * b
    eye_dx = rng.uniform(0.42, 0.54) * a
    eye_w = rng.uniform(0.090, 0.125) * WIDTH
    eye_h = eye_w * rng.uniform(0.44, 0.55)
    iris_r = eye_h * rng.uniform(0.40, 0.46)
    brow_gap = rng.uniform(0.30, 0.55) * eye_w
    brow_thickness = rng.uniform(3.0, 6.0)
    brow_top = eye_y - eye_h / 2 - brow_gap - brow_thickness
    style = rng.choice(HAIR_STYLES)
    forehead_top = cy - b * 0.80
    hairline_y = rng.uniform(forehead_top, brow_top - max(8.0, 0.3 * eye_w))
    if style == "fringe":
        hairline_y = brow_top - rng.uniform(max(8.0, 0.3 * eye_w), max(10.0, 0.45 * eye_w))
    nose_y = cy + rng.uniform(0.18, 0.30) * b
    mouth_y = cy + rng.uniform(0.45, 0.58) * b
    return FaceSpec(
        background=rng.choice(_BACKGROUNDS), skin=rng.choice(_SKINS), hair=rng.choice(_HAIRS),
        hair_style=style, iris=rng.choice(_IRISES), lips=rng.choice(_LIPS), clothes=rng.choice(_CLOTHES),
        cx=cx, cy=cy, a=a, b=b, eye_y=eye_y, eye_dx=eye_dx, eye_w=eye_w, eye_h=eye_h, iris_r=iris_r,
        brow_gap=brow_gap, brow_thickness=brow_thickness, brow_tilt=rng.uniform(-0.12, 0.12),
        brow_length=eye_w * rng.uniform(1.05, 1.3), hairline_y=hairline_y,
        hair_thickness=rng.uniform(6.0, 16.0), nose_y=nose_y, nose_w=rng.uniform(0.07, 0.11) * a,
        mouth_y=mouth_y, mouth_hw=rng.uniform(0.22, 0.34) * a, lip_h=rng.uniform(3.5, 7.0),
        ear_w=rng.uniform(0.05, 0.09) * WIDTH / 2, ear_h=rng.uniform(0.16, 0.22) * b,
        mole=_mole(identity_id, cx, cy, a, b),
    )


def _mole(identity_id: str, cx: float, cy: float, a: float, b: float) -> tuple[float, float, float] | None:
    """A mole is skin detail, like the texture: seeded apart from the geometry (look-alikes differ)."""
    rng = _rng("face-mole", identity_id)
    if rng.random() >= 0.35:
        return None
    return (cx + rng.choice((-1, 1)) * rng.uniform(0.35, 0.6) * a, cy + rng.uniform(0.05, 0.4) * b,
            rng.uniform(1.5, 2.5))


def _shade(colour: Colour, factor: float) -> Colour:
    return (min(255, round(colour[0] * factor)), min(255, round(colour[1] * factor)),
            min(255, round(colour[2] * factor)))


def texture_map(identity_id: str, spec: FaceSpec) -> np.ndarray:
    """The identity's multiplicative skin texture at canvas resolution (1.0 = unchanged skin).

    Seeded from the identity id alone (never from the geometry's id), which is what lets a
    look-alike share a face shape yet carry its own skin.
    """
    rng = _rng("face-texture", identity_id)
    tex = np.zeros((HEIGHT, WIDTH), dtype=np.float64)
    placed = 0
    while placed < 600:
        u, v = rng.uniform(-1, 1), rng.uniform(-1, 1)
        if u * u + v * v > 0.92:
            continue
        x, y = spec.cx + u * spec.a, spec.cy + v * spec.b
        sigma = rng.uniform(1.8, 3.8)
        amp = rng.uniform(-0.14, 0.10)
        placed += 1
        r = math.ceil(3 * sigma)
        x0, x1 = max(0, int(x) - r), min(WIDTH, int(x) + r + 1)
        y0, y1 = max(0, int(y) - r), min(HEIGHT, int(y) + r + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        xs = np.arange(x0, x1) - x
        ys = np.arange(y0, y1) - y
        blob = np.exp(-(ys[:, None] ** 2 + xs[None, :] ** 2) / (2 * sigma * sigma))
        tex[y0:y1, x0:x1] += amp * blob
    return np.clip(1.0 + tex, 0.7, 1.25)


def _ellipse_box(cx: float, cy: float, rx: float, ry: float) -> tuple[float, float, float, float]:
    s = _SUPERSAMPLE
    return ((cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s)


def _draw_base(draw: ImageDraw.ImageDraw, f: FaceSpec) -> None:
    """Background, hair behind the head, ears, neck, clothes and the face oval."""
    s = _SUPERSAMPLE
    if f.hair_style != "bald":
        t = f.hair_thickness
        draw.ellipse(_ellipse_box(f.cx, f.cy - 0.12 * f.b, f.a + t, 0.9 * f.b + t), fill=f.hair)
        if f.hair_style == "long":
            draw.rounded_rectangle(((f.cx - f.a - t) * s, f.cy * s, (f.cx + f.a + t) * s,
                                    (f.cy + 0.75 * f.b) * s), radius=int(t * s), fill=f.hair)
    ear_y = (f.eye_y + f.nose_y) / 2
    for side in (-1, 1):
        draw.ellipse(_ellipse_box(f.cx + side * (f.a - 0.3 * f.ear_w), ear_y, f.ear_w, f.ear_h / 2),
                     fill=_shade(f.skin, 0.72))
    neck = _shade(f.skin, 0.78)
    draw.rectangle(((f.cx - 0.42 * f.a) * s, (f.cy + 0.5 * f.b) * s, (f.cx + 0.42 * f.a) * s, HEIGHT * s),
                   fill=neck)
    draw.ellipse(_ellipse_box(f.cx, f.cy + 1.6 * f.b, 1.5 * f.a, 0.62 * f.b), fill=f.clothes)
    draw.ellipse(_ellipse_box(f.cx, f.cy, f.a, f.b), fill=f.skin)


def _draw_features(draw: ImageDraw.ImageDraw, f: FaceSpec) -> None:
    """Hair over the forehead, brows, eyes, nose, mouth and mole, drawn over the textured skin."""
    s = _SUPERSAMPLE
    if f.hair_style != "bald":
        # The part of the face oval above the hairline, as a polygon (Pillow's chord() mis-fills
        # with fractional coordinates).
        theta = math.asin(max(-1.0, min(1.0, (f.hairline_y - f.cy) / f.b)))
        angles = np.linspace(math.pi - theta, 2 * math.pi + theta, 64)
        ra, rb = f.a + 0.5, f.b + 0.5
        draw.polygon([((f.cx + ra * math.cos(t)) * s, (f.cy + rb * math.sin(t)) * s) for t in angles],
                     fill=f.hair)
    brow = _shade(f.hair, 0.8) if sum(f.hair) < 450 else _shade(f.hair, 0.55)
    for side in (-1, 1):
        ex = f.cx + side * f.eye_dx
        by = f.eye_y - f.eye_h / 2 - f.brow_gap - f.brow_thickness / 2
        half = f.brow_length / 2
        tilt = side * f.brow_tilt * half
        draw.line(((ex - half) * s, (by + tilt) * s, (ex + half) * s, (by - tilt) * s), fill=brow,
                  width=int(f.brow_thickness * s))
        # Lids: a dark outline and a heavier upper-lid line keep the eye findable on pale skin.
        draw.ellipse(_ellipse_box(ex, f.eye_y, f.eye_w / 2, f.eye_h / 2), fill=_SCLERA,
                     outline=_shade(f.skin, 0.45), width=4)
        draw.arc(_ellipse_box(ex, f.eye_y, f.eye_w / 2, f.eye_h / 2), start=195, end=345, fill=_LASH,
                 width=6)
        draw.ellipse(_ellipse_box(ex, f.eye_y, f.iris_r, f.iris_r), fill=f.iris)
        draw.ellipse(_ellipse_box(ex, f.eye_y, f.iris_r * 0.5, f.iris_r * 0.5), fill=_PUPIL)
    nose_shadow = _shade(f.skin, 0.72)
    for side in (-1, 1):
        draw.ellipse(_ellipse_box(f.cx + side * f.nose_w, f.nose_y, 2.4, 1.6), fill=_shade(f.skin, 0.5))
        top = f.eye_y + 0.35 * (f.nose_y - f.eye_y)
        draw.line(((f.cx + side * 0.45 * f.nose_w) * s, top * s, (f.cx + side * 1.1 * f.nose_w) * s,
                   (f.nose_y - 4) * s), fill=nose_shadow, width=3)
    draw.ellipse(_ellipse_box(f.cx, f.mouth_y, f.mouth_hw, f.lip_h), fill=f.lips)
    draw.line(((f.cx - f.mouth_hw) * s, f.mouth_y * s, (f.cx + f.mouth_hw) * s, f.mouth_y * s),
              fill=_shade(f.lips, 0.55), width=3)
    if f.mole is not None:
        mx, my, mr = f.mole
        draw.ellipse(_ellipse_box(mx, my, mr, mr), fill=(90, 60, 45))


@lru_cache(maxsize=128)
def _render(identity_id: str, geometry_id: str) -> bytes:
    spec = face_spec(geometry_id)
    if geometry_id != identity_id:
        spec = replace(spec, mole=_mole(identity_id, spec.cx, spec.cy, spec.a, spec.b))
    size = (WIDTH * _SUPERSAMPLE, HEIGHT * _SUPERSAMPLE)
    img = Image.new("RGB", size, spec.background)
    _draw_base(ImageDraw.Draw(img), spec)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse(_ellipse_box(spec.cx, spec.cy, spec.a, spec.b), fill=255)
    tex = Image.fromarray(texture_map(identity_id, spec).astype(np.float32), "F").resize(size,
                                                                                          Image.BICUBIC)
    arr = np.asarray(img, dtype=np.float32)
    factor = 1.0 + (np.asarray(tex) - 1.0) * (np.asarray(mask, dtype=np.float32) / 255.0)
    img = Image.fromarray(np.clip(arr * factor[:, :, None], 0, 255).astype(np.uint8), "RGB")
    _draw_features(ImageDraw.Draw(img), spec)
    return img.resize((WIDTH, HEIGHT), Image.LANCZOS).tobytes()


def portrait(identity_id: str, *, lookalike_of: str | None = None) -> Image.Image:
    """The canonical portrait of ``identity_id`` (document photo, DG2), ``WIDTH`` x ``HEIGHT`` RGB.

    With ``lookalike_of``, the face takes that identity's geometry and colours but keeps
    ``identity_id``'s own skin texture: a different person who looks alike.
    """
    raw = _render(identity_id, lookalike_of if lookalike_of is not None else identity_id)
    return Image.frombytes("RGB", (WIDTH, HEIGHT), raw)


def portrait_jpeg(identity_id: str, quality: int = 90, *, lookalike_of: str | None = None) -> bytes:
    """:func:`portrait` encoded as a baseline JPEG (the form a DG2 or an upload carries)."""
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1..100, got {quality}")
    out = io.BytesIO()
    portrait(identity_id, lookalike_of=lookalike_of).save(out, "JPEG", quality=quality)
    return out.getvalue()
