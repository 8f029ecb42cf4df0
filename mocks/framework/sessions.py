"""Idle isolation sessions expire: everything a session left behind is swept after a real-time idle timeout.

Why
---
Every scenario (a pytest case, a locust journey) runs in its own ``X-Sim-Session`` world and leaves
its state there when it ends: store records, journal entries, a clock offset, random streams, fault
match counts, party backends.  Record TTLs run on the *virtual* clock with retention periods of days,
so nothing would ever expire during a load test and a soak would grow without bound.  Mocks such as
moto or WireMock keep state until it is reset; a simulator that serves thousands of short-lived
worlds must also forget the ones nobody uses any more.

The rule (decided here)
-----------------------
* A session is **active** while requests name it; any request counts, the admin API's included.
  Activity is measured in **real** time (moving a session's virtual clock does not age it).
* A session idle for longer than ``MockConfig.session_idle_timeout`` seconds (default 600; ``0`` =
  never) is **swept entirely**, exactly like ``POST /_admin/reset`` of that session with the journal:
  records, verdicts, transitions, clock offset, random streams, session-scoped fault rules and counts,
  party backends (reset hooks) and the session's journal entries.  A later request naming it starts a
  fresh world, as after a reset.
* The ``default`` session never expires unless ``expire_default_session`` is set: ad-hoc use
  without the header (curl, a demo) keeps its state.
* The sweep is periodic, not per request: a request costs one dict assignment (:meth:`touch`); a
  sweep every :func:`sweep_interval` seconds (a tenth of the timeout, between 0.5 s and 60 s) walks
  the sessions seen since the last sweep.  So a session goes between ``timeout`` and ``timeout +
  interval`` seconds after its last request.  One daemon thread per process runs the sweeps of every
  mock app (held weakly, so a discarded app is not kept alive).
* A request that arrives for a session at the very moment it is swept may find it already fresh -
  the same as a request arriving just after a reset.
* After a sweep that dropped something, glibc's ``malloc_trim`` hands freed heap pages back to the
  OS (at most every 30 s).  A modest gain: in the soak benchmark the plateau was a few MB lower,
  within the run-to-run noise; the sweep itself is what keeps memory flat.

Several worker processes (``store="redis"``): each worker notes its own requests and, every interval,
publishes them to a sorted set in Redis (session -> last request time) and refreshes a real Redis
expiry (``PEXPIRE`` of timeout + interval) on the session's record and random-stream keys, so those
vanish even if no worker is left to sweep.  One worker at a time (a lock key with an expiry) sweeps
the sessions whose newest time in the set is older than the timeout - across every worker, since
each publishes at least once per interval, which is shorter than the timeout.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
import time
import weakref
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from .isolation import DEFAULT_SESSION

if TYPE_CHECKING:
    import redis

    from .redis_store.connection import KeySpace
    from .runtime import MockRuntime

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "MAX_IDLE_TIMEOUT",
    "RedisSessionActivity",
    "SessionActivity",
    "SessionSweeper",
    "build_sweeper",
    "sweep_interval",
]

log = logging.getLogger(__name__)

#: Default idle timeout of a session, in real seconds.
DEFAULT_IDLE_TIMEOUT = 600.0
#: Largest accepted idle timeout (a week); ``0`` means "never".
MAX_IDLE_TIMEOUT = 7 * 86400.0
TimeSource = Callable[[], float]


def sweep_interval(idle_timeout: float) -> float:
    """Seconds between two sweeps for ``idle_timeout``: a tenth of it, kept within 0.5 s .. 60 s."""
    return min(60.0, max(0.5, idle_timeout / 10.0))


class _HeapTrim:
    """Hand heap pages freed by a sweep back to the OS (glibc ``malloc_trim``), at most every ``every`` s.

    A sweep frees thousands of small objects at once; the C heaps of the server's threads may keep
    the freed pages mapped.  Elsewhere than glibc this does nothing.
    """

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self._last = float("-inf")
        self._lock = threading.Lock()
        self._fn: Callable[[int], int] | None = None
        if sys.platform.startswith("linux"):
            try:
                self._fn = ctypes.CDLL(None).malloc_trim
            except (OSError, AttributeError):
                self._fn = None

    def __call__(self) -> bool:
        if self._fn is None:
            return False
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.every:
                return False
            self._last = now
        self._fn(0)
        return True


_TRIM_HEAP = _HeapTrim()


class SessionActivity:
    """When each session last had a request in this process (real POSIX seconds).

    :meth:`touch` is one dict assignment (atomic under the GIL, no lock), cheap enough for every
    request; the sweeper copies the dict under its own lock.
    """

    def __init__(self, clock: TimeSource = time.time) -> None:
        self.clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def touch(self, session: str) -> None:
        self._seen[session] = self.clock()

    def last_seen(self, session: str) -> float | None:
        return self._seen.get(session)

    def idle_before(self, cutoff: float) -> list[str]:
        """Sessions whose last request is at or before ``cutoff``."""
        with self._lock:
            snapshot = self._seen.copy()
        return sorted(s for s, seen in snapshot.items() if seen <= cutoff)

    def still_idle(self, session: str, cutoff: float) -> bool:
        """Re-check just before sweeping: a request may have come in since :meth:`idle_before`."""
        seen = self._seen.get(session)
        return seen is None or seen <= cutoff

    def forget(self, sessions: Collection[str], cutoff: float) -> None:
        """Drop swept sessions, unless a request touched one again after ``cutoff``."""
        with self._lock:
            for session in sessions:
                seen = self._seen.get(session)
                if seen is not None and seen <= cutoff:
                    del self._seen[session]

    def publish(self) -> None:
        """Share this process's activity with other workers (nothing to do in one process)."""

    def try_lead(self, hold: float) -> bool:
        """Whether this process sweeps the sessions other workers saw, this round (none to sweep here)."""
        return False

    def release_lead(self) -> None:
        """End this round's lead (see :meth:`try_lead`)."""

    def shared_idle_before(self, cutoff: float) -> list[str]:
        """Sessions idle since ``cutoff`` in every worker (only this process's, in one process)."""
        return []

    def __len__(self) -> int:
        return len(self._seen)


