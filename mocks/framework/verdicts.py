"""Queued verdicts: outcomes a test forces instead of letting the mock compute them.

Some outcomes cannot be produced from inputs alone in a test (a face match score, a provider
timeout, an SMS that never arrives).  A test queues them per *kind* and session through
``POST /_admin/verdicts`` (moto's static results); the party asks :meth:`VerdictQueue.pop` at the
decision point and falls back to its computed path when the queue is empty.  Keeping this a
separate, explicit call keeps the forced path visibly apart from the real one in party code.

The queue lives in the state store (reserved key prefix ``_verdict:``) so it is isolated, reset and
shared across workers exactly like the rest of the state.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import MockError
from .store import StateStore, update

__all__ = ["MAX_QUEUED", "VerdictError", "VerdictQueue"]

PREFIX = "_verdict:"
MAX_QUEUED = 1000
_KIND_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class VerdictError(MockError):
    """Bad verdict request: unknown kind syntax or a full queue."""

    kind = "validation"


def _check_kind(kind: object) -> str:
    if not isinstance(kind, str) or _KIND_RE.fullmatch(kind) is None:
        raise VerdictError(f"verdict kind must be 1-64 characters of A-Z a-z 0-9 . _ -, got {kind!r}")
    return kind


class VerdictQueue:
    """FIFO queues of JSON verdicts per (session, kind) on top of a :class:`StateStore`."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def push(self, session: str, kind: str, verdict: Any, *, times: int = 1) -> int:
        """Append ``verdict`` ``times`` times; returns the queue length."""
        _check_kind(kind)
        if not 1 <= times <= MAX_QUEUED:
            raise VerdictError(f"times must be within 1..{MAX_QUEUED}")

        def append(queue: Any) -> list[Any]:
            items = list(queue or [])
            if len(items) + times > MAX_QUEUED:
                raise VerdictError(f"verdict queue {kind!r} would exceed {MAX_QUEUED} entries")
            return items + [verdict] * times

        return len(update(self._store, session, PREFIX + kind, append))

    def pop(self, session: str, kind: str) -> Any | None:
        """Take the oldest queued verdict of ``kind`` (``None`` when none is queued; then compute)."""
        _check_kind(kind)
        key = PREFIX + kind
        while True:
            current = self._store.get(session, key)
            if not current:
                return None
            if self._store.compare_and_set(session, key, current, current[1:] or None):
                return current[0]

    def peek(self, session: str) -> dict[str, list[Any]]:
        """Every non-empty queue of a session, by kind."""
        return {
            key.removeprefix(PREFIX): value
            for key, value in self._store.scan(session, PREFIX).items()
            if value
        }

    def clear(self, session: str, kind: str | None = None) -> None:
        if kind is None:
            for key in self._store.scan(session, PREFIX):
                self._store.delete(session, key)
        else:
            self._store.delete(session, PREFIX + _check_kind(kind))
