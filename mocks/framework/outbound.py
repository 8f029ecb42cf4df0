"""Calls from one mock to another party, by URL, journaled and failure-typed.

Parties talk to each other only over HTTP (any of them may be the real system in conformance mode),
so every outbound call goes through :class:`OutboundClient`: it propagates the caller's
``X-Sim-Session`` so the whole scenario stays in one isolated world, bounds every call with timeouts,
records the call (redacted) in the journal linked to the inbound exchange being handled, and turns
connection failures and timeouts into one typed :class:`UpstreamError` that the party can map to its
own code (for example 409 ``REMOTE_COMMUNICATION_ERROR``).
"""

from __future__ import annotations

import json as _json
import threading
import time
import weakref
from datetime import UTC, datetime
from typing import Any

import requests
from flask import g, has_app_context

from .clock import VirtualClock
from .errors import MockError
from .isolation import SESSION_HEADER, current_session
from .journal import Exchange, Journal, OutboundCall, capture_body

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "OutboundClient", "UpstreamError"]

DEFAULT_TIMEOUT = (2.0, 10.0)
MAX_TIMEOUT = 60.0


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


class _ThreadHttp:
    """One thread's ``requests.Session``, closed when the thread ends and its thread-local goes.

    The threaded server starts a thread per connection, so sessions must not outlive their thread:
    kept in a list, one per connection ever served, they grew for as long as the mock ran.
    """

    def __init__(self) -> None:
        self.http = requests.Session()
        self.http.trust_env = False  # never route simulated traffic through a configured proxy
        weakref.finalize(self, self.http.close)


class OutboundClient:
    """A thin, thread-safe wrapper over ``requests.Session`` (one session per thread)."""

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
        self._local = threading.local()
        self._sessions: weakref.WeakSet[requests.Session] = weakref.WeakSet()  # live ones, for close()
        self._lock = threading.Lock()

    @staticmethod
    def _clamp(timeout: float | tuple[float, float]) -> tuple[float, float]:
        pair = (timeout, timeout) if isinstance(timeout, int | float) else timeout
        connect, read = (min(max(float(v), 0.001), MAX_TIMEOUT) for v in pair)
        return connect, read

    def _http(self) -> requests.Session:
        holder: _ThreadHttp | None = getattr(self._local, "holder", None)
        if holder is None:
            holder = _ThreadHttp()
            self._local.holder = holder
            with self._lock:
                self._sessions.add(holder.http)
        return holder.http

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
        sent_headers = dict(headers or {})
        sent_headers.setdefault(SESSION_HEADER, key)
        limits = self._timeout if timeout is None else self._clamp(timeout)
        call = OutboundCall(
            method=method.upper(), url=url, session=key, timestamp=self._clock.now(key).isoformat()
        )
        if json is not None:
            call.request_body = capture_body(
                _json.dumps(json, default=str).encode(), "application/json", self._journal.body_limit
            )
        elif data is not None:
            raw = data.encode() if isinstance(data, str) else data
            call.request_body = capture_body(raw, _mimetype(sent_headers.get("Content-Type")),
                                             self._journal.body_limit)
        started = time.perf_counter()
        try:
            response = self._http().request(
                method, url, json=json, data=data, headers=sent_headers, timeout=limits, allow_redirects=False
            )
        except requests.Timeout as exc:
            self._finish(call, started, error=f"timeout: {exc}")
            raise UpstreamError(f"{method.upper()} {url} timed out", url=url, reason="timeout") from None
        except requests.ConnectionError as exc:
            self._finish(call, started, error=f"connection: {exc}")
            raise UpstreamError(f"{method.upper()} {url}: connection failed", url=url,
                                reason="connection") from None
        except requests.RequestException as exc:
            self._finish(call, started, error=f"request: {exc}")
            raise UpstreamError(f"{method.upper()} {url}: {exc}", url=url, reason="request") from None
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
        with self._lock:
            sessions = list(self._sessions)
            self._sessions = weakref.WeakSet()
        for http in sessions:
            http.close()

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
