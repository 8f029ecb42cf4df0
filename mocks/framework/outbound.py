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
its slow escaping of long Base64 strings) - the journal captures the very bytes that are sent.

How ``http://`` calls are made, and why: with the standard library's :mod:`http.client` directly.
``requests.Session`` spent about as much CPU preparing a call (hooks, cookies, proxies, header
merging) as the exchange itself, and urllib3's pool (what ``requests`` calls) still cost about twice
a kept-alive ``http.client`` exchange (its ``Retry``/``Timeout`` objects, pool bookkeeping, response
wrapper and header containers, URL parsing).  So the request head is written here byte for byte as
urllib3 writes it through ``http.client`` (request line with urllib3's percent-encoded target,
``Host``, the ``requests`` session headers in their order, the caller's, ``Content-Length``; an
unusual URL - percent signs, dot segments, non-ASCII, IPv6, user info - is parsed by urllib3's own
``parse_url`` so its target stays urllib3's), sent with the body in one ``sendall`` where it is
small, and the answer is read by ``http.client.HTTPResponse`` (status line, Content-Length, chunked
or close-delimited body; header lines that are plain ``Name: value`` lines are split here instead of
by its email parser, which took a fifth of a small call - the same fields either way, any other line
still goes to the email parser).  The tests compare the bytes received by a raw socket server
with what ``requests`` (and urllib3 for odd URLs) sends.  ``https://`` calls (a real system in
conformance mode; never on the simulated hot path) keep going through urllib3 with requests' CA
bundle, unchanged.

Keep-alive: each client keeps at most ``POOL_CONNECTIONS`` idle connections per host:port for at
most ``POOL_HOSTS`` hosts; a call takes one (the most recently returned) for one exchange and gives
it back once the response is read whole, unless the server said ``Connection: close`` (or the body
ran to the end of the connection).  More concurrent calls than that open extra connections, closed
after use.  Stale connections: a kept connection that is readable before the request is sent (the
server closed it while it was idle, or sent something unasked) is closed and a fresh one opened - the
check urllib3 made here before (``is_connection_dropped`` on taking a connection from its pool).  A
request is never re-sent (urllib3 ran with ``Retry(0, read=False)``, so it never re-sent either): a
failure after the request went out is the caller's :class:`UpstreamError` even on a reused
connection.  Retrying once on a reused connection when nothing of the answer had arrived was
considered and left out: it would only add a second chance for the narrow race of a server closing
the connection between that check and the request, while a server that read the request and then
dropped the connection unanswered (a worker that crashed or was killed, a proxy) looks exactly the
same from here, and re-sending a POST then runs it twice.

