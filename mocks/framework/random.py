"""Seedable randomness, one stream per isolation key (and per purpose).

With a configured seed, session ``s`` always gets the same generator state, derived as
``SHA-256(seed, purpose, s)``: the n-th id or OTP a session draws is the same on every run, whatever
other sessions do in between (moto's seeded ids, per key).  Separate *purposes* (``"ids"``,
``"faults"`` ...) keep fault decisions from shifting the ids a party draws.  Without a seed every stream
is backed by the OS CSPRNG (``secrets``), for production-like behaviour.  The global ``random`` module
is never touched.
"""

from __future__ import annotations

import hashlib
import random as _random
import secrets
import string
import threading
import uuid

__all__ = ["RandomSource", "random_digits", "random_token", "random_uuid"]


class RandomSource:
    """Hands out one ``random.Random`` per (session, purpose), seeded or CSPRNG-backed.

    A single ``Random`` is safe to call from several threads (each call is atomic), but draws from
    concurrent requests of the *same* session interleave in arrival order; reproducibility is
    promised per session for requests sent one after another.
    """

    def __init__(self, seed: int | str | None = None) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        # session -> purpose -> stream, so forgetting one session (a reset, the idle sweep) is O(1).
        self._streams: dict[str, dict[str, _random.Random]] = {}

    @property
    def seeded(self) -> bool:
        return self._seed is not None

    @property
    def seed(self) -> int | str | None:
        return self._seed

    def derive_seed(self, session: str, purpose: str = "ids") -> int:
        """The integer seed of one stream (meaningful only when seeded)."""
        material = f"{self._seed!r}\x00{purpose}\x00{session}".encode()
        return int.from_bytes(hashlib.sha256(material).digest(), "big")

    def for_session(self, session: str, purpose: str = "ids") -> _random.Random:
        """The generator of ``session`` for ``purpose``, created on first use."""
        with self._lock:
            streams = self._streams.get(session)
            if streams is None:
                streams = self._streams[session] = {}
            rng = streams.get(purpose)
            if rng is None:
                if self.seeded:
                    rng = _random.Random(self.derive_seed(session, purpose))
                else:
                    rng = _random.SystemRandom()
                streams[purpose] = rng
            return rng

    def reset(self, session: str | None = None) -> None:
        """Restart the streams of one session (or of all), so a reset session replays from the start."""
        with self._lock:
            if session is None:
                self._streams.clear()
            else:
                self._streams.pop(session, None)

    def reseed(self, seed: int | str | None) -> None:
        """Replace the seed and restart every stream."""
        with self._lock:
            self._seed = seed
            self._streams.clear()


def random_uuid(rng: _random.Random) -> str:
    """A version-4 UUID string drawn from ``rng`` (reproducible when ``rng`` is seeded)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_digits(rng: _random.Random, length: int) -> str:
    """``length`` decimal digits (leading zeros kept), e.g. an OTP."""
    if length < 1:
        raise ValueError("length must be ≥ 1")
    return "".join(rng.choice(string.digits) for _ in range(length))


def random_token(rng: _random.Random, nbytes: int = 16) -> str:
    """A URL-safe token of ``nbytes`` random bytes (hex, so it is also safe in paths and logs)."""
    if nbytes < 1:
        raise ValueError("nbytes must be ≥ 1")
    if isinstance(rng, _random.SystemRandom):
        return secrets.token_hex(nbytes)
    return rng.randbytes(nbytes).hex()
