"""Finding the document in a photo and undoing the perspective: numpy-vectorised, no OpenCV.

The page is the large bright quadrilateral on a darker surface (document-capture SDKs ask the user for
exactly that). It is segmented with Otsu's threshold on a half-resolution image, cleaned with a 3×3
opening, and each of its four edges is fitted as a straight line through the outermost mask pixels of
the rows/columns that edge owns; the corners are the intersections of those lines. Fitting lines rather
than taking extreme pixels makes the corners sub-pixel accurate even under blur and JPEG noise, which
the fixed-pitch OCR needs (its cells are only ~20 px wide).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

_MIN_AREA_FRACTION = 0.08
_MIN_EDGE_CONTRAST = 25.0  # page minus surface, grey levels, on the weakest of the four edges


class DocumentNotFoundError(ValueError):
    """No quadrilateral document could be segmented from the image."""


def homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3×3 H with H·src ≈ dst for four (x, y) point pairs (h33 = 1)."""
    a = np.zeros((8, 8), dtype=np.float64)
    b = np.zeros(8, dtype=np.float64)
    for i, ((x, y), (u, v)) in enumerate(zip(src, dst, strict=True)):
        a[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y]
        a[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y]
        b[2 * i], b[2 * i + 1] = u, v
    try:
        h = np.linalg.solve(a, b)
    except np.linalg.LinAlgError as exc:
        raise DocumentNotFoundError("degenerate document corners") from exc
    return np.append(h, 1.0).reshape(3, 3)


def _otsu(values: np.ndarray) -> float:
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mean_all = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 - m0 * total) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    return float(np.argmax(between))


def _shift_reduce(mask: np.ndarray, op: np.ufunc, fill: bool) -> np.ndarray:
    padded = np.pad(mask, 1, constant_values=fill)
    h, w = mask.shape
    out = padded[1 : h + 1, 1 : w + 1].copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            op(out, padded[dy : dy + h, dx : dx + w], out=out)
    return out


def _open3(mask: np.ndarray) -> np.ndarray:
    """3×3 morphological opening (erode then dilate): drops specks narrower than 3 px."""
    return _shift_reduce(_shift_reduce(mask, np.logical_and, True), np.logical_or, False)


def _fit_line(coord: np.ndarray, value: np.ndarray) -> tuple[float, float]:
    """Least-squares value = a*coord + b, refitted once without points off by more than 2 px."""
    a, b = np.polyfit(coord, value, 1)
    resid = np.abs(value - (a * coord + b))
    keep = resid < max(2.0, float(np.median(resid)) * 3)
    if keep.sum() >= 5:
        a, b = np.polyfit(coord[keep], value[keep], 1)
    return float(a), float(b)


def _coarse_corners(gray: Image.Image) -> np.ndarray:
    """Corners from a heavily smoothed quarter-resolution mask (robust, a few pixels off)."""
    factor = 4
    small = gray.reduce(factor).filter(ImageFilter.BoxBlur(3))
    arr = np.asarray(small, dtype=np.uint8)
    thr = _otsu(arr)
    mask = _open3(arr > thr)
    h, w = mask.shape
    if mask.sum() < _MIN_AREA_FRACTION * h * w or mask.mean() > 0.97:
        raise DocumentNotFoundError("no bright page on a contrasting background")
    rows = np.flatnonzero(mask.sum(axis=1) > 0.1 * w)
    cols = np.flatnonzero(mask.sum(axis=0) > 0.1 * h)
    if rows.size < 20 or cols.size < 20:
        raise DocumentNotFoundError("page region too small")
    left = np.argmax(mask[rows], axis=1).astype(np.float64)
    right = (w - 1 - np.argmax(mask[rows, ::-1], axis=1)).astype(np.float64)
    top = np.argmax(mask[:, cols], axis=0).astype(np.float64)
    bottom = (h - 1 - np.argmax(mask[::-1, cols], axis=0)).astype(np.float64)
    r = rows.astype(np.float64)
    c = cols.astype(np.float64)
    # rough corners from extremes of x±y bound which rows/columns belong to which edge
    ys, xs = np.nonzero(mask)
    s, d = xs + ys, xs - ys
    tl = (xs[np.argmin(s)], ys[np.argmin(s)])
    br = (xs[np.argmax(s)], ys[np.argmax(s)])
    tr = (xs[np.argmax(d)], ys[np.argmax(d)])
    bl = (xs[np.argmin(d)], ys[np.argmin(d)])

    def span(lo: float, hi: float, coords: np.ndarray) -> np.ndarray:
        margin = 0.1 * (hi - lo)
        return (coords > lo + margin) & (coords < hi - margin)

    sel_l = span(tl[1], bl[1], r)
    sel_r = span(tr[1], br[1], r)
    sel_t = span(tl[0], tr[0], c)
    sel_b = span(bl[0], br[0], c)
    if min(sel_l.sum(), sel_r.sum(), sel_t.sum(), sel_b.sum()) < 8:
        raise DocumentNotFoundError("page edges not found")
    # left/right edges: x = a*y + b; top/bottom edges: y = a*x + b
    la, lb = _fit_line(r[sel_l], left[sel_l] - 0.5)
    ra, rb = _fit_line(r[sel_r], right[sel_r] + 0.5)
    ta, tb = _fit_line(c[sel_t], top[sel_t] - 0.5)
    ba, bb = _fit_line(c[sel_b], bottom[sel_b] + 0.5)

    def meet(xa: float, xb: float, ya: float, yb: float) -> tuple[float, float]:
        # x = xa*y + xb and y = ya*x + yb
        y = (ya * xb + yb) / (1 - ya * xa)
        return xa * y + xb, y

    corners = np.asarray(
        [meet(la, lb, ta, tb), meet(ra, rb, ta, tb), meet(ra, rb, ba, bb), meet(la, lb, ba, bb)]
    )
    corners = (corners + 0.5) * factor
    if not np.all(np.isfinite(corners)):
        raise DocumentNotFoundError("page edges do not meet")
    return corners


