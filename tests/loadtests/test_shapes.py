"""Load shapes: users wanted over time for each profile, and where each one stops."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadtests.shapes import SHAPES, SOAK_DEFAULT_SECONDS, ShapeError, ShapeParams, profile

P = ShapeParams(users=40, spawn_rate=5, duration=100)


def test_steady_holds_the_users_then_stops() -> None:
    assert profile("steady", P, 0) == (40, 5)
    assert profile("steady", P, 99.9) == (40, 5)
    assert profile("steady", P, 100) is None


def test_ramp_climbs_in_ten_stairs_to_the_peak() -> None:
    users = [profile("ramp", P, t) for t in (0, 10, 55, 95)]
    assert [u[0] for u in users if u] == [4, 8, 24, 40]
    assert profile("ramp", P, 100) is None


def test_spike_is_a_quarter_then_all_in_the_middle_fifth() -> None:
    assert profile("spike", P, 10) == (10, 5)
    assert profile("spike", P, 45) == (40, 5)
    assert profile("spike", P, 70) == (10, 5)


def test_soak_defaults_to_ten_minutes() -> None:
    params = ShapeParams(users=2, spawn_rate=1, duration=0)
    assert profile("soak", params, SOAK_DEFAULT_SECONDS - 1) == (2, 1)
    assert profile("soak", params, SOAK_DEFAULT_SECONDS) is None


@pytest.mark.parametrize(("users", "rate", "duration"), [(0, 1, 1), (1, 0, 1), (1, 1, -1)])
def test_bad_parameters_are_refused(users: int, rate: float, duration: float) -> None:
    with pytest.raises(ShapeError):
        ShapeParams(users, rate, duration)


def test_unknown_shape_is_refused() -> None:
    with pytest.raises(ShapeError, match="known: steady"):
        profile("wave", P, 0)


@given(st.sampled_from(SHAPES), st.integers(1, 500), st.floats(0, 2000, allow_nan=False))
def test_users_never_exceed_the_peak_nor_drop_below_one(name: str, users: int, elapsed: float) -> None:
    tick = profile(name, ShapeParams(users, 2.0, 1000), elapsed)
    if elapsed >= 1000:
        assert tick is None
    else:
        assert tick is not None and 1 <= tick[0] <= users
