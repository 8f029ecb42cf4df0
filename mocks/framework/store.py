"""The state store every model is written against.

Records are JSON values under string keys, namespaced by isolation key (session).  Models use key
prefixes as collections (``"otp:<id>"``, ``"activation:<id>"``) and :meth:`StateStore.scan` to list
one.  The interface is deliberately small so that a Redis backend can implement each method as one
atomic command or Lua script; :class:`InMemoryStore` is the default backend.

Contract shared by every backend
--------------------------------
* **Values are copies.**  A value is serialised to canonical JSON on write and parsed on read, so a
  caller can never mutate stored state by accident (as with Redis).  Non-JSON values (sets, bytes,
  NaN ...) raise :class:`StoreValueError` at write time.
* **``None`` means absent.**  ``get`` returns ``None`` for a missing record, so a record can never
  hold JSON ``null``: ``put(key, None)`` is refused and ``compare_and_set(key, old, None)`` deletes.
* **Equality is JSON equality**: ``compare_and_set`` compares canonical JSON text, so ``1``, ``1.0``
  and ``true`` are three different values.
* **TTL runs on the virtual clock** of the record's session: a record written with ``ttl=300`` is
  gone once that session's clock has moved 300 s, without any real waiting.  Expiry is evaluated at
  access time; an expired record is invisible to every method and is purged lazily.
* **Sessions expire when idle**: besides record TTLs, a whole session is dropped (as by
  :meth:`StateStore.reset` of it) once nobody sent a request for it during the mock's
  ``session_idle_timeout`` of real time - see :mod:`.sessions`; the store itself does not track this.
* **Atomicity**: every method is linearizable on its own - it acts as if it ran alone between two
  instants (in memory: under one lock; in Redis: one command or script).  Nothing is atomic *across*
  calls: read-modify-write must use ``incr``, ``compare_and_set``, ``put_if_absent``, ``pop`` or the
  :func:`update` helper (a CAS loop), never ``get`` then ``put``.
"""

from __future__ import annotations

import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from simulator.encoding import json_dumps, json_loads

from .errors import MockError

__all__ = [
    "KEEP_TTL",
    "InMemoryStore",
    "SessionClock",
    "SessionStore",
    "StateStore",
    "StoreConflictError",
    "StoreKeyError",
    "StoreTypeError",
    "StoreValueError",
    "update",
]

Json = Any
SessionClock = Callable[[str], float]
"""Maps a session to its virtual POSIX time; the store measures TTLs with it."""

MAX_KEY_LENGTH = 512
_BATCH_OPS = ("get", "incr")


class _Keep(Enum):
    KEEP = "keep"


KEEP_TTL: Final = _Keep.KEEP
"""``ttl=KEEP_TTL``: keep the record's current expiry (the default of ``compare_and_set``)."""

TTL = float | None | _Keep


class StoreValueError(TypeError):
    """The value cannot be stored: it is not representable as JSON."""


class StoreKeyError(ValueError):
    """The key or session is not a non-empty string of at most 512 characters."""


class StoreTypeError(MockError):
    """An operation met a record of the wrong shape (``incr`` on text, on a non-object record ...).

    A 409 because it means the caller's view of the record disagrees with what is stored.
    """

    kind = "conflict"

    def __init__(self, message: str) -> None:
        super().__init__(message, status=409)


class StoreConflictError(MockError):
    """:func:`update` lost its compare-and-set race too many times in a row."""

    kind = "conflict"

    def __init__(self, message: str) -> None:
        super().__init__(message, status=409)


def _encode(value: Json) -> str:
    try:
        return json_dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreValueError(f"value is not JSON-serialisable: {exc}") from None
    except RecursionError:
        raise StoreValueError("value is nested too deeply to store") from None


def _encode_value(value: Json) -> str:
    if value is None:
        raise StoreValueError("None means 'absent' in the store: use delete() instead of storing null")
    return _encode(value)


def _check_key(session: str, key: str) -> None:
    for what, item in (("session", session), ("key", key)):
        if not isinstance(item, str) or not item or len(item) > MAX_KEY_LENGTH:
            raise StoreKeyError(f"{what} must be a non-empty string of at most {MAX_KEY_LENGTH} characters")


def _check_ttl(ttl: TTL) -> None:
    if ttl is None or ttl is KEEP_TTL:
        return
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl <= 0:
        raise StoreValueError(f"ttl must be a positive number of seconds, got {ttl!r}")


