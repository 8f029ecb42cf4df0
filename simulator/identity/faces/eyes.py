"""Eye-pair locator for the synthetic faces, from pixels only.

Two passes, because the first is cheap and the second is accurate:

1. *Coarse*: the grey image is resized to a 128-pixel-wide working copy and correlated (normalised
   cross-correlation via FFT, so gain and offset do not matter) with a few eye templates — a white
   ellipse with a dark centred iris on mid-grey skin — of three sizes. Local maxima above a floor
   are candidates; the pair maximising both scores, with a plausible spacing, near-horizontal
   and of one template size, is kept.
2. *Fine*: each eye is re-matched at the input resolution with templates scaled around the coarse
   size, in a small window, and the peak is interpolated to sub-pixel precision. Alignment of the
   texture descriptor depends on this precision.

A blank or eyeless image yields ``None`` (the matcher reports ``face_not_found``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import as_strided
from PIL import Image

WORK_WIDTH = 128
# Eye widths are 8-14 % of the image width (generator range x capture scale).
_EYE_FRACTIONS = (0.088, 0.109, 0.133)


def _template_widths(work_width: int) -> tuple[float, ...]:
    return tuple(round(work_width * f, 2) for f in _EYE_FRACTIONS)


_TEMPLATE_WIDTHS = _template_widths(WORK_WIDTH)
_COARSE_FLOOR = 0.35
_MIN_CONTRAST = 0.2
_FINE_FLOOR = 0.45
_SKIN_LEVELS = (0.3, 0.85)
_LID, _SCLERA, _IRIS = 0.1, 1.0, 0.12


@dataclass(frozen=True)
class EyePair:
    """Eye centres in input-image pixels (``left`` has the smaller x) and the match quality."""

    left: tuple[float, float]
    right: tuple[float, float]
    eye_width: float
    score: float

    @property
    def distance(self) -> float:
        return math.hypot(self.right[0] - self.left[0], self.right[1] - self.left[1])


@lru_cache(maxsize=256)
def eye_template(width_q: int, skin: float = 0.45) -> np.ndarray:
    """Zero-mean, unit-norm eye template; ``width_q`` is the eye width in quarter pixels.

    ``skin`` is the grey level of the skin around the eye on a scale where the iris is ~0 and the
    sclera 1: it differs between dark and pale skin, so the locator tries both kinds of template.
    The upper lid is drawn as a dark arc, which is what keeps an eye visible on pale skin.
    """
    w = width_q / 4.0
    h = 0.5 * w
    tw = 2 * math.ceil(0.8 * w) + 1
    th = 2 * math.ceil(1.0 * h) + 1
    ss = 4
    ys = (np.arange(th * ss) + 0.5) / ss - th / 2
    xs = (np.arange(tw * ss) + 0.5) / ss - tw / 2
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    t = np.full(yy.shape, skin)
    rr = (xx / (w / 2)) ** 2 + (yy / (h / 2)) ** 2
    t[(rr <= 1.35) & (yy < 0)] = _LID
    t[rr <= 1.0] = _SCLERA
    t[xx**2 + yy**2 <= (0.44 * h) ** 2] = _IRIS
    t[xx**2 + yy**2 <= (0.22 * h) ** 2] = 0.0
    t = t.reshape(th, ss, tw, ss).mean(axis=(1, 3))
    t = t - t.mean()
    return (t / np.linalg.norm(t)).astype(np.float32)


def _integrals(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Summed-area tables of ``img`` and ``img**2`` (one leading zero row and column), computed once
    per image and shared by every window size."""
    return _integral(img), _integral(img * img)


