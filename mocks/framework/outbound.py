"""Calls from one mock to another party, by URL, journaled and failure-typed.

Parties talk to each other only over HTTP (any of them may be the real system in conformance mode),
so every outbound call goes through :class:`OutboundClient`: it propagates the caller's
``X-Sim-Session`` so the whole scenario stays in one isolated world, bounds every call with timeouts,
records the call (redacted) in the journal linked to the inbound exchange being handled, and turns
connection failures and timeouts into one typed :class:`UpstreamError` that the party can map to its
own code (for example 409 ``REMOTE_COMMUNICATION_ERROR``).

The wire is the one ``requests`` produced (same request line, same headers in the same order, same
JSON bytes, same timeout and failure rules, the same ``requests.Response`` handed back), and a JSON
body is serialised once (by :func:`simulator.encoding.json_dumps`, ``json.dumps``'s exact text without
its slow escaping of long Base64 strings) - the journal captures the very bytes that are sent.  The
exchange itself (the request head written byte for byte as urllib3 writes it, connections kept alive
per host, failures classified) is :class:`mocks.framework.http_transport.Transport`'s job.
"""

from __future__ import annotations

import json as _json
import math
import threading
import time
from datetime import UTC, datetime
from typing import Any

import requests
from flask import g, has_app_context
from requests.structures import CaseInsensitiveDict
from requests.utils import default_headers, get_encoding_from_headers

from simulator.encoding import json_dumps

from .clock import VirtualClock
from .errors import MockError
from .http_transport import POOL_CONNECTIONS as POOL_CONNECTIONS  # still importable from here
from .http_transport import Transport, TransportError
from .isolation import SESSION_HEADER, current_session
from .journal import Exchange, Journal, OutboundCall, capture_body
from .redact import redact_json

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "OutboundClient", "UpstreamError"]

DEFAULT_TIMEOUT = (2.0, 10.0)
MAX_TIMEOUT = 60.0

#: The headers every requests.Session starts with (User-Agent, Accept-Encoding, Accept, Connection).
_DEFAULT_HEADERS: tuple[tuple[str, str], ...] = tuple(default_headers().items())


class UpstreamError(MockError):
    """Another party could not be reached or did not answer in time.

    ``reason`` is ``"timeout"``, ``"connection"`` or ``"request"``; ``url`` the target.
    """

    kind = "upstream"

    def __init__(self, message: str, *, url: str, reason: str) -> None:
        super().__init__(message, details={"upstream": url, "reason": reason})
        self.url = url
        self.reason = reason


def _mimetype(content_type: str | None) -> str | None:
    return content_type.split(";", 1)[0].strip() if content_type else None


def _wire_headers(headers: dict[str, str], body: bytes | None, method: str,
                  content_type: str | None) -> dict[str, str]:
    """The request headers as requests sends them: session defaults, the caller's, length, type.

    Names compare case-insensitively (a caller's header replaces a default of the same name, in the
    default's place and with the caller's spelling); a header set to ``None`` is left out.
    """
    merged: dict[str, tuple[str, str]] = {name.lower(): (name, value) for name, value in _DEFAULT_HEADERS}
    for name, value in headers.items():
        merged[name.lower()] = (name, value)
    for lower in [k for k, (_, value) in merged.items() if value is None]:
        del merged[lower]
    if body is not None:
        if body:
            merged["content-length"] = ("Content-Length", str(len(body)))
    elif method not in ("GET", "HEAD") and "content-length" not in merged:
        merged["content-length"] = ("Content-Length", "0")
    if content_type is not None and "content-type" not in merged:
        merged["content-type"] = ("Content-Type", content_type)
    return dict(merged.values())


def _response(status: int, reason: str, headers: CaseInsensitiveDict[str], content: bytes, url: str,
              raw: Any) -> requests.Response:
    """A ``requests.Response`` over a fully read answer (what the callers work with)."""
    response = requests.Response()
    response.status_code = status
    response.headers = headers
    response.encoding = get_encoding_from_headers(headers)
    response.reason = reason  # type: ignore[assignment]
    response.url = url
    response.raw = raw
    response._content = content
    response._content_consumed = True
    return response


def _is_native(value: Any) -> bool:
    """Whether ``json.loads(json.dumps(value))`` equals ``value`` with the same types throughout:
    dicts with string keys, lists, strings, ints, finite floats, booleans, ``None`` (exact types,
    no subclasses such as enums).  Then the journal can redact ``value`` instead of parsing the
    bytes sent (a 440 KB page: one parse of ~350 us less)."""
    try:
        return _native(value)
    except RecursionError:
        return False


