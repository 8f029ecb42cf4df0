"""The control hash: what every request needs first (clock offsets, seed, fault version), in one read.

Fields of ``<prefix>:<party>:control``: ``global`` (global clock offset), ``s:<session>`` (a
session's clock offset), ``seed`` (the shared seed as JSON, ``null`` when unseeded) and ``faults``
(a version bumped on every fault-rule change).  A request reads its session's four fields once and
keeps them on ``flask.g`` for the rest of the request, so the clock, the random source and the
fault rules agree for the whole request (the rules themselves are reloaded only when their version
moved).  That is as if a change made meanwhile by another worker had landed just after the request
started; a change made in this process drops the cache at once, so an admin call sees its own
change.  Outside a request every read goes to Redis.

Between requests, each worker keeps the snapshots it read, and Redis tells it when the hash changes
(server-assisted client-side caching: the worker reads the hash on a connection with ``CLIENT
TRACKING on``, and Redis pushes an invalidation on that connection when the hash changes - RESP3,
the client's default protocol; a RESP2 client simply reads every request).  The hash changes rarely
(an admin call), so a request usually costs a non-blocking look at that socket instead of a round
trip.  Every
change made through :class:`SharedControl` ends with :meth:`SharedControl.changed`, a ``PING`` that
returns only after Redis has written the invalidation to every worker's socket - so once the admin
call that made a change has answered, the next request to any worker finds the invalidation
waiting and reads the hash afresh.  If the connection breaks (server restart, ``CLIENT KILL``), the
worker drops its snapshots and reads the hash on every request until it has tracking again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
from flask import g, has_app_context

from .connection import KeySpace, StoreUnavailableError, direct, fork_count, new_connection

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


class _Tracking:
    """This process's tracked connection to the control hash (see the module docstring)."""

    #: After tracking broke (or could not start), how long to read the hash per request before retrying.
    RETRY_SECONDS = 1.0

    def __init__(self, client: redis.Redis, key: str) -> None:
        self._client = client
        self._key = key
        self.lock = threading.Lock()
        self._conn: Any = None
        self._forks = -1
        self._retry_at = 0.0
        self.generation = 0  # moves on every invalidation, and whenever tracking breaks or starts
        self.enabled = True  # until a connection says it speaks RESP2 (invalidation pushes need RESP3)

    def _invalidated(self, _message: object) -> None:
        self.generation += 1

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.disconnect()
        self._conn = None
        self.generation += 1

    def _start(self) -> None:
        conn = new_connection(self._client)
        if str(conn.protocol) != "3":
            self.enabled = False
            return
        conn.connect()
        conn._parser.set_invalidation_push_handler(self._invalidated)
        conn.send_command("CLIENT", "TRACKING", "on")
        conn.read_response()
        self._conn, self._forks = conn, fork_count()
        self.generation += 1

    def check(self) -> bool:
        """Take in pending invalidations (lock held); ``True`` when snapshots kept may be trusted."""
        if not self.enabled:
            return False
        if self._conn is not None and self._forks != fork_count():
            self._conn = None  # a fork's copy of the parent's socket
            self.generation += 1
        if self._conn is None:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            try:
                self._start()
            except redis.RedisError:
                self._close()
                self._retry_at = now + self.RETRY_SECONDS
                return False
            if self._conn is None:
                return False
        try:
            # No reply is ever pending here: whatever is readable is an invalidation (or a close,
            # which can_read raises as a ConnectionError).
            while self._conn.can_read(timeout=0):
                self._conn.read_response(push_request=True)
                self.generation += 1
        except (redis.RedisError, OSError):
            self._close()
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
            return False
        return True

    def read(self, fields: list[str]) -> Any:
        """``HMGET`` on the tracked connection (lock held), so the next change is reported.  An
        invalidation that arrives first moves :attr:`generation` through the push handler."""
        try:
            self._conn.send_command("HMGET", self._key, *fields)
            return self._conn.read_response()
        except redis.RedisError:
            self._close()
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
            raise


class SharedControl:
    """Reads (cached per request, and per worker while Redis reports no change) and names of one
    mock's control hash."""

    #: Snapshots kept per worker at most (sessions beyond that are read again; the set starts over).
    MAX_KEPT = 4096

    def __init__(self, client: redis.Redis, keys: KeySpace) -> None:
        self.client = client
        self.commands = direct(client)
        self.key = keys.control
        self._cache_name = f"_rsim_control_{id(self)}"
        self._tracking = _Tracking(client, self.key)
        self._kept: dict[str, ControlSnapshot] = {}
        self._kept_generation = -1

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
        values = self._kept_or_read(session, fields) if cache is not None else None
        if values is None:
            values = self.guard(lambda: self.commands.execute("HMGET", self.key, *fields))
        if isinstance(values, ControlSnapshot):
            snap = values
        else:
            raw_global, raw_session, raw_seed, raw_faults = (None if v is None else str(v) for v in values)
            snap = ControlSnapshot(float(raw_global or 0.0), float(raw_session or 0.0), raw_seed or "null",
                                   int(raw_faults or 0))
        if cache is not None:
            cache[session] = snap
        return snap

    def _kept_or_read(self, session: str, fields: list[str]) -> ControlSnapshot | None:
        """The worker's snapshot if no change was reported since it was read, else a tracked read;
        ``None`` when tracking is down (the caller reads the ordinary way)."""
        tracking = self._tracking
        with tracking.lock:
            if not tracking.check():
                return None
            if self._kept_generation != tracking.generation:
                self._kept.clear()
                self._kept_generation = tracking.generation
            hit = self._kept.get(session)
            if hit is not None:
                return hit
            try:
                values = tracking.read(fields)
            except redis.RedisError:
                return None  # tracking is down for a while; this request reads the ordinary way
            raw_global, raw_session, raw_seed, raw_faults = (None if v is None else str(v) for v in values)
            snap = ControlSnapshot(float(raw_global or 0.0), float(raw_session or 0.0), raw_seed or "null",
                                   int(raw_faults or 0))
            if self._kept_generation != tracking.generation or len(self._kept) >= self.MAX_KEPT:
                # An invalidation came in with the read: the others kept are suspect, this one is not
                # (Redis sent the invalidation before answering the read).
                self._kept.clear()
                self._kept_generation = tracking.generation
            self._kept[session] = snap
            return snap

    def drop_cache(self) -> None:
        """Forget this request's snapshot and the worker's (this process is changing the hash)."""
        if has_app_context():
            g.pop(self._cache_name, None)
        with self._tracking.lock:
            self._kept.clear()

    def changed(self) -> None:
        """After a change to the hash: drop the snapshots, and return only once Redis has sent the
        invalidation to every worker (a ``PING`` is answered in a later turn of Redis's event loop
        than the change, and each turn writes out all pending messages before it ends)."""
        self.drop_cache()
        self.guard(lambda: self.commands.execute("PING"))

    @staticmethod
    def guard(fn: Callable[[], _T]) -> _T:
        """Run one Redis call; an unreachable server becomes a typed 503 instead of a crash."""
        try:
            return fn()
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"shared clock/seed (Redis) unreachable: {exc}") from None
