"""Per-session backends created lazily under a lock (moto's ``BackendDict`` idea).

Most party state belongs in the :mod:`.store`, but some is naturally an object graph built once per
session (a synthetic client registry from a seed, a cache of parsed keys).  A :class:`BackendRegistry`
creates such an object on first use for each session, never twice under concurrency, and drops it
when that session (or everything) is reset.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["BackendRegistry"]

T = TypeVar("T")


class BackendRegistry(Generic[T]):
    """``registry.get(session)`` → the session's backend, built by ``factory(session)`` on first use."""

    def __init__(self, factory: Callable[[str], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._backends: dict[str, T] = {}

    def get(self, session: str) -> T:
        with self._lock:
            backend = self._backends.get(session)
            if backend is None:
                backend = self._factory(session)
                self._backends[session] = backend
            return backend

    def reset(self, session: str | None = None) -> None:
        """Forget one session's backend, or all; the next ``get`` builds a fresh one.

        Signature matches a runtime reset hook: ``runtime.add_reset_hook(registry.reset)``.
        """
        with self._lock:
            if session is None:
                self._backends.clear()
            else:
                self._backends.pop(session, None)

    def sessions(self) -> list[str]:
        with self._lock:
            return sorted(self._backends)

    def __contains__(self, session: object) -> bool:
        with self._lock:
            return session in self._backends