Failures: a connect timeout, or no (whole) answer within the read timeout, is reason ``timeout``;
refused, reset, closed, or malformed answers are ``connection``; a URL that cannot be sent is
``request`` with requests' (or urllib3's) message.  Sending under the connect timeout and reading
under the read timeout, a broken pipe while sending tolerated (the server may have answered early)
- all as urllib3 does.
"""

from __future__ import annotations

import contextlib
import email.parser
import errno
import http.client
import io
import json as _json
import math
import queue
import re
import select
import socket
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3
from flask import g, has_app_context
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH, default_headers, get_encoding_from_headers
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    HTTPError,
    LocationValueError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util import SKIP_HEADER, parse_url
from urllib3.util.retry import Retry
from urllib3.util.url import _encode_target

from simulator.encoding import json_dumps

from .clock import VirtualClock
from .errors import MockError
from .isolation import SESSION_HEADER, current_session
from .journal import Exchange, Journal, OutboundCall, capture_body
from .redact import redact_json

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "OutboundClient", "UpstreamError"]

DEFAULT_TIMEOUT = (2.0, 10.0)
MAX_TIMEOUT = 60.0
#: Hosts (parties) whose connections a client keeps, and idle connections kept per host; more
#: concurrent calls than that open extra connections, closed after use (as requests' defaults).
POOL_HOSTS = 10
POOL_CONNECTIONS = 10

#: What requests' HTTPAdapter uses for https: no retry of any kind, a read error is raised as it is.
_NO_RETRIES = Retry(0, read=False)
#: The headers every requests.Session starts with (User-Agent, Accept-Encoding, Accept, Connection).
_DEFAULT_HEADERS: tuple[tuple[str, str], ...] = tuple(default_headers().items())
#: What urllib3 adds when no User-Agent is sent (a caller setting ``User-Agent: None``).
_URLLIB3_USER_AGENT = f"python-urllib3/{urllib3.__version__}"
#: Methods for which urllib3 sends no ``Content-Length: 0`` when there is no body.
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "DELETE", "TRACE", "OPTIONS", "CONNECT"})
#: urllib3's refusal of a method that is not an HTTP token.
_NON_TOKEN = re.compile(r"[^-!#$%&'*+.^_`|~0-9a-zA-Z]")
#: http.client's checks of a header name and value (``putheader``).
_LEGAL_NAME = re.compile(rb"[^:\s][^:\r\n]*").fullmatch
_ILLEGAL_VALUE = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])").search
_SKIPPABLE = frozenset({"accept-encoding", "host", "user-agent"})
#: A URL whose request target urllib3 would send as it is: lower-case host name or IPv4 address,
#: optional port, path and query of characters that need no percent-encoding (no ``%``, no ``#``).
_PLAIN_URL = re.compile(r"http://((?:[a-z0-9-]+\.)*[a-z0-9-]+)(?::([1-9][0-9]{0,4}))?"
                        r"(/[-A-Za-z0-9._~!$&'()*+,;=:@/?]*)?\Z")
#: Bodies up to this size are sent in one ``sendall`` with the head (one copy, one system call).
_JOIN_BODY = 64 * 1024
_BLOCKING_ERRNOS = frozenset({errno.EAGAIN, errno.EWOULDBLOCK})


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


def _failure_reason(exc: Exception) -> str | None:
    """``timeout``/``connection``/``request`` for a urllib3 failure (https), as requests classifies it."""
    if isinstance(exc, MaxRetryError):
        reason = exc.reason
        if isinstance(reason, ConnectTimeoutError) and not isinstance(reason, NewConnectionError):
            return "timeout"
        if isinstance(reason, ResponseError):
            return "request"
        return "connection"  # refused, reset, or any other failure to get an answer
    if isinstance(exc, ProtocolError | OSError | ClosedPoolError):
        return "connection"
    if isinstance(exc, ReadTimeoutError):
        return "timeout"
    if isinstance(exc, HTTPError):
        return "request"  # a URL urllib3 cannot use, an invalid header ...
    return None


class _Failed(Exception):
    """An http:// exchange that failed: ``reason`` is ``timeout`` or ``connection``."""

    def __init__(self, reason: str, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.reason = reason


def _read_failure(exc: BaseException) -> _Failed:
    """A failure while waiting for or reading the answer, as urllib3 classifies it."""
    if isinstance(exc, TimeoutError) or (isinstance(exc, OSError) and exc.errno in _BLOCKING_ERRNOS):
        return _Failed("timeout", exc)
    return _Failed("connection", exc)


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


#: Header lines already written, by (name, value) when both are text: the session defaults, content
#: types, sessions ... (dropped whole when full).
_LINES: dict[tuple[str, str], bytes] = {}
_LINES_MAX = 4096


def _header_line(name: Any, value: Any) -> bytes | None:
    """``Name: value`` as ``http.client.putheader`` writes it (same checks, same errors); ``None`` for
    urllib3's SKIP_HEADER marker on a header it may skip."""
    key = (name, value) if type(name) is str and type(value) is str else None
    if key is not None:
        line = _LINES.get(key)
        if line is not None:
            return line
    if isinstance(value, str) and value == SKIP_HEADER:
        if (name.lower() if isinstance(name, str) else name.decode().lower()) not in _SKIPPABLE:
            raise ValueError("urllib3.util.SKIP_HEADER only supports 'Accept-Encoding', 'Host', 'User-Agent'")
        return None
    raw_name = name.encode("ascii") if hasattr(name, "encode") else name
    if not _LEGAL_NAME(raw_name):
        raise ValueError(f"Invalid header name {raw_name!r}")
    if hasattr(value, "encode"):
        value = value.encode("latin-1")
    elif isinstance(value, int):
        value = str(value).encode("ascii")
    if _ILLEGAL_VALUE(value):
        raise ValueError(f"Invalid header value {value!r}")
    line = raw_name + b": " + value
    if key is not None:
        if len(_LINES) >= _LINES_MAX:
            _LINES.clear()
        _LINES[key] = line
    return line


def _request_head(verb: str, target: str, host_header: str, wire: dict[str, Any]) -> tuple[bytes, bool]:
    """The request line and headers as urllib3 sends them through http.client, and whether an
    (empty) chunked body follows (a caller's ``Transfer-Encoding`` without a body or a length)."""
    found = _NON_TOKEN.search(verb)
    if found:
        raise ValueError(f"Method cannot contain non-token characters {verb!r} "
                         f"(found at least {found.group()!r})")
    keys = {(name.lower() if isinstance(name, str) else name.decode().lower()) for name in wire}
    lines = [f"{verb} {target} HTTP/1.1".encode("ascii")]
    if "host" not in keys:
        lines.append(b"Host: " + host_header.encode("ascii"))
    if "accept-encoding" not in keys:
        lines.append(b"Accept-Encoding: identity")
    chunked = False
    if "content-length" not in keys:
        if "transfer-encoding" in keys:
            chunked = True
        elif verb not in _NO_BODY_METHODS:  # never here: _wire_headers gives every other method a length
            lines.append(b"Content-Length: 0")
    if "user-agent" not in keys:
        lines.append(b"User-Agent: " + _URLLIB3_USER_AGENT.encode("ascii"))
    for name, value in wire.items():
        line = _header_line(name, value)
        if line is not None:
            lines.append(line)
    lines.append(b"\r\n")
    return b"\r\n".join(lines), chunked


def _host_header(host: str, port: int) -> str:
    """``Host`` as http.client writes it for urllib3's connection to ``host:port``."""
    try:
        host.encode("ascii")
        shown = host
    except UnicodeEncodeError:
        shown = host.encode("idna").decode("ascii")
    if ":" in host:
        shown = f"[{shown}]"
    return shown if port == 80 else f"{shown}:{port}"


def _http_target(url: str) -> tuple[str, int, str, str]:
    """(host to connect to, port, request target, Host header) of an ``http://`` URL, as urllib3's
    PoolManager derives them; raises urllib3's ``LocationParseError``/``LocationValueError``."""
    plain = _PLAIN_URL.match(url)
    if plain is not None:
        host, port_text, target = plain.groups()
        port = int(port_text) if port_text else 80
        if port <= 65535 and (target is None or "/." not in target):
            return host, port, target or "/", host if port == 80 else f"{host}:{port}"
    parsed = parse_url(url)
    if not parsed.host:
        raise LocationValueError("No host specified.")
    host = parsed.host.lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    port = parsed.port or 80
    return host, port, _encode_target(parsed.request_uri), _host_header(host.rstrip("."), port)


#: A header line the email parser (``http.client.parse_headers``) reads as ``name: value`` and
#: nothing else: a name of visible ASCII characters but ``:``, no CR but the final CRLF.
_PLAIN_FIELD = re.compile(r"[\x21-\x39\x3b-\x7e]+:[^\r]*\r\n\Z")


class _Fields:
    """An answer's header fields, as :class:`http.client.HTTPMessage` gives them for plain lines:
    ``items()`` in order, ``get(name)`` the first value of a name in any case."""

    __slots__ = ("_items",)

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def items(self) -> list[tuple[str, str]]:
        return self._items

    def get(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        for key, value in self._items:
            if key.lower() == name:
                return value
        return default

    def get_all(self, name: str, failobj: Any = None) -> Any:
        name = name.lower()
        return [value for key, value in self._items if key.lower() == name] or failobj


def _parse_fields(lines: list[bytes]) -> _Fields | http.client.HTTPMessage:
    """The header lines read by ``http.client._read_headers`` (the blank line last), parsed as
    ``http.client.parse_headers`` parses them: split here when every line is plain, else by it."""
    items = []
    for line in lines[:-1]:
        text = line.decode("iso-8859-1")
        if _PLAIN_FIELD.match(text) is None:  # folded, no colon, bare CR or LF ...: the email parser
            return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(
                b"".join(lines).decode("iso-8859-1"))
        name, value = text.split(":", 1)
        items.append((name, value.lstrip(" \t")[:-2]))
    return _Fields(items)


class _Answer(http.client.HTTPResponse):
    """http.client's response, its header lines parsed by :func:`_parse_fields` (the email parser
    took a fifth of a small call's CPU); ``begin`` is Python 3.11's otherwise."""

    def begin(self) -> None:
        if self.headers is not None:
            return
        while True:  # read until a non-100 response
            version, status, reason = self._read_status()  # type: ignore[attr-defined]
            if status != http.client.CONTINUE:
                break
            http.client._read_headers(self.fp)  # type: ignore[attr-defined]
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = _parse_fields(http.client._read_headers(self.fp))  # type: ignore[assignment,attr-defined]
        tr_enc = self.headers.get("transfer-encoding")
        if tr_enc and tr_enc.lower() == "chunked":
            self.chunked = True
            self.chunk_left = None
        else:
            self.chunked = False
        self.will_close = self._check_close()  # type: ignore[attr-defined]
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":  # type: ignore[attr-defined]
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True


def _dropped(sock: socket.socket) -> bool:
    """Whether an idle kept-alive connection is readable: closed by the server (or sent unasked)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _HostPool:
    """Idle kept-alive connections (sockets) to one host:port; ``pool.queue`` lists them, the most
    recently returned last (it is taken first)."""

    __slots__ = ("closed", "pool")

    def __init__(self) -> None:
        self.pool: queue.LifoQueue[socket.socket] = queue.LifoQueue(POOL_CONNECTIONS)
        self.closed = False

    def take(self) -> socket.socket | None:
        while True:
            try:
                sock = self.pool.get_nowait()
            except queue.Empty:
                return None
            if not _dropped(sock):
                return sock
            sock.close()

    def give(self, sock: socket.socket) -> None:
        try:
            self.pool.put_nowait(sock)
        except queue.Full:
            sock.close()
            return
        if self.closed:  # closed meanwhile: whichever of close() and give() runs last closes it
            self.close()

    def close(self) -> None:
        self.closed = True
        while True:
            try:
                self.pool.get_nowait().close()
            except queue.Empty:
                return


class _HostPools:
    """The host pools of one client by (host, port), least recently used first, at most POOL_HOSTS
    (the least recently used one is closed to make room)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._container: OrderedDict[tuple[str, int], _HostPool] = OrderedDict()

    def __len__(self) -> int:
        return len(self._container)

    def get(self, key: tuple[str, int]) -> _HostPool:
        evicted = None
        with self.lock:
            pool = self._container.get(key)
            if pool is None:
                pool = self._container[key] = _HostPool()
                if len(self._container) > POOL_HOSTS:
                    evicted = self._container.popitem(last=False)[1]
            else:
                self._container.move_to_end(key)
        if evicted is not None:
            evicted.close()
        return pool

    def clear(self) -> None:
        with self.lock:
            pools = list(self._container.values())
            self._container.clear()
        for pool in pools:
            pool.close()


class _Pools:
    """A client's kept connections: ``pools`` for http://, a urllib3 PoolManager for https://."""

    def __init__(self) -> None:
        self.pools = _HostPools()
        self._https: urllib3.PoolManager | None = None
        self._lock = threading.Lock()

    def https(self) -> urllib3.PoolManager:
        with self._lock:
            if self._https is None:
                # requests' CA bundle (not the environment's: simulated traffic ignores proxy/CA variables).
                self._https = urllib3.PoolManager(num_pools=POOL_HOSTS, maxsize=POOL_CONNECTIONS, block=False,
                                                  retries=_NO_RETRIES, ca_certs=DEFAULT_CA_BUNDLE_PATH)
            return self._https

    def close(self) -> None:
        self.pools.clear()
        with self._lock:
            https, self._https = self._https, None
        if https is not None:
            https.clear()


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as exc:
        raise _Failed("timeout", exc) from None
    except OSError as exc:  # refused, unreachable, no such host
        raise _Failed("connection", exc) from None
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as urllib3: no Nagle delay
    return sock


def _exchange(pool: _HostPool, host: str, port: int, verb: str, head: bytes, body: bytes | None,
              chunked: bool, connect: float, read: float) -> tuple[_Answer, bytes]:
    """One request and its whole answer on a kept connection (or a new one), returned to the pool
    when the server keeps it open.  Raises :class:`_Failed`."""
    sock = pool.take()
    if sock is None:
        sock = _connect(host, port, connect)
    else:
        sock.settimeout(connect)  # urllib3 sends under the connect timeout
    try:
        try:
            if body is None:
                sock.sendall(head + b"0\r\n\r\n" if chunked else head)
            elif len(body) <= _JOIN_BODY:
                sock.sendall(head + body)
            else:
                sock.sendall(head)
                sock.sendall(body)
        except BrokenPipeError:
            pass  # the server may have answered before reading everything: read what it said
        except OSError as exc:
            if exc.errno not in (errno.EPROTOTYPE, errno.ECONNRESET):
                raise _Failed("connection", exc) from None
        if read != connect:
            sock.settimeout(read)
        answer = _Answer(sock, method=verb)
        try:
            answer.begin()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            answer.close()  # its file holds the socket open
            raise _read_failure(exc) from None
    except BaseException:
        sock.close()
        raise
    if answer.will_close:
        sock.close()
    else:
        pool.give(sock)
    return answer, content


def _decoded(content: bytes, headers: CaseInsensitiveDict[str], answer: http.client.HTTPResponse) -> bytes:
    """The body with its Content-Encoding undone, by urllib3 (as it did it when it read the answer)."""
    raw = urllib3.HTTPResponse(body=io.BytesIO(content), headers=dict(headers.items()), status=answer.status,
                               preload_content=True, decode_content=True)
    return raw.data


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


def _answer_headers(answer: http.client.HTTPResponse) -> CaseInsensitiveDict[str]:
    """The answer's headers as urllib3 combined them (first spelling, repeated values joined)."""
    combined: dict[str, list[str]] = {}
    for name, value in answer.msg.items():
        entry = combined.get(name.lower())
        if entry is None:
            combined[name.lower()] = [name, value]
        else:
            entry.append(value)
    return CaseInsensitiveDict(
        (entry[0], entry[1] if len(entry) == 2 else ", ".join(entry[1:])) for entry in combined.values()
    )


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
        self._pool = _Pools()

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
        if url[:5].lower() == "https":
            response = self._https(call, started, verb, url, body, wire, connect, read)
        else:
            response = self._http(call, started, verb, url, body, wire, connect, read)
        call.status = response.status_code
        call.response_body = capture_body(
            response.content, _mimetype(response.headers.get("Content-Type")), self._journal.body_limit
        )
        self._finish(call, started)
        return response

    def _http(self, call: OutboundCall, started: float, verb: str, url: str, body: bytes | None,
              wire: dict[str, Any], connect: float, read: float) -> requests.Response:
        try:
            host, port, target, host_header = _http_target(url)
        except HTTPError as exc:  # a URL urllib3 cannot use (bad port, no host ...)
            self._finish(call, started, error=f"request: {exc}")
            raise UpstreamError(f"{verb} {url}: {exc}", url=url, reason="request") from None
        head, chunked = _request_head(verb, target, host_header, wire)
        try:
            answer, content = _exchange(self._pool.pools.get((host, port)), host, port, verb, head, body,
                                        chunked, connect, read)
        except _Failed as exc:
            self._finish(call, started, error=f"{exc.reason}: {exc}")
            if exc.reason == "timeout":
                raise UpstreamError(f"{verb} {url} timed out", url=url, reason="timeout") from None
            raise UpstreamError(f"{verb} {url}: connection failed", url=url, reason="connection") from None
        headers = _answer_headers(answer)
        if content and "content-encoding" in headers:
            try:
                content = _decoded(content, headers, answer)
            except HTTPError as exc:  # a body that does not decode as its Content-Encoding says
                self._finish(call, started, error=f"request: {exc}")
                raise UpstreamError(f"{verb} {url}: {exc}", url=url, reason="request") from None
        return _response(answer.status, answer.reason, headers, content, url, answer)

    def _https(self, call: OutboundCall, started: float, verb: str, url: str, body: bytes | None,
               wire: dict[str, Any], connect: float, read: float) -> requests.Response:
        try:
            answer = self._pool.https().urlopen(verb, url, body=body, headers=wire, redirect=False,
                                                retries=_NO_RETRIES,
                                                timeout=urllib3.Timeout(connect=connect, read=read),
                                                preload_content=True, decode_content=True)
        except Exception as exc:
            reason = _failure_reason(exc)
            if reason is None:
                raise
            self._finish(call, started, error=f"{reason}: {exc}")
            if reason == "timeout":
                raise UpstreamError(f"{verb} {url} timed out", url=url, reason="timeout") from None
            if reason == "connection":
                raise UpstreamError(f"{verb} {url}: connection failed", url=url,
                                    reason="connection") from None
            raise UpstreamError(f"{verb} {url}: {exc}", url=url, reason="request") from None
        return _response(answer.status, answer.reason, CaseInsensitiveDict(answer.headers), answer.data,
                         url, answer)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Close the kept connections (a later call opens new ones)."""
        with self._lock:
            pools, self._pool = self._pool, _Pools()
        pools.close()


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
