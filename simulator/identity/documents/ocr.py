"""Fixed-pitch template OCR on a rectified "ink" image.

Every character sits in a known cell (the layout gives the line origin and pitch), so recognition is a
classification of each cell against the glyph templates rendered by :mod:`.glyphs` — the same strokes
that printed the document. Each cell is matched at every offset in a small window (residual
rectification error) and against all templates at once, as one matrix product of zero-mean,
unit-norm patches and templates (normalised cross-correlation). Field-type repair happens inside the
classification: a position that Doc 9303 says is numeric is only compared with digit templates, so an
``O``/``0`` or ``B``/``8`` confusion cannot arise there in the first place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image, ImageFilter

from simulator.identity.documents.glyphs import VIZ_CHARS, glyph_templates

ALL_CHARS = VIZ_CHARS.replace(" ", "")
ACCEPT_MARGIN = 0.05  # a character within this correlation of the best is an equally good reading
_BLURS = (0.6, 1.4)  # template sharpness levels: a crisp scan and a defocused phone photo


@dataclass(frozen=True)
class LineReading:
    """Characters read in a line and the correlation score of each (1.0 = identical to the template).

    ``candidates`` keeps every allowed character's score per position, so that a verifier can ask
    whether an expected text is *also* a plausible reading (:meth:`accepts`) instead of trusting the
    single best guess on a badly blurred glyph.
    """

    text: str
    scores: tuple[float, ...]
    candidates: np.ndarray = field(
        default_factory=lambda: np.zeros((0, len(ALL_CHARS))), compare=False, repr=False
    )

    @property
    def min_score(self) -> float:
        return min(self.scores) if self.scores else 0.0

    def accepts(self, expected: str, margin: float = ACCEPT_MARGIN) -> bool:
        """True if ``expected`` differs from the reading only where it scored within ``margin`` of best."""
        padded = expected.ljust(len(self.text))
        if len(padded) != len(self.text):
            return False
        for i, (got, want) in enumerate(zip(self.text, padded, strict=True)):
            if got == want:
                continue
            k = ALL_CHARS.find(want)
            if want == " " or got == " " or k < 0 or i >= self.candidates.shape[0]:
                return False
            if self.candidates[i, k] < self.scores[i] - margin:
                return False
        return True


def ink_image(gray: Image.Image, px_per_mm: float) -> np.ndarray:
    """Ink coverage 0..1 (float32): darkness relative to the local paper brightness.

    The paper level is estimated with a max filter at ~1 px/mm and interpolated back, which removes
    lighting gradients and vignetting before correlation.
    """
    arr = np.asarray(gray, dtype=np.float32)
    factor = max(1, round(px_per_mm * 1.5))
    small = gray.reduce(factor).filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.BoxBlur(2))
    paper = np.asarray(small.resize(gray.size, Image.Resampling.BILINEAR), dtype=np.float32)
    return np.clip(1.0 - arr / np.maximum(paper, 8.0), 0.0, 1.0)


@lru_cache(maxsize=32)
def _templates(pitch: float, cell: int) -> np.ndarray:
    """Zero-mean, unit-norm templates of :data:`ALL_CHARS` at each blur level, shape (B*K, cell*cell)."""
    raw = glyph_templates(ALL_CHARS, pitch, cell, cell)
    k_count = len(ALL_CHARS)
    out = np.empty((len(_BLURS) * k_count, cell * cell), dtype=np.float32)
    for b, radius in enumerate(_BLURS):
        for k in range(k_count):
            img = Image.fromarray(np.uint8(raw[k] * 255)).filter(ImageFilter.GaussianBlur(radius))
            v = np.asarray(img, dtype=np.float32).ravel()
            v -= v.mean()
            out[b * k_count + k] = v / max(float(np.linalg.norm(v)), 1e-6)
    return out


@lru_cache(maxsize=256)
def _allowed_matrix(allowed: tuple[str, ...]) -> np.ndarray:
    mat = np.zeros((len(allowed), len(ALL_CHARS)), dtype=bool)
    for i, chars in enumerate(allowed):
        for c in chars:
            k = ALL_CHARS.find(c)
            if k >= 0:
                mat[i, k] = True
    return mat


def read_cells(
    ink: np.ndarray,
    x0: float,
    y0: float,
    pitch: float,
    allowed: list[str],
    search: int = 2,
    blank_threshold: float = 0.4,
) -> LineReading:
    """Read ``len(allowed)`` cells starting at pixel (x0, y0) with the given pitch.

    ``allowed[i]`` lists the characters position ``i`` may hold; a space in it allows a blank cell,
    decided by ink (no pixel darker than ``blank_threshold`` in at least three places) rather than by
    correlation, which is meaningless on empty paper.
    """
    n = len(allowed)
    cell = max(4, round(pitch))
    templates = _templates(round(pitch * 4) / 4, cell)
    pad = search + cell + 2
    band_h = cell + 2 * search
    top = round(y0) - search
    band = np.zeros((band_h, ink.shape[1] + 2 * pad), dtype=np.float32)
    src0, src1 = max(0, top), min(ink.shape[0], top + band_h)
    if src1 > src0:
        band[src0 - top : src1 - top, pad : pad + ink.shape[1]] = ink[src0:src1]
    xs = np.round(x0 + np.arange(n) * pitch).astype(np.int64) + pad - search
    windows = sliding_window_view(band, (cell, cell))
    # blank cells (only where a blank is allowed) are decided by ink and skip the correlation
    centres = windows[search, np.clip(xs + search, 0, windows.shape[1] - 1)]  # (n, cell, cell)
    dark = (centres > blank_threshold).sum(axis=(1, 2))
    blank = np.asarray([" " in a for a in allowed]) & (dark < 3)
    fixed = np.asarray([len(a) == 1 for a in allowed])
    todo = np.flatnonzero(~blank & ~fixed)
    best = np.full((n, len(ALL_CHARS)), -np.inf, dtype=np.float32)
    if todo.size:
        offsets = np.arange(2 * search + 1)
        yy = np.repeat(offsets, offsets.size)
        xx = np.tile(offsets, offsets.size)
        cols = np.clip(xs[todo, None] + xx[None, :], 0, windows.shape[1] - 1)
        patches = windows[yy[None, :], cols]  # (m, S, cell, cell)
        m = todo.size
        flat = patches.reshape(m, yy.size, cell * cell)
        # templates are zero-mean, so (patch - mean)·t == patch·t: only the norm needs the mean
        size = cell * cell
        sums = flat.sum(axis=2)
        sq = np.einsum("nsk,nsk->ns", flat, flat)
        norms = np.sqrt(np.maximum(sq - sums * sums / size, 1e-12))
        scores = (flat @ templates.T) / norms[..., None]  # (m, S, B*K)
        found = scores.reshape(m, yy.size * len(_BLURS), len(ALL_CHARS)).max(axis=1)
        best[todo] = np.where(_allowed_matrix(tuple(allowed))[todo], found, -np.inf)
    choice = best.argmax(axis=1)
    chosen = best[np.arange(n), choice]
    text: list[str] = []
    out_scores: list[float] = []
    for i in range(n):
        if blank[i]:
            text.append(" ")
            out_scores.append(1.0)
        elif fixed[i]:  # a fixed character (date dots): nothing was decided here
            text.append(allowed[i])
            out_scores.append(1.0)
        else:
            text.append(ALL_CHARS[choice[i]])
            out_scores.append(float(chosen[i]))
    return LineReading("".join(text), tuple(out_scores), best)
