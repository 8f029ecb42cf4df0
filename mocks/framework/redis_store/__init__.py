"""Shared state in Redis, for a mock served by several worker processes.

``MockConfig(store="redis", redis_url="redis://127.0.0.1:6379/0", redis_prefix="rsim")`` makes the
runtime build its stateful parts from here instead of from process memory:

=================  ==========================================  ===================================
part               shared how                                  module
=================  ==========================================  ===================================
records            :class:`RedisStore` (Lua scripts, atomic)   :mod:`.store`
verdicts           in the store (``_verdict:`` keys)           (framework, unchanged)
transitions        in the store (``_transition:`` keys)        (framework, unchanged)
virtual clock      :class:`RedisClock` (offsets in a hash)     :mod:`.clock`, :mod:`.control`
random streams     :class:`RedisRandomSource` (seed, counts)   :mod:`.random`, :mod:`.control`
request journal    :class:`RedisJournal` (a bounded list)      :mod:`.journal`
fault rules        :class:`RedisFaultInjector` (counted there) :mod:`.faults`, :mod:`.control`
reset              each shared part resets in Redis            (all of the above)
idle sessions      a sorted set ``<base>:sessions`` (session   :mod:`mocks.framework.sessions`
                   -> last request), a sweep lock, and real
                   key expiry on each session's hashes
=================  ==========================================  ===================================

Everything the admin API steers (clock, reset, journal, faults, verdicts, transitions, seed, state)
is shared; party state a party keeps outside the store (a :class:`~mocks.framework.BackendRegistry`)
stays per process, so such a party is not ready for several workers.

Cost per request: the control hash (clock offsets, seed, fault-rule version) usually costs no read
- each worker keeps it while Redis reports no change (client tracking, :mod:`.control`); one script
per store operation the party makes (independent reads and counters in one pipelined round trip,
``batch``; a counter and the record that carries its number, guarded by another record, in one
script, :meth:`RedisStore.put_numbered`), one journal write, and - seeded only - one count per random
stream (several in one round trip with :meth:`RedisRandomSource.for_session_many`).  Each is a
loopback round trip sent directly on a connection of our own (:class:`.connection.DirectCommands`),
~13 µs of client CPU alone, ~60 µs in a busy worker with several threads (a bare Flask handler under
granian, 2 workers x 4 threads, went from 0.15-0.21 to 0.29-0.30 ms of CPU per request when it also
sent two ``PING``), plus the script's time in Redis.  A party with several workers on Redis
therefore spends more CPU per request than one process on the in-memory store; workers buy
parallelism across cores, and shared state is what makes them one mock.

Run a Redis server first, e.g. ``redis-server --port 6379 --save '' --appendonly no`` (Debian package
``redis-server``), or let :func:`.server.start_redis` run a private one; the prefix keeps separate
runs (or test cases) on one server apart.  ``pytest -p mocks.framework.redis_store.pytest_plugin``
runs any mock test suite with every app on Redis (:mod:`.pytest_plugin`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..clock import VirtualClock
from ..faults import FaultInjector
from ..journal import Journal
from ..random import RandomSource
from ..store import StateStore
from .clock import RedisClock
from .connection import KeySpace, StoreUnavailableError, client_for
from .control import SharedControl
from .faults import RedisFaultInjector
from .journal import RedisJournal
from .random import RedisRandomSource
from .store import RedisStore

if TYPE_CHECKING:
    from ..config import MockConfig

__all__ = [
    "KeySpace",
    "RedisClock",
    "RedisFaultInjector",
    "RedisJournal",
    "RedisRandomSource",
    "RedisStore",
    "SharedControl",
    "SharedParts",
    "StoreUnavailableError",
    "build_shared_parts",
    "client_for",
]


class SharedParts(NamedTuple):
    """The stateful parts of a runtime built for the Redis backend."""

    clock: VirtualClock
    random: RandomSource
    store: StateStore
    journal: Journal
    faults: FaultInjector


def build_shared_parts(party: str, config: MockConfig) -> SharedParts:
    """Clock, random source, store, journal and fault rules, all on Redis."""
    client = client_for(config.redis_url)
    keys = KeySpace(config.redis_prefix, party)
    control = SharedControl(client, keys)
    clock = RedisClock(control)
    return SharedParts(
        clock=clock,
        random=RedisRandomSource(control, keys, config.seed),
        store=RedisStore(client, keys, clock.timestamp),
        journal=RedisJournal(control, keys, config.journal_capacity, config.journal_body_limit),
        faults=RedisFaultInjector(control, keys, config.delay_cap),
    )