class StateStore(ABC):
    """Namespaced JSON records per session; see the module docstring for the contract."""

    @abstractmethod
    def get(self, session: str, key: str) -> Json | None:
        """The record's value, or ``None`` when absent or expired.  Atomic: one consistent read."""

    @abstractmethod
    def put(self, session: str, key: str, value: Json, *, ttl: TTL = None) -> None:
        """Write unconditionally.  ``ttl=None`` stores without expiry (clearing an old one).

        Atomic: value and expiry replace the old record together (last writer wins).
        """

    @abstractmethod
    def delete(self, session: str, key: str) -> bool:
        """Remove a record; ``True`` if a live record was removed.  Atomic: of two racing deletes
        exactly one returns ``True``."""

    @abstractmethod
    def scan(self, session: str, prefix: str = "") -> dict[str, Json]:
        """Every live record whose key starts with ``prefix``, ordered by key.

        Atomic: one consistent snapshot of the session (no write is half-visible).
        """

    @abstractmethod
    def incr(
        self, session: str, key: str, field: str | None = None, amount: int = 1, *, ttl: TTL = None
    ) -> int:
        """Atomically add ``amount`` to an integer counter and return the new value.

        ``field=None``: the record itself is the integer.  With ``field``: the record is an object
        and that member is the counter.  An absent record/member counts as 0.  ``ttl`` applies only
        when the record is created; an existing record keeps its expiry.  Atomic read-modify-write:
        N concurrent increments by 1 hand out N distinct values.
        """

    def compare_and_set(
        self, session: str, key: str, expected: Json | None, new: Json, *, ttl: TTL = KEEP_TTL
    ) -> bool:
        """Write ``new`` only if the current value equals ``expected`` (``None`` = absent).

        ``new=None`` deletes the record (compare-and-delete).  Returns whether it wrote.  By default
        the record keeps its expiry (a new record gets none).  Atomic compare-and-write: of racing
        writers with the same ``expected`` exactly one succeeds.
        """
        _check_key(session, key)
        _check_ttl(ttl)
        return self.compare_text_and_set(session, key, None if expected is None else _encode(expected), new,
                                         ttl=ttl)

    @abstractmethod
    def get_text(self, session: str, key: str) -> str | None:
        """The record's canonical JSON text (what the compare of :meth:`compare_text_and_set` sees),
        or ``None`` when absent or expired.  Atomic: one consistent read."""

    @abstractmethod
    def compare_text_and_set(
        self, session: str, key: str, expected_text: str | None, new: Json, *, ttl: TTL = KEEP_TTL
    ) -> bool:
        """:meth:`compare_and_set` with the expected value as its canonical text, as :meth:`get_text`
        returned it: a read-modify-write then encodes only what it writes."""

    @abstractmethod
    def put_if_absent(self, session: str, key: str, value: Json, *, ttl: TTL = None) -> bool:
        """Create the record only if no live record exists; ``True`` if it was created.

        Atomic check-and-create: of racing creators exactly one gets ``True``.
        """

    @abstractmethod
    def pop(self, session: str, key: str) -> Json | None:
        """Take-once: return the live value and delete it in one step (single-use tokens).

        Under contention exactly one caller gets the value; the others get ``None``.
        """

    @abstractmethod
    def reset(self, session: str | None = None) -> None:
        """Delete every record of ``session``, or of every session.

        Atomic for one session.  A reset of everything is atomic in memory; a distributed backend
        may reset session by session, so quiesce traffic first when that matters.
        """

    @abstractmethod
    def dump(self, session: str) -> dict[str, dict[str, Json]]:
        """Live records as ``{key: {"value": ..., "expiresAt": posix-seconds-or-None}}`` (admin view)."""

    @abstractmethod
    def sessions(self) -> list[str]:
        """Sessions that hold at least one record (expired ones may still be listed)."""

    def batch(self, session: str, ops: Sequence[tuple[str, str]]) -> list[Json | None]:
        """Several independent ``("get", key)`` / ``("incr", key)`` operations; their results in order.

        ``incr`` here is ``incr(key)``: a plain counter, by 1, no TTL.  Each operation is atomic on its
        own and nothing is atomic across them (as between any two calls); a backend may send them
        together - Redis in one round trip instead of one per operation.
        """
        for op, _key in ops:
            if op not in _BATCH_OPS:
                raise ValueError(f"batch supports {', '.join(_BATCH_OPS)}, not {op!r}")
        return [self.get(session, key) if op == "get" else self.incr(session, key) for op, key in ops]

    def bind(self, session: str) -> SessionStore:
        """A view of this store fixed to one session, the form models usually hold."""
        _check_key(session, "x")
        return SessionStore(self, session)