class RedisSessionActivity(SessionActivity):
    """Activity shared by the worker processes of one mock through a Redis sorted set.

    Keys (see :mod:`.redis_store.connection` for the layout): ``<base>:sessions`` (zset session ->
    newest request time any worker published) and ``<base>:session-sweep-lock`` (the worker that
    sweeps this round).  :meth:`publish` also refreshes the real Redis expiry of the session's
    record hashes and random streams, so they expire even with no worker left to sweep them.
    """

    def __init__(self, client: redis.Redis, keys: KeySpace, key_ttl: float,
                 clock: TimeSource = time.time) -> None:
        super().__init__(clock)
        self._client = client
        self._keys = keys
        self._zset = f"{keys.base}:sessions"
        self._lock_key = f"{keys.base}:session-sweep-lock"
        self._key_ttl_ms = max(1, int(key_ttl * 1000))
        self._published: dict[str, float] = {}

    def publish(self) -> None:
        with self._lock:
            fresh = {s: t for s, t in self._seen.copy().items() if self._published.get(s) != t}
        if not fresh:
            return
        with self._client.pipeline(transaction=False) as pipe:
            pipe.zadd(self._zset, fresh, gt=True)
            for session in fresh:
                for name in (self._keys.data(session), self._keys.expiry(session), self._keys.rng(session)):
                    pipe.pexpire(name, self._key_ttl_ms)
            pipe.execute()
        with self._lock:
            self._published.update(fresh)

    def shared_idle_before(self, cutoff: float) -> list[str]:
        shared = self._client.zrangebyscore(self._zset, "-inf", cutoff)
        return sorted(str(s) for s in shared)

    def still_idle(self, session: str, cutoff: float) -> bool:
        local = self._seen.get(session)
        if local is not None and local > cutoff:
            return False
        score = self._client.zscore(self._zset, session)
        return score is None or float(score) <= cutoff

    def forget(self, sessions: Collection[str], cutoff: float) -> None:
        super().forget(sessions, cutoff)
        with self._lock:
            for session in sessions:
                self._published.pop(session, None)
        if sessions:
            # Only entries still at or before the cutoff: a worker may have published a newer time.
            script = ("for _, s in ipairs(ARGV) do local t = redis.call('ZSCORE', KEYS[1], s) "
                      "if t and tonumber(t) <= tonumber(KEYS[2]) then redis.call('ZREM', KEYS[1], s) end end")
            self._client.eval(script, 2, self._zset, repr(cutoff), *sessions)

    def try_lead(self, hold: float) -> bool:
        return bool(self._client.set(self._lock_key, "1", nx=True, px=max(1, int(hold * 1000))))

    def release_lead(self) -> None:
        self._client.delete(self._lock_key)

    def __len__(self) -> int:
        return int(self._client.zcard(self._zset))


