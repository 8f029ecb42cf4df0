""":class:`RedisClock`: the virtual clock with its offsets in Redis, shared by every worker process.

A test that advances the clock through one worker must see records expire through any other, so the
global and per-session offsets live in the control hash (:mod:`.control`) instead of process memory.
Reading costs at most one ``HMGET`` per request, shared with the random source and the fault rules
(usually none: workers keep what they read until Redis reports a change, see :mod:`.control`);
every move is one Lua script (read, bound-check, write as one step), so two workers advancing at
once both count, and ends once every worker has been told.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from ..clock import MAX_SHIFT_SECONDS, ClockError, VirtualClock, _check_seconds
from ..isolation import current_session
from .control import FAULTS_FIELD, GLOBAL_FIELD, SEED_FIELD, SharedControl, session_field

__all__ = ["RedisClock"]

# KEYS: control hash; ARGV: op, field, value, max.  Offsets are written with 17 significant digits
# so they survive the trip through Lua's doubles exactly.  'clear' drops every offset, keeping the
# fields named in ARGV[2] and ARGV[3] (the seed and the fault-rule version).
_SCRIPT = r"""
local H, op, field = KEYS[1], ARGV[1], ARGV[2]
if op == 'clear' then
  for _, k in ipairs(redis.call('HKEYS', H)) do
    if k ~= ARGV[2] and k ~= ARGV[3] then redis.call('HDEL', H, k) end
  end
  return {'ok', '0'}
end
local value, max = tonumber(ARGV[3]), tonumber(ARGV[4])
local g = tonumber(redis.call('HGET', H, 'global') or '0')
local new, total
if op == 'advance' then
  new = tonumber(redis.call('HGET', H, field) or '0') + value
elseif op == 'set' then
  -- value: target minus real time; a session offset is relative to the global one
  if field == 'global' then new = value else new = value - g end
else
  return redis.error_reply('unknown clock op ' .. tostring(op))
end
if field == 'global' or op == 'set' then total = new else total = g + new end
if math.abs(total) > max or math.abs(new) > max then return {'range', string.format('%.17g', new)} end
redis.call('HSET', H, field, string.format('%.17g', new))
return {'ok', string.format('%.17g', new)}
"""


class RedisClock(VirtualClock):
    """A :class:`VirtualClock` whose offsets are shared through Redis (same API and rules)."""

    def __init__(self, control: SharedControl, real_time: Callable[[], float] = time.time) -> None:
        super().__init__(real_time)
        self._control = control
        self._script = control.client.register_script(_SCRIPT)

    def _shared_offsets(self, session: str) -> tuple[float, float]:
        snap = self._control.snapshot(session)
        return snap.global_offset, snap.session_offset

    def _mutate(self, op: str, field: str, value: float | str = 0.0) -> None:
        self._control.drop_cache()
        args = [op, field, value if isinstance(value, str) else repr(value), repr(MAX_SHIFT_SECONDS)]
        reply: list[str] = self._control.guard(lambda: self._script(keys=[self._control.key], args=args))
        self._control.changed()
        status, new = reply
        if status != "ok":
            raise ClockError(f"clock offset would exceed ±{MAX_SHIFT_SECONDS:.0f} s (got {float(new):.0f} s)")

    # ---------------------------------------------------------------- reading

    def timestamp(self, session: str | None = None) -> float:
        key = current_session() if session is None else session
        global_offset, session_offset = self._shared_offsets(key)
        return self._real_time() + global_offset + session_offset

    def offset(self, session: str | None = None) -> float:
        key = current_session() if session is None else session
        global_offset, session_offset = self._shared_offsets(key)
        return global_offset + session_offset

    def state(self, session: str | None = None) -> dict[str, object]:
        key = current_session() if session is None else session
        global_offset, session_offset = self._shared_offsets(key)
        ts = self._real_time() + global_offset + session_offset
        return {
            "session": key,
            "now": datetime.fromtimestamp(ts, tz=UTC).isoformat(),
            "timestamp": ts,
            "globalOffsetSeconds": global_offset,
            "sessionOffsetSeconds": session_offset,
        }

    # ---------------------------------------------------------------- moving

    def advance(self, seconds: float, session: str | None = None, *, scope: str = "session") -> None:
        self._check_mover_scope(scope)
        delta = _check_seconds(seconds, "advance")
        if delta < 0:
            raise ClockError("advance must be ≥ 0 seconds; use set to move the clock backwards")
        field = GLOBAL_FIELD if scope == "global" else session_field(self._key(session, scope))
        self._mutate("advance", field, delta)

    def set(self, when: datetime | float, session: str | None = None, *, scope: str = "session") -> None:
        self._check_mover_scope(scope)
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ClockError("clock set needs a timezone-aware datetime")
            target = when.timestamp()
        else:
            target = _check_seconds(when, "timestamp")
        field = GLOBAL_FIELD if scope == "global" else session_field(self._key(session, scope))
        self._mutate("set", field, target - self._real_time())

    def reset(self, session: str | None = None, *, scope: str = "session") -> None:
        if scope == "all":
            self._mutate("clear", SEED_FIELD, FAULTS_FIELD)
            return
        field = GLOBAL_FIELD if scope == "global" else session_field(self._key(session, scope))
        self._control.drop_cache()
        self._control.guard(lambda: self._control.client.hdel(self._control.key, field))
        self._control.changed()
