"""Load shapes as pure functions of elapsed time: how many users should be running, and how fast to
get there.

The locustfile's ``LoadTestShape`` asks :func:`profile` at every tick, so the arithmetic lives here
where it can be tested without starting locust.  Every shape is parameterised by the run's users
(the peak), spawn rate and duration (seconds); ``None`` means "stop".

* ``steady`` - go to ``users`` at ``spawn_rate`` and hold them for the whole duration.
* ``ramp``   - climb linearly from 1 user to ``users`` over the duration (a staircase of ten
  steps), to find where latency bends.
* ``spike``  - a quarter of the users, then all of them during the middle fifth of the run, then a
  quarter again: does the system recover once the burst is over?
* ``soak``   - like steady, but meant to be long (ten minutes when no duration is given): memory and
  latency must not drift.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SHAPES", "SOAK_DEFAULT_SECONDS", "ShapeError", "ShapeParams", "profile"]

SOAK_DEFAULT_SECONDS = 600
SHAPES = ("steady", "ramp", "spike", "soak")

Tick = tuple[int, float] | None


class ShapeError(ValueError):
    """Unknown shape or parameters out of range."""


@dataclass(frozen=True)
class ShapeParams:
    """Peak users, spawn rate (users per second) and duration (seconds; 0 = the shape's default)."""

    users: int
    spawn_rate: float
    duration: float

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ShapeError(f"a shape needs at least 1 user, got {self.users}")
        if not self.spawn_rate > 0:
            raise ShapeError(f"spawn rate must be > 0, got {self.spawn_rate}")
        if self.duration < 0:
            raise ShapeError(f"duration must be ≥ 0 seconds, got {self.duration}")


def _steady(p: ShapeParams, t: float, duration: float) -> Tick:
    return (p.users, p.spawn_rate) if t < duration else None


def _ramp(p: ShapeParams, t: float, duration: float) -> Tick:
    if t >= duration:
        return None
    stage = math.floor(t / duration * 10) + 1  # 1..10
    return max(1, math.ceil(p.users * stage / 10)), p.spawn_rate


def _spike(p: ShapeParams, t: float, duration: float) -> Tick:
    if t >= duration:
        return None
    base = max(1, p.users // 4)
    in_spike = 0.4 * duration <= t < 0.6 * duration
    return (p.users if in_spike else base), p.spawn_rate


_PROFILES: dict[str, Callable[[ShapeParams, float, float], Tick]] = {
    "steady": _steady, "ramp": _ramp, "spike": _spike, "soak": _steady,
}

_DEFAULT_DURATION = {"steady": 60.0, "ramp": 120.0, "spike": 60.0, "soak": float(SOAK_DEFAULT_SECONDS)}


def profile(name: str, params: ShapeParams, elapsed: float) -> Tick:
    """Users and spawn rate wanted ``elapsed`` seconds into a run of shape ``name`` (``None``: stop)."""
    try:
        shape = _PROFILES[name]
    except KeyError:
        raise ShapeError(f"unknown shape {name!r}; known: {', '.join(SHAPES)}") from None
    duration = params.duration or _DEFAULT_DURATION[name]
    return shape(params, max(0.0, elapsed), duration)
