"""A bounded, thread-safe memo of pure computations on image bytes, keyed by their digest.

Reading a document page or describing a face is a deterministic function of the bytes (and, for a
page, the reference date), so a result can be reused when the same bytes come again: a hash instead
of a read.  Keys hold the SHA-256 of the bytes (:func:`digest`), never the bytes, so a kept entry
costs its result only; the least recently used entry goes first.  A computation that raises is not
kept: the next call tries again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["DigestCache", "digest"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def digest(data: bytes) -> bytes:
    """The key part that stands for ``data`` (SHA-256: a changed byte is another key)."""
    return hashlib.sha256(data).digest()


class DigestCache(Generic[K, V]):
    """At most ``size`` results by key, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a cache keeps at least one entry")
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The kept result for ``key``, or ``compute()``'s, kept (computed outside the lock)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
