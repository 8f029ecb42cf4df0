"""The request journal: a bounded, searchable record of what each mock was asked and answered.

Every inbound exchange (except the admin API's own) is recorded with both its virtual and real
timestamps, its session, the redacted request and response, the duration, any fault that was
injected, and the outbound calls the mock made while handling it (linked through the exchange in
progress).  The buffer is a ring: the oldest entries fall off at capacity, so a long load test cannot
grow the mock's memory.  Bodies are redacted *before* truncation so a cut can never expose half a
secret.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl

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


def capture_body(raw: bytes, mimetype: str | None, limit: int = DEFAULT_BODY_LIMIT, *,
                 extra_secrets: frozenset[str] = frozenset()) -> Any:
    """A journal-safe form of a body: redacted JSON value, redacted form dict, or a truncated string.

    A JSON body whose redacted serialisation fits ``limit`` is kept as a JSON value (handy for
    assertions); anything longer becomes its serialisation cut at ``limit`` with a marker.
    """
    if not raw:
        return None
    mime = (mimetype or "").lower()
    text: str
    if mime == "application/json" or mime.endswith("+json"):
        try:
            value = redact_json(json.loads(raw), extra=extra_secrets)
        except (ValueError, RecursionError):
            return _truncate(_as_text(raw), limit, note="malformed JSON")
        text = json.dumps(value, separators=(",", ":"))
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
    """Thread-safe ring buffer of :class:`Exchange` records."""

    def __init__(self, capacity: int = 1000, body_limit: int = DEFAULT_BODY_LIMIT) -> None:
        if capacity < 1:
            raise ValueError("journal capacity must be ≥ 1")
        self.capacity = min(capacity, MAX_JOURNAL_CAPACITY)
        self.body_limit = body_limit
        self._lock = threading.Lock()
        self._entries: deque[Exchange] = deque(maxlen=self.capacity)
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
            if len(self._entries) == self.capacity:
                self._dropped += 1
            self._entries.append(exchange)

    def search(self, query: JournalQuery | None = None) -> list[Exchange]:
        """Matching exchanges in chronological order, at most ``query.limit`` (the newest ones)."""
        query = query or JournalQuery()
        with self._lock:
            snapshot = list(self._entries)
        hits = [e for e in snapshot if query.matches(e)]
        limit = max(0, query.limit)
        return hits[-limit:] if limit else []

    def get(self, exchange_id: int) -> Exchange | None:
        with self._lock:
            return next((e for e in self._entries if e.id == exchange_id), None)

    def clear(self, session: str | None = None) -> int:
        """Drop every entry, or those of one session; returns how many were dropped."""
        with self._lock:
            before = len(self._entries)
            if session is None:
                self._entries.clear()
            else:
                kept: Iterable[Exchange] = [e for e in self._entries if e.session != session]
                self._entries = deque(kept, maxlen=self.capacity)
            return before - len(self._entries)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"size": len(self._entries), "capacity": self.capacity, "dropped": self._dropped}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
