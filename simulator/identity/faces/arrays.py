"""Two small array helpers with numpy/scipy's exact results and a fraction of their call overhead.

The face checks call them a dozen times per session on small arrays, where ``np.median``'s and
``scipy.ndimage.binary_erosion``'s generic machinery costs more than the arithmetic itself.
"""

from __future__ import annotations

import numpy as np


def median(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """``np.median(values, axis=axis)``, value for value (same dtype, same partition, the mean of
    the two middle elements in the input's precision, NaN where a slice holds one)."""
    a = np.asarray(values)
    n = a.shape[axis]
    if n == 0:
        return np.median(a, axis=axis)  # numpy's own warning and NaN
    half = n // 2
    if n % 2:
        part = np.partition(a, (half, n - 1) if n > 1 else half, axis=axis)
        mid = np.take(part, half, axis=axis)
    else:
        part = np.partition(a, (half - 1, half, n - 1), axis=axis)
        low, high = np.take(part, half - 1, axis=axis), np.take(part, half, axis=axis)
        mid = (low + high) / a.dtype.type(2) if a.dtype.kind == "f" else (low + high) / 2
    if a.dtype.kind in "fc":
        # Partitioning puts NaN last (kth includes n - 1 so the last element is the maximum).
        mid = np.where(np.isnan(np.take(part, n - 1, axis=axis)), np.nan, mid).astype(mid.dtype, copy=False)
    return mid


def erode_cross(mask: np.ndarray) -> np.ndarray:
    """``scipy.ndimage.binary_erosion(mask, iterations=1)`` of a 2-D mask: a pixel survives when it
    and its four neighbours are set; the border (outside counts as unset) never survives."""
    out = np.zeros(mask.shape, dtype=bool)
    if mask.shape[0] < 3 or mask.shape[1] < 3:
        return out
    out[1:-1, 1:-1] = (mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2]
                       & mask[1:-1, 2:])
    return out
