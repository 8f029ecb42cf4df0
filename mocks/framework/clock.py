"""The virtual clock: the only source of "now" for every model.

Time = real wall-clock time + a global offset + an offset per isolation key.  Tests move time with the
admin API (advance by N seconds, set to an instant, reset) instead of sleeping through an OTP's five
minutes; each session can be moved on its own without disturbing parallel scenarios.  The real-time
source is injectable so unit tests can freeze it.

Offsets live in this process.  Several worker processes sharing a Redis store would each need the
same offsets; that is a known limit of the in-process clock, not of its interface.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from .errors import MockError
from .isolation import current_session

__all__ = ["MAX_SHIFT_SECONDS", "ClockError", "VirtualClock"]

#: Largest offset the clock accepts (about 100 years): beyond it ``datetime`` overflows.
MAX_SHIFT_SECONDS = 100 * 366 * 86400.0


class ClockError(MockError):
    """An invalid clock operation (non-finite or out-of-range value, backwards advance)."""

    kind = "validation"


def _check_seconds(value: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClockError(f"{what} must be a number of seconds, got {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or abs(seconds) > MAX_SHIFT_SECONDS:
        raise ClockError(f"{what} must be finite and within ±{MAX_SHIFT_SECONDS:.0f} s, got {value!r}")
    return seconds


class VirtualClock:
    """Real time plus a global offset plus a per-session offset; thread-safe.

    ``session=None`` in any method means "the current request's session" (``default`` outside a
    request); pass ``GLOBAL`` semantics via the ``scope="global"`` argument of the mutators.
    """

    def __init__(self, real_time: Callable[[], float] = time.time) -> None:
        self._real_time = real_time
        self._lock = threading.Lock()
        self._global_offset = 0.0
        self._offsets: dict[str, float] = {}

    # ---------------------------------------------------------------- reading

    def timestamp(self, session: str | None = None) -> float:
        """Virtual POSIX timestamp (seconds) for ``session``."""
        key = current_session() if session is None else session
        with self._lock:
            return self._real_time() + self._global_offset + self._offsets.get(key, 0.0)

    def now(self, session: str | None = None) -> datetime:
        """Virtual time for ``session`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(session), tz=UTC)

    def real_timestamp(self) -> float:
        """The unshifted time source, for journal entries that record both."""
        return self._real_time()

    def offset(self, session: str | None = None) -> float:
        """Total offset (global + session) in seconds."""
        key = current_session() if session is None else session
        with self._lock:
            return self._global_offset + self._offsets.get(key, 0.0)

    def state(self, session: str | None = None) -> dict[str, object]:
        """JSON-able view used by the admin API."""
        key = current_session() if session is None else session
        with self._lock:
            session_offset = self._offsets.get(key, 0.0)
            total = self._global_offset + session_offset
            ts = self._real_time() + total
        return {
            "session": key,
            "now": datetime.fromtimestamp(ts, tz=UTC).isoformat(),
            "timestamp": ts,
            "globalOffsetSeconds": self._global_offset,
            "sessionOffsetSeconds": session_offset,
        }

    # ---------------------------------------------------------------- moving

    def advance(self, seconds: float, session: str | None = None, *, scope: str = "session") -> None:
        """Move time forward by ``seconds`` (≥ 0) for one session, or for all with ``scope="global"``.

        Backwards moves are refused here (use :meth:`set`), so "advance" can never resurrect an
        expired record by accident.
        """
        self._check_mover_scope(scope)
        delta = _check_seconds(seconds, "advance")
        if delta < 0:
            raise ClockError("advance must be ≥ 0 seconds; use set to move the clock backwards")
        with self._lock:
            if scope == "global":
                self._check_total(self._global_offset + delta)
                self._global_offset += delta
            else:
                key = self._key(session, scope)
                new = self._offsets.get(key, 0.0) + delta
                self._check_total(self._global_offset + new)
                self._offsets[key] = new

    def set(self, when: datetime | float, session: str | None = None, *, scope: str = "session") -> None:
        """Make ``now()`` equal ``when`` (aware datetime or POSIX seconds) for a session or globally.

        Setting a session does not touch the global offset; setting globally keeps each session's
        own offset relative to the new global time.
        """
        self._check_mover_scope(scope)
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ClockError("clock set needs a timezone-aware datetime")
            target = when.timestamp()
        else:
            target = _check_seconds(when, "timestamp")
        with self._lock:
            real = self._real_time()
            if scope == "global":
                offset = _check_seconds(target - real, "offset")
                self._global_offset = offset
            else:
                key = self._key(session, scope)
                offset = _check_seconds(target - real - self._global_offset, "offset")
                self._offsets[key] = offset

    def reset(self, session: str | None = None, *, scope: str = "session") -> None:
        """Drop a session's offset, or every offset (global included) with ``scope="all"``."""
        with self._lock:
            if scope == "all":
                self._global_offset = 0.0
                self._offsets.clear()
            elif scope == "global":
                self._global_offset = 0.0
            else:
                self._offsets.pop(self._key(session, scope), None)

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _key(session: str | None, scope: str) -> str:
        if scope not in ("session", "global", "all"):
            raise ClockError(f"unknown clock scope {scope!r}; use session, global or all")
        return current_session() if session is None else session

    @staticmethod
    def _check_mover_scope(scope: str) -> None:
        if scope not in ("session", "global"):
            raise ClockError(f"advance and set take scope session or global, not {scope!r}")

    @staticmethod
    def _check_total(total: float) -> None:
        if abs(total) > MAX_SHIFT_SECONDS:
            raise ClockError(f"clock offset would exceed ±{MAX_SHIFT_SECONDS:.0f} s")
