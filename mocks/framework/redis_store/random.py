""":class:`RedisRandomSource`: seeded randomness that stays reproducible, and collision-free, across workers.

With one process, a session's generator is created once and drawn from in request order.  With
several workers each would hold its own copy of the same seeded stream, so two workers would hand
out the *same* ids and OTPs.  Here every ``for_session`` call instead gets a fresh generator seeded by
``SHA-256(seed, purpose, session, n)``, where ``n`` counts (in Redis, atomically) the streams that
session and purpose have had: requests sent one after another draw the same values on every run,
whichever worker serves them, and concurrent requests never share a stream.  The seed itself lives
in Redis too, so ``POST /_admin/seed`` through one worker reseeds them all.  Unseeded, every call is
backed by the OS CSPRNG and Redis is not touched.
"""

from __future__ import annotations

import hashlib
import json
import random as _random
from typing import Any

import redis

from ..random import RandomSource
from .connection import KeySpace, StoreUnavailableError, unlink_matching

__all__ = ["RedisRandomSource"]

# KEYS: seed, the session's counters; ARGV: purpose.  Returns the seed JSON and the stream number (or nil).
_NEXT = r"""
local seed = redis.call('GET', KEYS[1])
if (not seed) or seed == 'null' then return {seed or 'null', false} end
return {seed, tostring(redis.call('HINCRBY', KEYS[2], ARGV[1], 1))}
"""


class RedisRandomSource(RandomSource):
    """A :class:`RandomSource` whose seed and stream counters are shared through Redis."""

    def __init__(self, client: redis.Redis, keys: KeySpace, seed: int | str | None = None) -> None:
        super().__init__(seed)
        self._redis = client
        self._keys = keys
        self._next = client.register_script(_NEXT)
        self._system = _random.SystemRandom()
        # The first worker up publishes the configured seed; later ones (and respawns) keep the live one.
        self._guard(lambda: client.set(keys.seed, json.dumps(seed), nx=True))

    def _guard(self, fn: Any) -> Any:
        try:
            return fn()
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"random source (Redis) unreachable: {exc}") from None

    def _shared_seed(self) -> int | str | None:
        raw = self._guard(lambda: self._redis.get(self._keys.seed))
        return None if raw is None else json.loads(raw)

    @property
    def seeded(self) -> bool:
        return self._shared_seed() is not None

    @property
    def seed(self) -> int | str | None:
        return self._shared_seed()

    def for_session(self, session: str, purpose: str = "ids") -> _random.Random:
        keys = [self._keys.seed, self._keys.rng(session)]
        raw_seed, n = self._guard(lambda: self._next(keys=keys, args=[purpose]))
        if n is None:
            return self._system
        material = f"{json.loads(raw_seed)!r}\x00{purpose}\x00{session}\x00{n}".encode()
        return _random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))

    def reset(self, session: str | None = None) -> None:
        """Restart the streams of one session (or all): the next draws replay the first ones."""
        if session is not None:
            self._guard(lambda: self._redis.delete(self._keys.rng(session)))
            return
        self._guard(lambda: unlink_matching(self._redis, self._keys.rng_pattern()))

    def reseed(self, seed: int | str | None) -> None:
        """Replace the shared seed and restart every stream of every worker."""
        def run() -> None:
            self._redis.set(self._keys.seed, json.dumps(seed))
            unlink_matching(self._redis, self._keys.rng_pattern())

        self._guard(run)
