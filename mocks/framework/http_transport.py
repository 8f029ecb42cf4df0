"""The HTTP/1.1 client transport under :class:`mocks.framework.outbound.OutboundClient`.

:class:`Transport` sends one request and reads its whole answer (:meth:`Transport.send`), keeping
connections alive per host:port; a failure is one :class:`TransportError` whose ``reason`` is
``timeout``, ``connection`` or ``request``.

How ``http://`` calls are made, and why: with the standard library's :mod:`http.client` directly.
``requests.Session`` spent about as much CPU preparing a call (hooks, cookies, proxies, header
merging) as the exchange itself, and urllib3's pool (what ``requests`` calls) still cost about twice
a kept-alive ``http.client`` exchange (its ``Retry``/``Timeout`` objects, pool bookkeeping, response
wrapper and header containers, URL parsing).  So the request head is written here byte for byte as
urllib3 writes it through ``http.client`` (request line with urllib3's percent-encoded target,
``Host``, the headers given - for the client, the ``requests`` session headers in their order, the
caller's, ``Content-Length`` - ; an unusual URL - percent signs, dot segments, non-ASCII, IPv6, user
info - is parsed by urllib3's own ``parse_url`` so its target stays urllib3's), sent with the body in
one ``sendall`` where it is small, and the answer is read by ``http.client.HTTPResponse`` (status
line, Content-Length, chunked or close-delimited body; header lines that are plain ``Name: value``
lines are split here instead of by its email parser, which took a fifth of a small call - the same
fields either way, any other line still goes to the email parser).  The tests compare the bytes
received by a raw socket server with what ``requests`` (and urllib3 for odd URLs) sends.
``https://`` calls (a real system in conformance mode; never on the simulated hot path) keep going
through urllib3 with requests' CA bundle, unchanged.

Keep-alive: each transport keeps at most ``POOL_CONNECTIONS`` idle connections per host:port for at
most ``POOL_HOSTS`` hosts; a call takes one (the most recently returned) for one exchange and gives
it back once the response is read whole, unless the server said ``Connection: close`` (or the body
ran to the end of the connection).  More concurrent calls than that open extra connections, closed
after use.  Stale connections: a kept connection that is readable before the request is sent (the
server closed it while it was idle, or sent something unasked) is closed and a fresh one opened - the
check urllib3 made here before (``is_connection_dropped`` on taking a connection from its pool).  A
request is never re-sent (urllib3 ran with ``Retry(0, read=False)``, so it never re-sent either): a
failure after the request went out is a :class:`TransportError` (the client's ``UpstreamError``)
even on a reused connection.  Retrying once on a reused connection when nothing of the answer had
arrived was considered and left out: it would only add a second chance for the narrow race of a
server closing the connection between that check and the request, while a server that read the
request and then dropped the connection unanswered (a worker that crashed or was killed, a proxy)
looks exactly the same from here, and re-sending a POST then runs it twice.

Failures: a connect timeout, or no (whole) answer within the read timeout, is reason ``timeout``;
refused, reset, closed, or malformed answers are ``connection``; a URL that cannot be sent (or a
body that does not decode as its ``Content-Encoding`` says) is ``request`` with urllib3's message.
Sending under the connect timeout and reading under the read timeout, a broken pipe while sending
tolerated (the server may have answered early) - all as urllib3 does.  A header or method that
http.client would refuse raises its ``ValueError``, as it did through ``requests``.
"""

from __future__ import annotations

import contextlib
import email.parser
import errno
import http.client
import io
import queue
import re
import select
import socket
import threading
from collections import OrderedDict
from typing import Any

import urllib3
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH
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

__all__ = ["POOL_CONNECTIONS", "POOL_HOSTS", "Transport", "TransportError"]

#: Hosts (parties) whose connections a transport keeps, and idle connections kept per host; more
#: concurrent calls than that open extra connections, closed after use (as requests' defaults).
POOL_HOSTS = 10
POOL_CONNECTIONS = 10

#: What requests' HTTPAdapter uses for https: no retry of any kind, a read error is raised as it is.
_NO_RETRIES = Retry(0, read=False)
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


class TransportError(Exception):
    """An exchange that failed: ``reason`` is ``timeout``, ``connection`` or ``request``; the message
    is the cause's type and text (http://) or urllib3's message (a URL or body it refused, https://)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _failed(reason: str, cause: BaseException) -> TransportError:
    """The error of an http:// exchange that failed with ``cause`` for ``reason``."""
    return TransportError(reason, f"{type(cause).__name__}: {cause}")


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


