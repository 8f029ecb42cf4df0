""":class:`RedisClock`: the virtual clock with its offsets in Redis, shared by every worker process.

A test that advances the clock through one worker must see records expire through any other, so the
global and per-session offsets live in one Redis hash instead of process memory.  Every mutation is
one Lua script (read, bound-check, write as one step), so two workers advancing at once both count.

Reading costs one round trip, so within one request the offsets are read once and kept on
``flask.g``: a handler that asks for "now" ten times pays for one ``HMGET``.  That is as if a clock
move made by another worker meanwhile had landed just after this request started; a move made in
this process drops the cache at once, so an admin call sees its own change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import redis
from flask import g, has_app_context

from ..clock import MAX_SHIFT_SECONDS, ClockError, VirtualClock, _check_seconds
from ..isolation import current_session
from .connection import KeySpace, StoreUnavailableError

__all__ = ["RedisClock"]

GLOBAL_FIELD = "global"

# KEYS: clock hash; ARGV: op, field, value, max.  Offsets are written with 17 significant digits so
# they survive the trip through Lua's doubles exactly.
_SCRIPT = r"""
local H, op, field, value, max = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
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


def _field(session: str) -> str:
    return f"s:{session}"


class RedisClock(VirtualClock):
    """A :class:`VirtualClock` whose offsets are shared through Redis (same API and rules)."""

    def __init__(self, client: redis.Redis, keys: KeySpace,
                 real_time: Callable[[], float] = time.time) -> None:
        super().__init__(real_time)
        self._redis = client
        self._hash = keys.clock
        self._script = client.register_script(_SCRIPT)
        self._cache_name = f"_rsim_clock_{id(self)}"

    # ---------------------------------------------------------------- shared offsets

    def _cache(self) -> dict[str, tuple[float, float]] | None:
        if not has_app_context():
            return None
        cache = g.get(self._cache_name)
        if cache is None:
            cache = {}
            setattr(g, self._cache_name, cache)
        return cache  # type: ignore[no-any-return]

    def _drop_cache(self) -> None:
        if has_app_context():
            g.pop(self._cache_name, None)

    def _shared_offsets(self, session: str) -> tuple[float, float]:
        """``(global offset, session offset)``, read once per request."""
        cache = self._cache()
        if cache is not None and session in cache:
            return cache[session]
        try:
            raw_global, raw_session = self._redis.hmget(self._hash, [GLOBAL_FIELD, _field(session)])
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"virtual clock (Redis) unreachable: {exc}") from None
        offsets = (float(raw_global or 0.0), float(raw_session or 0.0))
        if cache is not None:
            cache[session] = offsets
        return offsets

    def _mutate(self, op: str, field: str, value: float) -> None:
        self._drop_cache()
        try:
            args = [op, field, repr(value), repr(MAX_SHIFT_SECONDS)]
            status, new = self._script(keys=[self._hash], args=args)
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"virtual clock (Redis) unreachable: {exc}") from None
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
        field = GLOBAL_FIELD if scope == "global" else _field(self._key(session, scope))
        self._mutate("advance", field, delta)

    def set(self, when: datetime | float, session: str | None = None, *, scope: str = "session") -> None:
        self._check_mover_scope(scope)
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ClockError("clock set needs a timezone-aware datetime")
            target = when.timestamp()
        else:
            target = _check_seconds(when, "timestamp")
        field = GLOBAL_FIELD if scope == "global" else _field(self._key(session, scope))
        self._mutate("set", field, target - self._real_time())

    def reset(self, session: str | None = None, *, scope: str = "session") -> None:
        self._drop_cache()
        try:
            if scope == "all":
                self._redis.delete(self._hash)
            elif scope == "global":
                self._redis.hdel(self._hash, GLOBAL_FIELD)
            else:
                self._redis.hdel(self._hash, _field(self._key(session, scope)))
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"virtual clock (Redis) unreachable: {exc}") from None
