""":class:`RedisRandomSource`: seeded randomness that stays reproducible, and collision-free, across workers.

With one process, a session's generator is created once and drawn from in request order.  With
several workers each would hold its own copy of the same seeded stream, so two workers would hand
out the *same* ids and OTPs.  Here every ``for_session`` call instead gets a fresh generator seeded by
``SHA-256(seed, purpose, session, n)``, where ``n`` counts (in Redis, atomically) the streams that
session and purpose have had: requests sent one after another draw the same values on every run,
whichever worker serves them, and concurrent requests never share a stream.  The seed lives in the
control hash (:mod:`.control`), so ``POST /_admin/seed`` through one worker reseeds them all, and
reading it rides on the request's control snapshot.  Unseeded, every call is backed by the OS
CSPRNG and costs no round trip.
"""

from __future__ import annotations

import hashlib
import json
import random as _random
from collections.abc import Sequence

from ..random import RandomSource
from .connection import KeySpace, StoreUnavailableError, unlink_matching
from .control import SEED_FIELD, SharedControl

__all__ = ["RedisRandomSource"]


class RedisRandomSource(RandomSource):
    """A :class:`RandomSource` whose seed and stream counters are shared through Redis."""

    def __init__(self, control: SharedControl, keys: KeySpace, seed: int | str | None = None) -> None:
        super().__init__(seed)
        self._control = control
        self._keys = keys
        self._system = _random.SystemRandom()
        # The first worker up publishes the configured seed; later ones (and respawns) keep the live one.
        control.guard(lambda: control.client.hsetnx(control.key, SEED_FIELD, json.dumps(seed)))
        control.changed()

    def _shared_seed(self, session: str = "default") -> int | str | None:
        return json.loads(self._control.snapshot(session).seed_json)  # type: ignore[no-any-return]

    @property
    def seeded(self) -> bool:
        return self._shared_seed() is not None

    @property
    def seed(self) -> int | str | None:
        return self._shared_seed()

    def for_session(self, session: str, purpose: str = "ids") -> _random.Random:
        seed = self._shared_seed(session)
        if seed is None:
            return self._system
        key = self._keys.rng(session)
        n = self._control.guard(lambda: self._control.commands.execute("HINCRBY", key, purpose, 1))
        material = f"{seed!r}\x00{purpose}\x00{session}\x00{n}".encode()
        return _random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))

    def for_session_many(self, session: str, purposes: Sequence[str]) -> list[_random.Random]:
        """``[for_session(session, p) for p in purposes]`` with the stream counters counted in one
        pipelined round trip instead of one each (distinct purposes: each counter moves by one, as
        it would one call at a time)."""
        if len(set(purposes)) != len(purposes):
            raise ValueError("purposes must be distinct")
        seed = self._shared_seed(session)
        if seed is None:
            return [self._system for _ in purposes]
        key = self._keys.rng(session)
        counts = self._control.guard(lambda: self._control.commands.pipeline(
            [("HINCRBY", key, purpose, 1) for purpose in purposes]))
        streams = []
        for purpose, n in zip(purposes, counts, strict=True):
            if isinstance(n, Exception):
                raise StoreUnavailableError(f"shared random streams (Redis) refused a count: {n}")
            material = f"{seed!r}\x00{purpose}\x00{session}\x00{n}".encode()
            streams.append(_random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big")))
        return streams

    def reset(self, session: str | None = None) -> None:
        """Restart the streams of one session (or all): the next draws replay the first ones."""
        client = self._control.client
        if session is not None:
            self._control.guard(lambda: client.delete(self._keys.rng(session)))
            return
        self._control.guard(lambda: unlink_matching(client, self._keys.rng_pattern()))

    def reseed(self, seed: int | str | None) -> None:
        """Replace the shared seed and restart every stream of every worker."""
        client = self._control.client
        self._control.drop_cache()
        self._control.guard(lambda: client.hset(self._control.key, SEED_FIELD, json.dumps(seed)))
        self._control.changed()
        self.reset()