def _bilinear(img: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    h, w = img.shape
    x = np.clip(x - 0.5, 0, w - 1.001)
    y = np.clip(y - 0.5, 0, h - 1.001)
    x0 = x.astype(np.int64)
    y0 = y.astype(np.int64)
    fx, fy = x - x0, y - y0
    top = img[y0, x0] * (1 - fx) + img[y0, x0 + 1] * fx  # uint8 pixels promote to float here
    bottom = img[y0 + 1, x0] * (1 - fx) + img[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


_SAMPLES = 48
_REACH = 20


def _refine_edge(img: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Sub-pixel edge a→b: strongest bright-to-dark step along the outward normal at many points.

    Returns (point on the line, unit direction) of the total-least-squares line through them, and the
    median brightness difference between just inside and just outside the edge (page vs. surface).
    """
    d = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
    normal = np.asarray([d[1], -d[0]])  # outward for a clockwise (TL, TR, BR, BL) quadrilateral
    fractions = np.linspace(0.1, 0.9, _SAMPLES)
    base = a[None, :] + (b - a)[None, :] * fractions[:, None]
    t = np.arange(-_REACH, _REACH + 1, dtype=np.float64)
    px = base[:, 0:1] + normal[0] * t[None, :]
    py = base[:, 1:2] + normal[1] * t[None, :]
    profile = _bilinear(img, px, py)
    deriv = np.diff(profile, axis=1)  # outward: paper (bright) to table (dark) is negative
    k = np.argmin(deriv, axis=1)
    k = np.clip(k, 1, deriv.shape[1] - 2)
    rows = np.arange(_SAMPLES)
    ym1, y0, yp1 = deriv[rows, k - 1], deriv[rows, k], deriv[rows, k + 1]
    denom = ym1 - 2 * y0 + yp1
    offset = np.where(np.abs(denom) > 1e-9, 0.5 * (ym1 - yp1) / np.where(denom == 0, 1, denom), 0.0)
    tt = t[k] + 0.5 + np.clip(offset, -1, 1)
    strength = -y0
    inside = profile[:, : _REACH - 3].mean(axis=1)
    outside = profile[:, _REACH + 4 :].mean(axis=1)
    contrast = float(np.median(inside - outside))
    pts = base + normal[None, :] * tt[:, None]
    keep = strength > 0.3 * float(np.percentile(strength, 75))
    pts = pts[keep] if keep.sum() >= 6 else pts
    for _ in range(2):
        centre = pts.mean(axis=0)
        _, _, vt = np.linalg.svd(pts - centre)
        direction = vt[0]
        resid = np.abs((pts - centre) @ np.asarray([direction[1], -direction[0]]))
        good = resid < max(1.5, 2.5 * float(np.median(resid)))
        if good.sum() < 6 or good.all():
            break
        pts = pts[good]
    return centre, direction, contrast


def _intersect(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray:
    m = np.column_stack([d1, -d2])
    if abs(np.linalg.det(m)) < 1e-9:
        raise DocumentNotFoundError("page edges are parallel")
    ts = np.linalg.solve(m, p2 - p1)
    return p1 + d1 * ts[0]


def find_document(gray: Image.Image) -> np.ndarray:
    """Corners (TL, TR, BR, BL) of the page in ``gray``'s pixel coordinates, float array (4, 2).

    The coarse corners can be tens of pixels off where uneven light darkens a page corner; each
    refinement pass fits the edges from the samples that did find the step, so the corners converge
    in two or three passes.
    """
    coarse = _coarse_corners(gray)
    img = np.asarray(gray)
    corners = coarse
    contrast = 0.0
    for _ in range(4):
        edges = [_refine_edge(img, corners[i], corners[(i + 1) % 4]) for i in range(4)]
        lines = [(p, d) for p, d, _ in edges]
        contrast = min(c for _, _, c in edges)
        new = np.asarray([_intersect(*lines[(i - 1) % 4], *lines[i]) for i in range(4)])
        if not np.all(np.isfinite(new)):
            raise DocumentNotFoundError("page edges do not meet")
        moved = float(np.abs(new - corners).max())
        corners = new
        if moved < 0.5:
            break
    if np.abs(corners - coarse).max() > 0.25 * float(np.linalg.norm(coarse[2] - coarse[0])):
        raise DocumentNotFoundError("page edges could not be located precisely")
    if contrast < _MIN_EDGE_CONTRAST:
        raise DocumentNotFoundError(f"no clear page edge (contrast {contrast:.0f} grey levels)")
    return corners