@dataclass(frozen=True)
class SessionStore:
    """The store as seen by one session: the same methods without the ``session`` argument."""

    store: StateStore
    session: str

    def get(self, key: str) -> Json | None:
        return self.store.get(self.session, key)

    def put(self, key: str, value: Json, *, ttl: TTL = None) -> None:
        self.store.put(self.session, key, value, ttl=ttl)

    def delete(self, key: str) -> bool:
        return self.store.delete(self.session, key)

    def scan(self, prefix: str = "") -> dict[str, Json]:
        return self.store.scan(self.session, prefix)

    def incr(self, key: str, field: str | None = None, amount: int = 1, *, ttl: TTL = None) -> int:
        return self.store.incr(self.session, key, field, amount, ttl=ttl)

    def compare_and_set(self, key: str, expected: Json | None, new: Json, *, ttl: TTL = KEEP_TTL) -> bool:
        return self.store.compare_and_set(self.session, key, expected, new, ttl=ttl)

    def put_if_absent(self, key: str, value: Json, *, ttl: TTL = None) -> bool:
        return self.store.put_if_absent(self.session, key, value, ttl=ttl)

    def pop(self, key: str) -> Json | None:
        return self.store.pop(self.session, key)

    def update(self, key: str, fn: Callable[[Json | None], Json], *, ttl: TTL = KEEP_TTL) -> Json:
        return update(self.store, self.session, key, fn, ttl=ttl)

    def batch(self, *ops: tuple[str, str]) -> list[Json | None]:
        return self.store.batch(self.session, ops)


def update(
    store: StateStore,
    session: str,
    key: str,
    fn: Callable[[Json | None], Json],
    *,
    ttl: TTL = KEEP_TTL,
    retries: int = 100,
) -> Json:
    """Read-modify-write through a CAS loop: ``new = fn(current)``, retried while another writer wins.

    ``fn`` receives a private copy (``None`` when absent) and must be a pure function of it, since it
    may run more than once; returning ``None`` deletes the record.  Returns the value written.
    Raises :class:`StoreConflictError` after ``retries`` lost races (a hot key, not a normal case).
    """
    for _ in range(retries):
        text = store.get_text(session, key)
        new = fn(None if text is None else json_loads(text))  # parsed afresh: the caller's own copy
        if store.compare_text_and_set(session, key, text, new, ttl=ttl):
            return new
    raise StoreConflictError(f"update of {key!r} lost {retries} compare-and-set races in a row")


@dataclass
class _Entry:
    text: str
    expires_at: float | None


