"""The request journal: a bounded, searchable record of what each mock was asked and answered.

Every inbound exchange (except the admin API's own) is recorded with both its virtual and real
timestamps, its session, the redacted request and response, the duration, any fault that was
injected, and the outbound calls the mock made while handling it (linked through the exchange in
progress).  The buffer is bounded twice, oldest entries dropped first: ``capacity`` entries in total
and ``session_capacity`` per session (see :class:`Journal`), so a long load test cannot grow the
mock's memory and one chatty session cannot crowd out the others; a session swept for idleness
(:mod:`.sessions`) takes its entries with it.  Bodies are redacted *before* truncation so a cut
can never expose half a secret.
"""

from __future__ import annotations

import heapq
import json
import re
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from simulator.encoding import json_loads

from .redact import redact_json, redact_pairs

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "MAX_JOURNAL_CAPACITY",
    "Exchange",
    "Journal",
    "JournalQuery",
    "OutboundCall",
    "capture_body",
]

MAX_JOURNAL_CAPACITY = 100_000
DEFAULT_BODY_LIMIT = 4096


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _camel_dict(obj: dict[str, Any]) -> dict[str, Any]:
    return {_camel(k) if "_" in k else k: v for k, v in obj.items()}


@dataclass
class OutboundCall:
    """One call the mock made to another party while handling an exchange."""

    method: str
    url: str
    session: str
    timestamp: str
    status: int | None = None
    duration_ms: float = 0.0
    request_body: Any = None
    response_body: Any = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _camel_dict(asdict(self))


@dataclass
class Exchange:
    """One request/response pair (or a reset connection: ``status`` None, ``fault`` set)."""

    id: int
    party: str
    session: str
    timestamp: str
    real_timestamp: str
    method: str
    path: str
    direction: str = "inbound"
    query: dict[str, Any] = field(default_factory=dict)
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: Any = None
    status: int | None = None
    response_body: Any = None
    duration_ms: float = 0.0
    outbound: list[OutboundCall] = field(default_factory=list)
    fault: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = _camel_dict(asdict(self))
        data["outbound"] = [call.to_dict() for call in self.outbound]
        return data


@dataclass(frozen=True)
class JournalQuery:
    """Search criteria; every given criterion must match (AND).  ``limit`` keeps the newest N."""

    session: str | None = None
    path: str | None = None
    method: str | None = None
    status: int | None = None
    party: str | None = None
    text: str | None = None
    direction: str | None = None
    limit: int = 100

    def matches(self, exchange: Exchange) -> bool:
        if self.session is not None and exchange.session != self.session:
            return False
        if self.path is not None and self.path not in exchange.path:
            return False
        if self.method is not None and exchange.method.upper() != self.method.upper():
            return False
        if self.status is not None and exchange.status != self.status:
            return False
        if self.party is not None and exchange.party != self.party:
            return False
        if self.direction is not None and exchange.direction != self.direction:
            return False
        if self.text is not None:
            haystack = json.dumps(exchange.to_dict(), default=str).lower()
            return self.text.lower() in haystack
        return True


#: The compact form the journal compares with its limit (one encoder, built once).
_COMPACT = json.JSONEncoder(separators=(",", ":"))
#: How many characters of the compact encoding of a parsed and redacted body one byte of the body
#: can become at most: a DEL in a string (1 byte) becomes ``\u007f`` (6); a masked one-digit value
#: ``0`` becomes ``"***"`` (5); ``1e15`` becomes ``1000000000000000.0`` (4.5 per byte); a non-ASCII
#: character (2-4 bytes) becomes one or two ``\uXXXX`` (3 per byte); everything else keeps its length
#: or shrinks (whitespace, escapes, duplicate keys).  So a body of at most ``limit / 6`` bytes is kept
#: as a value without encoding it.
_MAX_GROWTH = 6
#: Strings longer than this are spliced into a long body's journal text rather than re-encoded.
_SPLICE_MIN = 512
_PLACEHOLDER_RE = re.compile(r"\\u0000(\d+)")


_UNSET: Any = object()