class SessionSweeper:
    """Sweeps the sessions of one mock runtime that have been idle longer than ``idle_timeout``.

    :meth:`sweep` does one pass now (tests call it with an injected clock); :meth:`start` registers
    the sweeper with the process's sweeping thread, which calls :meth:`sweep` every ``interval``.
    """

    def __init__(self, runtime: MockRuntime, activity: SessionActivity, idle_timeout: float, *,
                 expire_default: bool = False, interval: float | None = None) -> None:
        if idle_timeout <= 0:
            raise ValueError("a sweeper needs a positive idle timeout (0 means: build none)")
        self._runtime = weakref.ref(runtime)
        self.activity = activity
        self.idle_timeout = float(idle_timeout)
        self.interval = sweep_interval(idle_timeout) if interval is None else float(interval)
        self.expire_default = expire_default
        self.swept_total = 0
        self._next_due = activity.clock() + self.interval
        self._lock = threading.Lock()

    def touch(self, session: str) -> None:
        """Note a request for ``session`` (called by the app for every request)."""
        self.activity.touch(session)

    def sweep(self, now: float | None = None) -> list[str]:
        """Sweep every session idle since before ``now - idle_timeout``; returns the swept sessions."""
        runtime = self._runtime()
        if runtime is None:
            return []
        with self._lock:
            now = self.activity.clock() if now is None else now
            self._next_due = now + self.interval
            self.activity.publish()
            cutoff = now - self.idle_timeout
            # This process's idle sessions (their party backends live here), and - by one worker
            # at a time - the idle sessions of every worker.
            candidates = set(self.activity.idle_before(cutoff))
            leading = self.activity.try_lead(max(self.interval, 1.0))
            try:
                if leading:
                    candidates.update(self.activity.shared_idle_before(cutoff))
                swept = self._sweep(runtime, sorted(candidates), cutoff)
            finally:
                if leading:
                    self.activity.release_lead()
            return swept

    def _sweep(self, runtime: MockRuntime, candidates: list[str], cutoff: float) -> list[str]:
        swept: list[str] = []
        for session in candidates:
            if session == DEFAULT_SESSION and not self.expire_default:
                continue
            if not self.activity.still_idle(session, cutoff):
                continue
            runtime.reset(session)
            swept.append(session)
        if swept:
            runtime.journal.clear_sessions(swept)
            self.activity.forget(swept, cutoff)
            self.swept_total += len(swept)
            _TRIM_HEAP()
        return swept

    def due(self, now: float) -> bool:
        return now >= self._next_due

    def sweep_quietly(self) -> None:
        """A background sweep: an error is logged (the next round retries), never raised."""
        try:
            swept = self.sweep()
        except Exception:  # a sweep must never kill the sweeping thread
            log.warning("sweep of idle sessions failed; retrying next round", exc_info=True)
            return
        if swept:
            log.debug("swept %d idle session(s)", len(swept))

    def start(self) -> SessionSweeper:
        _SCHEDULER.register(self)
        return self

    def stop(self) -> None:
        _SCHEDULER.unregister(self)


class _Scheduler:
    """One daemon thread per process that runs every registered sweeper when it is due."""

    TICK = 0.5

    def __init__(self) -> None:
        self._sweepers: weakref.WeakSet[SessionSweeper] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def register(self, sweeper: SessionSweeper) -> None:
        with self._lock:
            self._sweepers.add(sweeper)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="rsim-session-sweeper", daemon=True)
                self._thread.start()

    def unregister(self, sweeper: SessionSweeper) -> None:
        with self._lock:
            self._sweepers.discard(sweeper)

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK)
            self.tick()

    def tick(self) -> int:
        """Run every sweeper that is due; returns how many ran."""
        with self._lock:
            sweepers = list(self._sweepers)
        ran = 0
        for sweeper in sweepers:
            if sweeper.due(sweeper.activity.clock()):
                sweeper.sweep_quietly()
                ran += 1
        return ran  # no strong reference kept between ticks: a discarded app can be collected


_SCHEDULER = _Scheduler()


def build_sweeper(runtime: MockRuntime) -> SessionSweeper | None:
    """The sweeper the runtime's config asks for (``None`` when ``session_idle_timeout`` is 0), started."""
    config = runtime.config
    timeout = config.session_idle_timeout
    if timeout <= 0:
        return None
    activity: SessionActivity
    if config.store == "redis":
        from .redis_store.connection import KeySpace, client_for

        interval = sweep_interval(timeout)
        activity = RedisSessionActivity(client_for(config.redis_url),
                                        KeySpace(config.redis_prefix, runtime.party.name),
                                        key_ttl=timeout + 2 * interval)
    else:
        activity = SessionActivity()
    return SessionSweeper(runtime, activity, timeout, expire_default=config.expire_default_session).start()
