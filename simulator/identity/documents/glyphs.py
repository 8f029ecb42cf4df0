"""The project's own fixed-pitch OCR glyph set, defined as strokes and rendered at any size.

Why not a font file: the machine-readable zone must be drawn in a known fixed-pitch face and read back
with templates made from *the same* face. OCR-B itself is a Debian package (``fonts-ocr-b``), not
something a pip-only install can rely on; the fonts that PyPI packages ship are proportional or carry
licences and sizes we do not want as a hard dependency just to draw 40 characters. A stroke
definition in code is exact, tiny, licence-free and scale-free, and it lets the glyphs be *designed for
machine reading*: the classic OCR confusions are drawn apart on purpose — ``0`` is narrow and slashed
while ``O`` is a full-width octagon, ``D`` and ``B`` have square left corners where ``0`` and ``8`` are
chamfered, ``1`` has a flag where ``I`` has symmetric serifs, ``5``/``S`` and ``2``/``Z`` differ in
straight versus bent strokes. The shapes follow OCR-B's proportions (glyph about 0.65 of the pitch
wide and 0.9 of it high), so an MRZ looks like an MRZ.

Each glyph lives on a 10 × 14 grid (x right, y down); a stroke is a polyline. Rendering draws the
strokes 4× supersampled with round joins and caps, then downsamples for anti-aliased coverage.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

GRID_W = 10.0
GRID_H = 14.0

Stroke = tuple[tuple[float, float], ...]

_O = ((3, 0), (7, 0), (10, 3), (10, 11), (7, 14), (3, 14), (0, 11), (0, 3), (3, 0))

STROKES: dict[str, tuple[Stroke, ...]] = {
    "A": (((0, 14), (5, 0), (10, 14)), ((2, 9), (8, 9))),
    "B": (((0, 7), (7, 7), (9, 5), (9, 2), (7, 0), (0, 0), (0, 14), (8, 14), (10, 12), (10, 9), (8, 7)),),
    "C": (((10, 3), (7, 0), (3, 0), (0, 3), (0, 11), (3, 14), (7, 14), (10, 11)),),
    "D": (((0, 0), (5, 0), (10, 5), (10, 9), (5, 14), (0, 14), (0, 0)),),  # square left, pointed right
    "E": (((10, 0), (0, 0), (0, 14), (10, 14)), ((0, 7), (7, 7))),
    "F": (((10, 0), (0, 0), (0, 14)), ((0, 7), (7, 7))),
    "G": (((10, 3), (7, 0), (3, 0), (0, 3), (0, 11), (3, 14), (7, 14), (10, 11), (10, 8), (5, 8)),),
    "H": (((0, 0), (0, 14)), ((10, 0), (10, 14)), ((0, 7), (10, 7))),
    "I": (((2, 0), (8, 0)), ((5, 0), (5, 14)), ((2, 14), (8, 14))),
    "J": (((4, 0), (10, 0), (10, 11), (7, 14), (3, 14), (0, 11)),),
    "K": (((0, 0), (0, 14)), ((10, 0), (0, 9)), ((3, 6), (10, 14))),
    "L": (((0, 0), (0, 14), (10, 14)),),
    "M": (((0, 14), (0, 0), (5, 8), (10, 0), (10, 14)),),
    "N": (((0, 14), (0, 0), (10, 14), (10, 0)),),
    "O": (_O,),
    "P": (((0, 14), (0, 0), (7, 0), (10, 3), (10, 5), (7, 8), (0, 8)),),
    "Q": (_O, ((4, 7), (10, 14))),
    "R": (((0, 14), (0, 0), (7, 0), (10, 3), (10, 5), (7, 8), (0, 8)), ((3, 8), (10, 14))),
    "S": (
        (
            (10, 2),
            (8, 0),
            (2, 0),
            (0, 2),
            (0, 5),
            (2, 7),
            (8, 7),
            (10, 9),
            (10, 12),
            (8, 14),
            (2, 14),
            (0, 12),
        ),
    ),
    "T": (((0, 0), (10, 0)), ((5, 0), (5, 14))),
    "U": (((0, 0), (0, 11), (3, 14), (7, 14), (10, 11), (10, 0)),),
    "V": (((0, 0), (5, 14), (10, 0)),),
    "W": (((0, 0), (2, 14), (5, 5), (8, 14), (10, 0)),),
    "X": (((0, 0), (10, 14)), ((10, 0), (0, 14))),
    "Y": (((0, 0), (5, 7), (10, 0)), ((5, 7), (5, 14))),
    "Z": (((0, 0), (10, 0), (0, 14), (10, 14)),),
    "0": (((3, 0), (7, 0), (9, 3), (9, 11), (7, 14), (3, 14), (1, 11), (1, 3), (3, 0)), ((8, 2), (2, 12))),
    "1": (((2, 3), (6, 0), (6, 14)), ((2, 14), (10, 14))),
    "2": (((0, 3), (3, 0), (7, 0), (10, 3), (10, 5), (0, 14), (10, 14)),),
    "3": (((0, 0), (10, 0), (5, 6), (7, 6), (10, 9), (10, 11), (7, 14), (3, 14), (0, 11)),),
    "4": (((7, 14), (7, 0), (0, 10), (10, 10)),),
    "5": (((10, 0), (1, 0), (0, 6), (7, 6), (10, 9), (10, 11), (7, 14), (0, 14)),),
    "6": (((8, 0), (3, 0), (0, 4), (0, 11), (3, 14), (7, 14), (10, 11), (10, 9), (7, 6), (0, 6)),),
    "7": (((0, 0), (10, 0), (3, 14)),),
    "8": (
        ((3, 7), (1, 5), (1, 2), (3, 0), (7, 0), (9, 2), (9, 5), (7, 7), (3, 7)),
        ((3, 7), (0, 10), (0, 12), (2, 14), (8, 14), (10, 12), (10, 10), (7, 7)),
    ),
    "9": (((10, 8), (3, 8), (0, 5), (0, 3), (3, 0), (7, 0), (10, 3), (10, 10), (6, 14), (2, 14)),),
    "<": (((9, 3), (1, 7), (9, 11)),),
    ".": (((4.5, 13), (5.5, 13)),),
    "-": (((2, 7), (8, 7)),),
    "/": (((9, 0), (1, 14)),),
    " ": (),
}

#: Characters of the machine readable zone (Doc 9303 Part 3 §4.3).
MRZ_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
#: Characters the visual zone may use (MRZ alphabet plus date and name punctuation and space).
VIZ_CHARS = MRZ_CHARS + ".-/ "

_SUPERSAMPLE = 4
#: Glyph box as fractions of the pitch: OCR-B size 1 proportions.
GLYPH_WIDTH_RATIO = 0.62
GLYPH_HEIGHT_RATIO = 0.88
STROKE_RATIO = 0.14  # stroke width as a fraction of the glyph height (OCR-B: ~0.35 mm of 2.4 mm)


class GlyphError(ValueError):
    """Raised for text containing a character the glyph set does not define."""


def _draw_glyph(
    draw: ImageDraw.ImageDraw, char: str, x0: float, y0: float, gw: float, gh: float, width: int
) -> None:
    sx, sy = gw / GRID_W, gh / GRID_H
    radius = width / 2
    for stroke in STROKES[char]:
        points = [(x0 + x * sx, y0 + y * sy) for x, y in stroke]
        draw.line(points, fill=255, width=width, joint="curve")
        for px, py in (points[0], points[-1]):
            draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=255)


def text_mask(text: str, pitch: float, height: float | None = None) -> Image.Image:
    """Coverage mask (mode ``L``, ink = 255) of ``text`` at a fixed ``pitch`` in pixels.

    The mask is ``round(len(text) * pitch)`` wide and ``round(pitch)`` high; each character's cell
    starts at ``i * pitch`` and the glyph is centred in it. ``height`` overrides the glyph height.
    """
    for c in text:
        if c not in STROKES:
            raise GlyphError(f"character {c!r} is not in the OCR glyph set")
    s = _SUPERSAMPLE
    gh = (height if height is not None else pitch * GLYPH_HEIGHT_RATIO) * s
    gw = gh * (GLYPH_WIDTH_RATIO / GLYPH_HEIGHT_RATIO)
    cell_h = max(gh / s, pitch) * s
    out_w = max(1, round(len(text) * pitch))
    out_h = max(1, round(cell_h / s))
    big = Image.new("L", (out_w * s, out_h * s), 0)
    draw = ImageDraw.Draw(big)
    width = max(1, round(gh * STROKE_RATIO))
    pad = width / 2
    for i, c in enumerate(text):
        x0 = i * pitch * s + (pitch * s - gw) / 2
        y0 = (out_h * s - gh) / 2
        # keep the stroke inside the glyph box: shrink the skeleton by half a stroke on each side
        _draw_glyph(draw, c, x0 + pad, y0 + pad, gw - 2 * pad, gh - 2 * pad, width)
    return big.resize((out_w, out_h), Image.Resampling.BOX)


@lru_cache(maxsize=64)
def glyph_templates(chars: str, pitch: float, cell_w: int, cell_h: int) -> np.ndarray:
    """Float32 array (len(chars), cell_h, cell_w): each glyph's coverage in a cell of the given size.

    Used by the reader as correlation templates; rendering them with the same code that draws the
    documents is what makes template OCR exact rather than approximate.
    """
    out = np.zeros((len(chars), cell_h, cell_w), dtype=np.float32)
    for k, c in enumerate(chars):
        mask = np.asarray(text_mask(c, pitch), dtype=np.float32) / 255.0
        h, w = mask.shape
        y0 = (cell_h - h) // 2
        x0 = (cell_w - w) // 2
        ys, ye = max(0, y0), min(cell_h, y0 + h)
        xs, xe = max(0, x0), min(cell_w, x0 + w)
        out[k, ys:ye, xs:xe] = mask[ys - y0 : ye - y0, xs - x0 : xe - x0]
    return out