def capture_body(raw: bytes, mimetype: str | None, limit: int = DEFAULT_BODY_LIMIT, *,
                 extra_secrets: frozenset[str] = frozenset(), redacted: Any = _UNSET) -> Any:
    """A journal-safe form of a body: redacted JSON value, redacted form dict, or a truncated string.

    A JSON body whose redacted serialisation fits ``limit`` is kept as a JSON value (handy for
    assertions); anything longer becomes its serialisation cut at ``limit`` with a marker.
    ``redacted``: ``redact_json(json.loads(raw), extra=extra_secrets)`` when the caller already has
    it (the request's own parse), so a JSON body is not parsed twice.
    """
    if not raw:
        return None
    mime = (mimetype or "").lower()
    text: str
    if mime == "application/json" or mime.endswith("+json"):
        if redacted is not _UNSET:
            value = redacted
        else:
            try:
                value = redact_json(json_loads(raw), extra=extra_secrets)
            except (ValueError, RecursionError):
                return _truncate(_as_text(raw), limit, note="malformed JSON")
        if len(raw) * _MAX_GROWTH <= limit:
            return value  # its encoding cannot exceed the limit: no need to encode it to know
        if len(raw) > limit and _plain_strings(raw):
            spliced = _spliced_text(value, limit)
            if spliced is not None:
                return spliced
        text = _COMPACT.encode(value)
        return value if len(text) <= limit else _truncate(text, limit)
    if mime == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return f"<{len(raw)} bytes of non-UTF-8 form data>"
        value = redact_pairs(pairs, extra=extra_secrets)
        text = json.dumps(value)
        return value if len(text) <= limit else _truncate(text, limit)
    return _truncate(_as_text(raw), limit)


def _plain_strings(raw: bytes) -> bool:
    """Whether every string parsed from the JSON ``raw`` encodes as itself between quotes.

    True when ``raw`` is ASCII without a backslash (so no string holds an escape), decodes as UTF-8
    (no NUL in the first bytes, which ``json.loads`` would take for UTF-16/32) and has no DEL
    (``json.dumps`` escapes it); the strict parse already refused control characters in strings.
    """
    return raw.isascii() and b"\\" not in raw and b"\x7f" not in raw and b"\x00" not in raw[:4]


def _spliced_text(value: Any, limit: int) -> str | None:
    """The truncated journal text of a long JSON ``value`` whose strings are plain (see above),
    without re-encoding its long strings: each is encoded as a short placeholder, and the real
    string is spliced in where the placeholder lands - the same text ``json.dumps`` gives, cut at
    ``limit``.  ``None`` when there is no long string or the whole text fits (the usual path then).
    """
    long_strings: list[str] = []
    text = _COMPACT.encode(_with_placeholders(value, long_strings))
    if not long_strings:
        return None
    pieces: list[str] = []
    kept = 0
    total = 0
    cursor = 0
    for match in _PLACEHOLDER_RE.finditer(text):
        for piece in (text[cursor:match.start()], long_strings[int(match.group(1))]):
            total += len(piece)
            if kept < limit:
                pieces.append(piece[:limit - kept])
                kept += len(pieces[-1])
        cursor = match.end()
    tail = text[cursor:]
    total += len(tail)
    if total <= limit:
        return None
    if kept < limit:
        pieces.append(tail[:limit - kept])
    return f"{''.join(pieces)}…[truncated {total - limit} characters]"


def _with_placeholders(value: Any, long_strings: list[str]) -> Any:
    """A copy of ``value`` with each string longer than ``_SPLICE_MIN`` replaced by ``"\\x00<n>"``."""
    kind = type(value)
    if kind is str:
        if len(value) > _SPLICE_MIN:
            long_strings.append(value)
            return f"\x00{len(long_strings) - 1}"
        return value
    if kind is dict:
        return {k: _with_placeholders(v, long_strings) for k, v in value.items()}
    if kind is list:
        return [_with_placeholders(v, long_strings) for v in value]
    return value


def _as_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(raw)} bytes of binary data>"


def _truncate(text: str, limit: int, note: str | None = None) -> str:
    prefix = f"<{note}> " if note else ""
    if len(text) <= limit:
        return prefix + text
    return f"{prefix}{text[:limit]}…[truncated {len(text) - limit} characters]"


