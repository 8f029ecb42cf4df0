"""The control hash: what every request needs first (clock offsets, seed, fault version), in one read.

Fields of ``<prefix>:<party>:control``: ``global`` (global clock offset), ``s:<session>`` (a
session's clock offset), ``seed`` (the shared seed as JSON, ``null`` when unseeded) and ``faults``
(a version bumped on every fault-rule change).  A request reads its session's four fields with one
``HMGET`` and keeps them on ``flask.g`` for the rest of the request, so the clock, the random
source and the fault rules together cost one round trip per request, whatever the handler asks
(the rules themselves are reloaded only when their version moved).  That is as if a change made
meanwhile by another worker had landed just after the request started; a change made in this
process drops the cache at once, so an admin call sees its own change.  Outside a request every
read goes to Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from flask import g, has_app_context

from .connection import KeySpace, StoreUnavailableError, pinned

__all__ = ["FAULTS_FIELD", "GLOBAL_FIELD", "SEED_FIELD", "ControlSnapshot", "SharedControl", "session_field"]

_T = TypeVar("_T")
GLOBAL_FIELD = "global"
SEED_FIELD = "seed"
FAULTS_FIELD = "faults"


def session_field(session: str) -> str:
    return f"s:{session}"


@dataclass(frozen=True)
class ControlSnapshot:
    """One session's view of the control hash."""

    global_offset: float
    session_offset: float
    seed_json: str
    faults_version: int = 0


class SharedControl:
    """Reads (cached per request) and names of one mock's control hash."""

    def __init__(self, client: redis.Redis, keys: KeySpace) -> None:
        self.client = client
        self.commands = pinned(client)
        self.key = keys.control
        self._cache_name = f"_rsim_control_{id(self)}"

    def snapshot(self, session: str) -> ControlSnapshot:
        cache: dict[str, ControlSnapshot] | None = None
        if has_app_context():
            cache = g.get(self._cache_name)
            if cache is None:
                cache = {}
                setattr(g, self._cache_name, cache)
            hit = cache.get(session)
            if hit is not None:
                return hit
        fields = [GLOBAL_FIELD, session_field(session), SEED_FIELD, FAULTS_FIELD]
        values = self.guard(lambda: self.commands.execute("HMGET", self.key, *fields))
        raw_global, raw_session, raw_seed, raw_faults = (None if v is None else str(v) for v in values)
        snap = ControlSnapshot(float(raw_global or 0.0), float(raw_session or 0.0), raw_seed or "null",
                               int(raw_faults or 0))
        if cache is not None:
            cache[session] = snap
        return snap

    def drop_cache(self) -> None:
        """Forget this request's snapshot (after this process changed the hash)."""
        if has_app_context():
            g.pop(self._cache_name, None)

    @staticmethod
    def guard(fn: Callable[[], _T]) -> _T:
        """Run one Redis call; an unreachable server becomes a typed 503 instead of a crash."""
        try:
            return fn()
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"shared clock/seed (Redis) unreachable: {exc}") from None
