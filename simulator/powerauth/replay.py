"""Replay protection for ECIES requests (3.2+), pluggable into the server-side decryptor.

The decryptor calls a :class:`ReplayGuard` with the ephemeral key, nonce and timestamp before it
decrypts. The default :class:`InMemoryReplayGuard` mirrors the real server: it remembers
``ephPub ‖ nonce ‖ identifier`` and rejects duplicates and timestamps too far in the future.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from simulator.powerauth.errors import EciesReplayError

#: Server default ``requestExpirationInMilliseconds``.
DEFAULT_FUTURE_WINDOW_MS = 60_000


def now_ms() -> int:
    """Current Unix time in milliseconds."""
    return time.time_ns() // 1_000_000


class ReplayGuard(Protocol):
    """Receives each 3.2+ request's nonce and timestamp; raises :class:`EciesReplayError` to reject."""

    def __call__(self, ephemeral_public_key: bytes, nonce: bytes, timestamp: int, identifier: str) -> None:
        """Accept silently, or raise :class:`EciesReplayError`."""
        ...


class InMemoryReplayGuard:
    """Remembers every accepted request; rejects duplicates and timestamps from the future.

    Old timestamps are deliberately accepted, as the real server's check only looks forward.
    ``clock`` returns Unix ms so tests can drive a virtual clock.
    """

    def __init__(
        self, *, future_window_ms: int = DEFAULT_FUTURE_WINDOW_MS, clock: Callable[[], int] = now_ms
    ) -> None:
        self._future_window_ms = future_window_ms
        self._clock = clock
        self._seen: set[bytes] = set()
        self._lock = threading.Lock()

    def __call__(self, ephemeral_public_key: bytes, nonce: bytes, timestamp: int, identifier: str) -> None:
        """Reject a repeat of (key, nonce, identifier) or a timestamp beyond the future window."""
        if timestamp - self._clock() > self._future_window_ms:
            raise EciesReplayError("request timestamp lies too far in the future")
        key = ephemeral_public_key + nonce + identifier.encode("utf-8")
        with self._lock:
            if key in self._seen:
                raise EciesReplayError("request nonce was already used (replay)")
            self._seen.add(key)

    def __len__(self) -> int:
        return len(self._seen)