def _read_failure(exc: BaseException) -> TransportError:
    """A failure while waiting for or reading the answer, as urllib3 classifies it."""
    if isinstance(exc, TimeoutError) or (isinstance(exc, OSError) and exc.errno in _BLOCKING_ERRNOS):
        return _failed("timeout", exc)
    return _failed("connection", exc)


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
        elif verb not in _NO_BODY_METHODS:  # never from OutboundClient: it gives every other method a length
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


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as exc:
        raise _failed("timeout", exc) from None
    except OSError as exc:  # refused, unreachable, no such host
        raise _failed("connection", exc) from None
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as urllib3: no Nagle delay
    return sock


def _exchange(pool: _HostPool, host: str, port: int, verb: str, head: bytes, body: bytes | None,
              chunked: bool, connect: float, read: float) -> tuple[_Answer, bytes]:
    """One request and its whole answer on a kept connection (or a new one), returned to the pool
    when the server keeps it open.  Raises :class:`TransportError`."""
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
                raise _failed("connection", exc) from None
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


class Transport:
    """One client's kept connections and its exchanges: ``pools`` for http://, a urllib3
    PoolManager for https:// (made on first use).  Thread-safe."""

    def __init__(self) -> None:
        self.pools = _HostPools()
        self._https: urllib3.PoolManager | None = None
        self._lock = threading.Lock()

    def send(self, verb: str, url: str, body: bytes | None, headers: dict[str, Any], connect: float,
             read: float) -> tuple[int, str, CaseInsensitiveDict[str], bytes, Any]:
        """One request (``headers`` sent as given, in their order, with what urllib3 adds) and its whole
        answer: ``(status, reason, headers, body, raw)``, the body with its Content-Encoding undone and
        ``raw`` the response object read (http.client's for http://, urllib3's for https://).

        ``connect`` and ``read`` are the timeouts in seconds.  Raises :class:`TransportError`; a header
        or method http.client refuses raises its ``ValueError``.
        """
        if url[:5].lower() == "https":
            return self._send_https(verb, url, body, headers, connect, read)
        return self._send_http(verb, url, body, headers, connect, read)

    def _send_http(self, verb: str, url: str, body: bytes | None, headers: dict[str, Any], connect: float,
                   read: float) -> tuple[int, str, CaseInsensitiveDict[str], bytes, Any]:
        try:
            host, port, target, host_header = _http_target(url)
        except HTTPError as exc:  # a URL urllib3 cannot use (bad port, no host ...)
            raise TransportError("request", str(exc)) from None
        head, chunked = _request_head(verb, target, host_header, headers)
        answer, content = _exchange(self.pools.get((host, port)), host, port, verb, head, body, chunked,
                                    connect, read)
        fields = _answer_headers(answer)
        if content and "content-encoding" in fields:
            try:
                content = _decoded(content, fields, answer)
            except HTTPError as exc:  # a body that does not decode as its Content-Encoding says
                raise TransportError("request", str(exc)) from None
        return answer.status, answer.reason, fields, content, answer

    def _send_https(self, verb: str, url: str, body: bytes | None, headers: dict[str, Any], connect: float,
                    read: float) -> tuple[int, str, CaseInsensitiveDict[str], bytes, Any]:
        try:
            answer = self._https_pool().urlopen(verb, url, body=body, headers=headers, redirect=False,
                                                retries=_NO_RETRIES,
                                                timeout=urllib3.Timeout(connect=connect, read=read),
                                                preload_content=True, decode_content=True)
        except Exception as exc:
            reason = _failure_reason(exc)
            if reason is None:
                raise
            raise TransportError(reason, str(exc)) from None
        return answer.status, answer.reason, CaseInsensitiveDict(answer.headers), answer.data, answer

    def _https_pool(self) -> urllib3.PoolManager:
        with self._lock:
            if self._https is None:
                # requests' CA bundle (not the environment's: simulated traffic ignores proxy/CA variables).
                self._https = urllib3.PoolManager(num_pools=POOL_HOSTS, maxsize=POOL_CONNECTIONS, block=False,
                                                  retries=_NO_RETRIES, ca_certs=DEFAULT_CA_BUNDLE_PATH)
            return self._https

    def close(self) -> None:
        """Close the kept connections (a later call opens new ones)."""
        self.pools.clear()
        with self._lock:
            https, self._https = self._https, None
        if https is not None:
            https.clear()
