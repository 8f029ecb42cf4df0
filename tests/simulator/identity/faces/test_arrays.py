"""The fast helpers must give numpy's and scipy's results exactly (the face decisions rely on it)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.ndimage import binary_erosion

from simulator.identity.faces.arrays import erode_cross, median


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_median_equals_numpy(dtype: type) -> None:
    rng = np.random.default_rng(11)
    for i in range(600):
        n = int(rng.integers(1, 40))
        shape = (n,) if i % 2 else (n, int(rng.integers(1, 4)))
        values = rng.normal(size=shape).astype(dtype)
        if i % 5 == 0:
            values = np.round(values)  # ties
        if i % 7 == 0:
            values[rng.integers(0, n)] = np.nan
        if i % 9 == 0:
            values[rng.integers(0, n)] = np.inf
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = np.asarray(np.median(values, axis=0))
        got = np.asarray(median(values, axis=0))
        assert got.dtype == expected.dtype
        assert np.array_equal(got, expected, equal_nan=True), (values, got, expected)


def test_erode_cross_equals_scipy() -> None:
    rng = np.random.default_rng(12)
    for _ in range(300):
        mask = rng.random((int(rng.integers(1, 25)), int(rng.integers(1, 25)))) > 0.25
        assert np.array_equal(erode_cross(mask), binary_erosion(mask, iterations=1))