class Journal:
    """Thread-safe bounded record of :class:`Exchange` entries: in total and per session.

    Two bounds, each dropping the oldest entries first (counted in ``dropped``):

    * ``capacity`` entries in total (a ring over every session), so a long load test cannot grow
      the mock's memory;
    * ``session_capacity`` entries per session (default: the total), so one chatty session (a poll
      loop) cannot push every other session's history out of the ring.

    Entries are kept per session in recording order, with a global sequence number; a search of one
    session reads only that session's entries, a search of all merges them in recording order.
    Dropping a session (:meth:`clear`, :meth:`clear_sessions`, the idle-session sweep of
    :mod:`.sessions`) costs O(1) per session.
    """

    def __init__(self, capacity: int = 1000, body_limit: int = DEFAULT_BODY_LIMIT,
                 session_capacity: int | None = None) -> None:
        if capacity < 1:
            raise ValueError("journal capacity must be ≥ 1")
        if session_capacity is not None and session_capacity < 1:
            raise ValueError("journal session capacity must be ≥ 1")
        self.capacity = min(capacity, MAX_JOURNAL_CAPACITY)
        self.session_capacity = min(session_capacity or self.capacity, self.capacity)
        self.body_limit = body_limit
        self._lock = threading.Lock()
        self._sessions: dict[str, deque[tuple[int, Exchange]]] = {}
        # Recording order as (sequence, session); may hold stale references to entries already
        # dropped by a per-session bound or a clear - skipped on eviction, compacted when too many.
        self._order: deque[tuple[int, str]] = deque()
        self._size = 0
        self._seq = 0
        self._next_id = 1
        self._dropped = 0

    def allocate_id(self) -> int:
        """Reserve the id of an exchange that starts now (outbound calls link to it)."""
        with self._lock:
            value = self._next_id
            self._next_id += 1
            return value

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self._seq += 1
            entries = self._sessions.get(exchange.session)
            if entries is None:
                entries = self._sessions[exchange.session] = deque()
            elif len(entries) >= self.session_capacity:
                entries.popleft()
                self._size -= 1
                self._dropped += 1
            entries.append((self._seq, exchange))
            self._order.append((self._seq, exchange.session))
            self._size += 1
            while self._size > self.capacity:
                self._evict_oldest()
            if len(self._order) > 2 * self.capacity + 64:
                self._compact()

    def _evict_oldest(self) -> None:
        """Drop the oldest live entry of all sessions (lock held)."""
        while self._order:
            seq, session = self._order.popleft()
            entries = self._sessions.get(session)
            if entries and entries[0][0] == seq:
                entries.popleft()
                if not entries:
                    del self._sessions[session]
                self._size -= 1
                self._dropped += 1
                return

    def _compact(self) -> None:
        """Rebuild the recording order from the live entries (lock held; amortised over records)."""
        live = sorted((seq, session) for session, entries in self._sessions.items() for seq, _ in entries)
        self._order = deque(live)

    def _snapshot(self, session: str | None) -> list[Exchange]:
        """Entries in recording order, of one session or of all (lock held)."""
        if session is not None:
            return [e for _, e in self._sessions.get(session, ())]
        merged = heapq.merge(*(list(entries) for entries in self._sessions.values()), key=lambda p: p[0])
        return [e for _, e in merged]

    def search(self, query: JournalQuery | None = None) -> list[Exchange]:
        """Matching exchanges in chronological order, at most ``query.limit`` (the newest ones)."""
        query = query or JournalQuery()
        with self._lock:
            snapshot = self._snapshot(query.session)
        hits = [e for e in snapshot if query.matches(e)]
        limit = max(0, query.limit)
        return hits[-limit:] if limit else []

    def get(self, exchange_id: int) -> Exchange | None:
        with self._lock:
            for entries in self._sessions.values():
                for _, exchange in entries:
                    if exchange.id == exchange_id:
                        return exchange
            return None

    def clear(self, session: str | None = None) -> int:
        """Drop every entry, or those of one session; returns how many were dropped."""
        if session is not None:
            return self.clear_sessions([session])
        with self._lock:
            removed = self._size
            self._sessions.clear()
            self._order.clear()
            self._size = 0
            return removed

    def clear_sessions(self, sessions: Iterable[str]) -> int:
        """Drop the entries of several sessions at once (the idle-session sweep); returns how many."""
        removed = 0
        with self._lock:
            for session in sessions:
                entries = self._sessions.pop(session, None)
                if entries:
                    removed += len(entries)
            self._size -= removed
            if len(self._order) > 2 * self._size + 64:
                self._compact()
        return removed

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"size": self._size, "capacity": self.capacity, "dropped": self._dropped}

    def __len__(self) -> int:
        with self._lock:
            return self._size