class InMemoryStore(StateStore):
    """Dict-of-dicts backend; every public method runs under one lock (linearizable)."""

    #: Every this many writes, expired records of every session are swept (amortised O(1) per write),
    #: so records nobody reads again cannot pile up during a long load test.
    SWEEP_EVERY = 4096

    def __init__(self, clock: SessionClock | None = None) -> None:
        self._clock: SessionClock = clock if clock is not None else (lambda _session: time.time())
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, _Entry]] = {}
        self._writes = 0

    # ---------------------------------------------------------------- internals (lock held)

    def _live(self, session: str, key: str) -> _Entry | None:
        bucket = self._data.get(session)
        if bucket is None:
            return None
        entry = bucket.get(key)
        if entry is None:
            return None
        if entry.expires_at is not None and self._clock(session) >= entry.expires_at:
            del bucket[key]
            return None
        return entry

    def _expiry(self, session: str, ttl: TTL, previous: _Entry | None) -> float | None:
        if ttl is KEEP_TTL:
            return previous.expires_at if previous is not None else None
        if ttl is None:
            return None
        return self._clock(session) + float(ttl)

    def _write(self, session: str, key: str, text: str, expires_at: float | None) -> None:
        self._data.setdefault(session, {})[key] = _Entry(text, expires_at)
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            self._sweep()

    def _sweep(self) -> int:
        removed = 0
        for session in list(self._data):
            bucket = self._data[session]
            now = self._clock(session)
            dead = [k for k, e in bucket.items() if e.expires_at is not None and now >= e.expires_at]
            for key in dead:
                del bucket[key]
            removed += len(dead)
            if not bucket:
                del self._data[session]
        return removed

    def purge_expired(self) -> int:
        """Drop every expired record now (and sessions left empty); returns how many were dropped."""
        with self._lock:
            return self._sweep()

    # ---------------------------------------------------------------- interface

    def get(self, session: str, key: str) -> Json | None:
        text = self.get_text(session, key)
        return None if text is None else json_loads(text)

    def get_text(self, session: str, key: str) -> str | None:
        _check_key(session, key)
        with self._lock:
            entry = self._live(session, key)
            return entry.text if entry is not None else None

    def put(self, session: str, key: str, value: Json, *, ttl: TTL = None) -> None:
        _check_key(session, key)
        _check_ttl(ttl)
        text = _encode_value(value)
        with self._lock:
            previous = self._live(session, key)
            self._write(session, key, text, self._expiry(session, ttl, previous))

    def delete(self, session: str, key: str) -> bool:
        _check_key(session, key)
        with self._lock:
            if self._live(session, key) is None:
                return False
            del self._data[session][key]
            return True

    def scan(self, session: str, prefix: str = "") -> dict[str, Json]:
        _check_key(session, "x")
        with self._lock:
            bucket = self._data.get(session, {})
            keys = sorted(k for k in bucket if k.startswith(prefix))
            texts = {k: e.text for k in keys if (e := self._live(session, k)) is not None}
        return {k: json_loads(t) for k, t in texts.items()}

    def incr(
        self, session: str, key: str, field: str | None = None, amount: int = 1, *, ttl: TTL = None
    ) -> int:
        _check_key(session, key)
        _check_ttl(ttl)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise StoreValueError(f"incr amount must be an int, got {type(amount).__name__}")
        with self._lock:
            entry = self._live(session, key)
            current = json_loads(entry.text) if entry is not None else None
            expires_at = entry.expires_at if entry is not None else self._expiry(session, ttl, None)
            if field is None:
                if current is not None and (isinstance(current, bool) or not isinstance(current, int)):
                    raise StoreTypeError(f"incr on {key!r}: record is not an integer")
                result = (current or 0) + amount
                self._write(session, key, _encode(result), expires_at)
                return result
            record = {} if current is None else current
            if not isinstance(record, dict):
                raise StoreTypeError(f"incr on {key!r}.{field}: record is not an object")
            value = record.get(field, 0)
            if isinstance(value, bool) or not isinstance(value, int):
                raise StoreTypeError(f"incr on {key!r}.{field}: member is not an integer")
            record[field] = value + amount
            self._write(session, key, _encode(record), expires_at)
            return int(record[field])

    def compare_text_and_set(
        self, session: str, key: str, expected_text: str | None, new: Json, *, ttl: TTL = KEEP_TTL
    ) -> bool:
        _check_key(session, key)
        _check_ttl(ttl)
        new_text = None if new is None else _encode(new)
        with self._lock:
            entry = self._live(session, key)
            current_text = entry.text if entry is not None else None
            if current_text != expected_text:
                return False
            if new_text is None:
                if entry is not None:
                    del self._data[session][key]
            else:
                self._write(session, key, new_text, self._expiry(session, ttl, entry))
            return True

    def put_if_absent(self, session: str, key: str, value: Json, *, ttl: TTL = None) -> bool:
        _check_key(session, key)
        _check_ttl(ttl)
        text = _encode_value(value)
        with self._lock:
            if self._live(session, key) is not None:
                return False
            self._write(session, key, text, self._expiry(session, ttl, None))
            return True

    def pop(self, session: str, key: str) -> Json | None:
        _check_key(session, key)
        with self._lock:
            entry = self._live(session, key)
            if entry is None:
                return None
            del self._data[session][key]
        return json_loads(entry.text)

    def reset(self, session: str | None = None) -> None:
        with self._lock:
            if session is None:
                self._data.clear()
            else:
                self._data.pop(session, None)

    def dump(self, session: str) -> dict[str, dict[str, Json]]:
        _check_key(session, "x")
        with self._lock:
            bucket = self._data.get(session, {})
            live = {k: e for k in sorted(bucket) if (e := self._live(session, k)) is not None}
            snapshot = {k: (e.text, e.expires_at) for k, e in live.items()}
        return {k: {"value": json_loads(t), "expiresAt": exp} for k, (t, exp) in snapshot.items()}

    def sessions(self) -> list[str]:
        with self._lock:
            return sorted(s for s, bucket in self._data.items() if bucket)