def _window_stats(img: np.ndarray, th: int, tw: int,
                  integrals: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(sqrt of the sum of squared deviations, mean) over every ``th x tw`` window."""
    n = th * tw
    c1, c2 = integrals if integrals is not None else _integrals(img)
    s1 = _window_sum(c1, th, tw)
    s2 = _window_sum(c2, th, tw)
    return np.sqrt(np.maximum(s2 - s1 * s1 / n, 0.0)), s1 / n


def _window_norm(img: np.ndarray, th: int, tw: int) -> np.ndarray:
    return _window_stats(img, th, tw)[0]


def _integral(img: np.ndarray) -> np.ndarray:
    c = np.zeros((img.shape[0] + 1, img.shape[1] + 1), dtype=np.float64)
    # Down the columns, then along the rows, each a running sum in float64 in index order. The
    # first runs on a transposed contiguous copy: numpy accumulates a contiguous axis about twice
    # as fast as a strided one, for the very same additions.
    t = np.ascontiguousarray(img.T, dtype=np.float64)
    np.cumsum(t, axis=1, out=t)
    np.cumsum(t.T, axis=1, out=c[1:, 1:])
    return c


def _window_sum(c: np.ndarray, th: int, tw: int) -> np.ndarray:
    return c[th:, tw:] - c[:-th, tw:] - c[th:, :-tw] + c[:-th, :-tw]


@lru_cache(maxsize=256)
def _template_spectrum(width_q: int, skin: float, shape: tuple[int, int]) -> np.ndarray:
    return np.conj(np.fft.rfft2(eye_template(width_q, skin), s=shape))


def ncc_map(img: np.ndarray, width_q: int, skin: float, den: np.ndarray | None = None,
            spectrum: np.ndarray | None = None) -> np.ndarray:
    """NCC of an eye template at every valid position of ``img`` (top-left indexing).

    Correlation is done in the Fourier domain (circular, which is exact on the valid region);
    ``spectrum`` (the image's ``rfft2``) and ``den`` (window norms for the template's shape) may be
    passed in when several templates are correlated with one image.
    """
    th, tw = eye_template(width_q, skin).shape
    h, w = img.shape
    if spectrum is None:
        spectrum = np.fft.rfft2(img)
    num = np.fft.irfft2(spectrum * _template_spectrum(width_q, skin, (h, w)), s=(h, w))
    if den is None:
        den = _window_norm(img, th, tw)
    return _normalised(num[None, :h - th + 1, :w - tw + 1], den)[0]


def _normalised(nums: np.ndarray, den: np.ndarray) -> list[np.ndarray]:
    """Correlations divided by their window norms (float64 division rounded to float32, as
    ``np.where(flat, 0, num / den)`` gives), 0 where the window is flat."""
    flat = den < 1.0  # a flat window (blank image) correlates with nothing
    safe = np.where(flat, 1.0, den)
    out = []
    for num in nums:
        ncc = np.divide(num, safe, out=np.empty(num.shape, np.float32), casting="same_kind")
        ncc[flat] = 0.0
        out.append(ncc)
    return out


@lru_cache(maxsize=32)
def _template_bank(widths_q: tuple[int, ...], shape: tuple[int, int]) -> np.ndarray:
    """Conjugate spectra of every coarse template (each width at each skin level, in that order)
    for images of ``shape``: one array, so one batched inverse FFT correlates them all."""
    bank = np.stack([_template_spectrum(q, skin, shape) for q in widths_q for skin in _SKIN_LEVELS])
    bank.flags.writeable = False
    return bank


@dataclass(frozen=True)
class _Candidate:
    x: float
    y: float
    score: float
    size: int
    skin: float


def _local_maxima(m: np.ndarray, floor: float, size: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Positions where ``m`` exceeds ``floor`` and equals the maximum of its ``size x size``
    neighbourhood (mirrored at the border): ``scipy.ndimage.maximum_filter``'s default ``reflect``
    mode, evaluated only at the few pixels above the floor instead of everywhere."""
    ys, xs = np.nonzero(m > floor)
    if len(ys) == 0:
        return ys, xs
    offsets = np.arange(size) - size // 2
    rows = _reflect(ys[:, None] + offsets, m.shape[0])
    cols = _reflect(xs[:, None] + offsets, m.shape[1])
    neighbours = m[rows[:, :, None], cols[:, None, :]]
    keep = m[ys, xs] == neighbours.reshape(len(ys), -1).max(axis=1)
    return ys[keep], xs[keep]


def _reflect(index: np.ndarray, n: int) -> np.ndarray:
    """Indices mirrored into ``0..n-1`` about the edges (d c b a | a b c d | d c b a)."""
    period = 2 * n
    index = np.mod(index, period)
    return np.where(index >= n, period - 1 - index, index)


def _coarse_candidates(work: np.ndarray, widths: tuple[float, ...] = _TEMPLATE_WIDTHS) -> list[_Candidate]:
    found: list[_Candidate] = []
    h, w = work.shape
    sizes = [(size, round(width * 4)) for size, width in enumerate(widths)
             if h > eye_template(round(width * 4)).shape[0] and w > eye_template(round(width * 4)).shape[1]]
    if not sizes:
        return found
    spectrum = np.fft.rfft2(work)
    # Every template's correlation in one inverse FFT (the same transform per map as one call each).
    nums = np.fft.irfft2(spectrum[None] * _template_bank(tuple(q for _, q in sizes), (h, w)), s=(h, w))
    integrals = _integrals(work)
    for k, (size, width_q) in enumerate(sizes):
        th, tw = eye_template(width_q).shape
        den, mean = _window_stats(work, th, tw, integrals)
        dark, pale = _normalised(nums[2 * k:2 * k + 2, :h - th + 1, :w - tw + 1], den)
        # NCC ignores contrast, so faint skin blobs can mimic an iris; an eye (white sclera, dark
        # iris) always has a high contrast relative to its mean brightness, whatever the gain.
        contrast = den / math.sqrt(th * tw) / np.maximum(mean, 1.0)
        m = np.maximum(dark, pale) * np.clip(contrast / _MIN_CONTRAST, 0.0, 1.0)
        ys, xs = _local_maxima(m, _COARSE_FLOOR)
        order = np.argsort(-m[ys, xs])[:10]
        ys, xs = ys[order], xs[order]
        # The winning skin level (the first on a tie, as argmax picks); lists of Python numbers,
        # the same values as element by element.
        pale_won = (pale[ys, xs] > dark[ys, xs]).tolist()
        found.extend(_Candidate(float(x + tw // 2), float(y + th // 2), score, size, _SKIN_LEVELS[int(p)])
                     for x, y, score, p in zip(xs.tolist(), ys.tolist(), m[ys, xs].tolist(), pale_won,
                                               strict=True))
    return found


def _dedupe(cands: list[_Candidate], keep: int,
            widths: tuple[float, ...] = _TEMPLATE_WIDTHS) -> list[_Candidate]:
    """Non-maximum suppression: the best candidate within 0.8 eye width wins.

    Templates of several sizes fire on the same eye, and a template shifted by half an eye still
    correlates with the sclera on one side; those side lobes must not pair up with each other.
    """
    out: list[_Candidate] = []
    for c in sorted(cands, key=lambda c: -c.score):
        reach = 0.8 * widths[c.size]
        if all(abs(c.x - o.x) > reach or abs(c.y - o.y) > 0.5 * reach for o in out):
            out.append(c)
            if len(out) == keep:
                break
    return out


def _patch(work: np.ndarray, c: _Candidate, half_w: int, half_h: int) -> np.ndarray | None:
    x, y = round(c.x), round(c.y)
    if x - half_w < 0 or y - half_h < 0 or x + half_w + 1 > work.shape[1] or y + half_h + 1 > work.shape[0]:
        return None
    p = work[y - half_h:y + half_h + 1, x - half_w:x + half_w + 1]
    p = p - p.mean()
    n = float(np.linalg.norm(p))
    return p / n if n > 1e-6 else None


def _mirror_similarity(work: np.ndarray, left: _Candidate, right: _Candidate, eye_w: float,
                       patches: dict[tuple[int, int, int], np.ndarray | None] | None = None) -> float:
    """NCC of the left eye's surroundings with the mirrored right eye's: faces are symmetric.

    ``patches`` memoises the normalised patches of one search (a candidate takes part in many
    pairs, mostly at one patch size)."""
    half_w, half_h = math.ceil(0.8 * eye_w), math.ceil(0.6 * eye_w)

    def patch(c: _Candidate) -> np.ndarray | None:
        if patches is None:
            return _patch(work, c, half_w, half_h)
        key = (id(c), half_w, half_h)
        if key not in patches:
            patches[key] = _patch(work, c, half_w, half_h)
        return patches[key]

    pl, pr = patch(left), patch(right)
    if pl is None or pr is None:
        return 0.0
    return float((pl * pr[:, ::-1]).sum())


def _best_pair(work: np.ndarray, cands: list[_Candidate],
               widths: tuple[float, ...] = _TEMPLATE_WIDTHS) -> tuple[_Candidate, _Candidate, float] | None:
    width = work.shape[1]
    best: tuple[_Candidate, _Candidate, float] | None = None
    patches: dict[tuple[int, int, int], np.ndarray | None] = {}  # candidates outlive it: ids stay valid
    for i, p in enumerate(cands):
        for q in cands[i + 1:]:
            left, right = (p, q) if p.x < q.x else (q, p)
            dx, dy = right.x - left.x, right.y - left.y
            if not 0.2 * width <= dx <= 0.65 * width or abs(dy) > 0.3 * dx:
                continue
            if abs(p.size - q.size) > 1:
                continue
            eye_w = widths[max(p.size, q.size)]
            if not 0.12 <= eye_w / dx <= 0.55:
                continue
            # Head roll up to ~9 degrees is normal; only steeper pairs are penalised.
            score = (p.score + q.score + 0.5 * _mirror_similarity(work, left, right, eye_w, patches)
                     - 2.0 * max(0.0, abs(dy) / dx - 0.15))
            if best is None or score > best[2]:
                best = (left, right, score)
    return best


def _refine(grey: np.ndarray, x: float, y: float, eye_w: float, radius: int,
            skin: float) -> tuple[float, float, float]:
    """Sub-pixel eye centre near (x, y) at input resolution, and its NCC.

    Uses the skin level that won the coarse pass, at three scales around the coarse size.
    """
    best = (x, y, -1.0)
    for factor in (0.85, 1.0, 1.18):
        t = eye_template(max(16, round(eye_w * factor * 4)), skin)
        th, tw = t.shape
        x0 = round(x) - tw // 2 - radius
        y0 = round(y) - th // 2 - radius
        x1, y1 = x0 + tw + 2 * radius, y0 + th + 2 * radius
        if x0 < 0 or y0 < 0 or x1 > grey.shape[1] or y1 > grey.shape[0]:
            continue
        patch = grey[y0:y1, x0:x1].astype(np.float32)
        # sliding_window_view's very view, built without its argument checks (a dozen per eye).
        win = as_strided(patch, (patch.shape[0] - th + 1, patch.shape[1] - tw + 1, th, tw),
                         patch.strides * 2, writeable=False)
        num = np.einsum("ijkl,kl->ij", win, t)
        mean = np.einsum("ijkl->ij", win) / (th * tw)
        var = np.einsum("ijkl,ijkl->ij", win, win) - th * tw * mean * mean
        den = np.sqrt(np.maximum(var, 1e-6))
        ncc = np.where(var > 1.0, num / den, 0.0)
        iy, ix = np.unravel_index(int(np.argmax(ncc)), ncc.shape)
        peak = float(ncc[iy, ix])
        if peak <= best[2]:
            continue
        sx = _parabola(ncc[iy, ix - 1], peak, ncc[iy, ix + 1]) if 0 < ix < ncc.shape[1] - 1 else 0.0
        sy = _parabola(ncc[iy - 1, ix], peak, ncc[iy + 1, ix]) if 0 < iy < ncc.shape[0] - 1 else 0.0
        # +0.5: pixel centres, so that coordinates are continuous image coordinates.
        best = (x0 + ix + sx + tw // 2 + 0.5, y0 + iy + sy + th // 2 + 0.5, peak)
    return best


def _refine_any(grey: np.ndarray, x: float, y: float, eye_w: float, radius: int,
                skin: float) -> tuple[float, float, float]:
    """:func:`_refine` with the coarse pass's skin level, falling back to the other one."""
    best = _refine(grey, x, y, eye_w, radius, skin)
    if best[2] >= _FINE_FLOOR:
        return best
    for other in _SKIN_LEVELS:
        if other != skin:
            alt = _refine(grey, x, y, eye_w, radius, other)
            best = alt if alt[2] > best[2] else best
    return best


def _parabola(a: float, b: float, c: float) -> float:
    den = a - 2 * b + c
    if den >= -1e-9:
        return 0.0
    return float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))


def locate_eyes(grey: np.ndarray, work_width: int = WORK_WIDTH) -> EyePair | None:
    """The eye pair in a grey ``(H, W)`` float image, or ``None`` when no plausible pair exists.

    ``work_width`` is the coarse pass's working width (template sizes scale with it); the fine
    pass always runs on ``grey`` itself.
    """
    h, w = grey.shape
    widths = _TEMPLATE_WIDTHS if work_width == WORK_WIDTH else _template_widths(work_width)
    f = work_width / w
    work_h = max(1, round(h * f))
    work = np.asarray(Image.fromarray(grey.astype(np.float32), "F").resize((work_width, work_h),
                                                                           Image.BILINEAR))
    pair = _best_pair(work, _dedupe(_coarse_candidates(work, widths), 12, widths), widths)
    if pair is None:
        return None
    left, right, _ = pair
    eye_w = widths[max(left.size, right.size)] / f
    radius = max(2, math.ceil(1.5 / f))
    lx, ly, ls = _refine_any(grey, left.x / f, left.y / f, eye_w, radius, left.skin)
    rx, ry, rs = _refine_any(grey, right.x / f, right.y / f, eye_w, radius, right.skin)
    if min(ls, rs) < _FINE_FLOOR:
        return None
    return EyePair(left=(lx, ly), right=(rx, ry), eye_width=eye_w, score=(ls + rs) / 2)