def _native(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is dict:
        return all(type(k) is str and _native(v) for k, v in value.items())
    if kind is list:
        return all(_native(v) for v in value)
    return False


def _check_url(url: str) -> str | None:
    """What requests says of a URL it cannot send (no scheme, not HTTP, no host), else ``None``."""
    lower = url.lower()
    if lower.startswith(("http://", "https://")):
        if url.split("://", 1)[1][:1] in ("", "/", "?", "#"):
            return f"Invalid URL {url!r}: No host supplied"
        return None
    if ":" in url and not lower.startswith("http"):
        return f"No connection adapters were found for {url!r}"
    return f"Invalid URL {url!r}: No scheme supplied. Perhaps you meant https://{url}?"


class OutboundClient:
    """Thread-safe client for calls to other parties, keeping connections alive per host:port."""

    def __init__(
        self,
        journal: Journal,
        clock: VirtualClock,
        *,
        party: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self._journal = journal
        self._clock = clock
        self._party = party
        self._timeout = self._clamp(timeout)
        self._lock = threading.Lock()
        self._pool = Transport()  # its ``pools`` are the kept http:// connections

    @staticmethod
    def _clamp(timeout: float | tuple[float, float]) -> tuple[float, float]:
        pair = (timeout, timeout) if isinstance(timeout, int | float) else timeout
        connect, read = (min(max(float(v), 0.001), MAX_TIMEOUT) for v in pair)
        return connect, read

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | tuple[float, float] | None = None,
        session: str | None = None,
    ) -> requests.Response:
        """Send one request; returns the response whatever its status, raises :class:`UpstreamError`."""
        key = session if session is not None else current_session()
        verb = method.upper()
        sent_headers = dict(headers or {})
        sent_headers.setdefault(SESSION_HEADER, key)
        connect, read = self._timeout if timeout is None else self._clamp(timeout)
        call = OutboundCall(method=verb, url=url, session=key, timestamp=self._clock.now(key).isoformat())
        body: bytes | None = None
        content_type: str | None = None
        started = time.perf_counter()
        invalid = _check_url(url)
        if invalid is not None:
            self._finish(call, started, error=f"request: {invalid}")
            raise UpstreamError(f"{verb} {url}: {invalid}", url=url, reason="request")
        if data:
            body = data.encode() if isinstance(data, str) else data
        elif json is not None:
            content_type = "application/json"
            try:
                body = json_dumps(json, allow_nan=False).encode()
            except ValueError as exc:  # NaN or infinity: not JSON, refused as requests refuses it
                call.request_body = capture_body(_json.dumps(json, default=str).encode(), content_type,
                                                 self._journal.body_limit)
                self._finish(call, started, error=f"request: {exc}")
                raise UpstreamError(f"{verb} {url}: {exc}", url=url, reason="request") from None
        if json is not None and content_type is not None and body is not None:
            # The bytes sent; when they decode to the value itself, its redaction spares a parse.
            if _is_native(json):
                call.request_body = capture_body(body, content_type, self._journal.body_limit,
                                                 redacted=redact_json(json))
            else:
                call.request_body = capture_body(body, content_type, self._journal.body_limit)
        elif json is not None:  # data was sent instead: the value is journaled as before
            call.request_body = capture_body(_json.dumps(json, default=str).encode(), "application/json",
                                             self._journal.body_limit)
        elif data is not None:
            raw = data.encode() if isinstance(data, str) else data
            call.request_body = capture_body(raw, _mimetype(sent_headers.get("Content-Type")),
                                             self._journal.body_limit)
        wire = _wire_headers(sent_headers, body, verb, content_type)
        started = time.perf_counter()
        try:
            status, reason, answer_headers, content, answer = self._pool.send(verb, url, body, wire,
                                                                              connect, read)
        except TransportError as exc:
            self._finish(call, started, error=f"{exc.reason}: {exc}")
            if exc.reason == "timeout":
                raise UpstreamError(f"{verb} {url} timed out", url=url, reason="timeout") from None
            if exc.reason == "connection":
                raise UpstreamError(f"{verb} {url}: connection failed", url=url,
                                    reason="connection") from None
            raise UpstreamError(f"{verb} {url}: {exc}", url=url, reason="request") from None
        response = _response(status, reason, answer_headers, content, url, answer)
        call.status = response.status_code
        call.response_body = capture_body(
            response.content, _mimetype(response.headers.get("Content-Type")), self._journal.body_limit
        )
        self._finish(call, started)
        return response

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close the kept connections (a later call opens new ones)."""
        with self._lock:
            transport, self._pool = self._pool, Transport()
        transport.close()

    def _finish(self, call: OutboundCall, started: float, *, error: str | None = None) -> None:
        call.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        call.error = error
        exchange = g.get("mock_exchange") if has_app_context() else None
        if isinstance(exchange, Exchange):
            exchange.outbound.append(call)
            return
        # Not inside an inbound exchange (a background task): journal the call on its own.
        self._journal.record(
            Exchange(
                id=self._journal.allocate_id(),
                party=self._party,
                session=call.session,
                timestamp=call.timestamp,
                real_timestamp=datetime.fromtimestamp(self._clock.real_timestamp(), tz=UTC).isoformat(),
                method=call.method,
                path=call.url,
                direction="outbound",
                request_body=call.request_body,
                status=call.status,
                response_body=call.response_body,
                duration_ms=call.duration_ms,
                outbound=[call],
                error=error,
            )
        )
