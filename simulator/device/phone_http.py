"""The phone's HTTP stack: kept-alive HTTP/1.1 connections and a small ``requests.Session``-like client.

Why not ``requests``: a load generator runs thousands of virtual phones, and ``requests.Session``
spends about twice the CPU of the HTTP exchange itself preparing each call (hooks, cookies, proxy
lookups in the environment, header merging, URL re-parsing).  :class:`PhoneSession` sends the same
wire - the same request line, the same headers in the same order (``requests``' defaults, then the
session's, then the call's; ``Content-Length``, and ``Content-Type`` for a JSON body), the same JSON
bytes (``json.dumps(obj, allow_nan=False)``) - over plain sockets that a :class:`ConnectionPool`
keeps alive per origin, reading the answers with a minimal HTTP/1.1 reader (:class:`Connection`)
instead of :mod:`http.client`'s e-mail header parser.  It offers the subset of ``requests.Session`` the
phone's SDKs use (``headers``, ``request``/``get``/``post``/``put``/``delete`` with ``params``,
``data``, ``json``, ``headers`` and ``timeout``; ``close``), answers with :class:`PhoneResponse`
(``status_code``, ``content``, ``text``, ``json()``, ``headers``, ``elapsed`` …) and raises
``requests``' own exceptions (``ConnectionError``, ``ConnectTimeout``, ``ReadTimeout``), so the SDKs'
error handling is the same whichever session they are given.

Connection reuse follows the mobile HTTP stacks (OkHttp's ``retryOnConnectionFailure``): an idle
connection the server has closed is noticed before use and replaced; a reused connection that fails
before any byte of the answer arrived (the server closed it as the request went out) is retried once
on a new connection.  A new connection that fails is an error, as is any failure after the answer
began.  Environment proxies and ``.netrc`` are never consulted (the parties are addressed directly).
"""

from __future__ import annotations

import datetime as dt
import functools
import json as _json
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import default_headers
from urllib3.util.wait import wait_for_read

from simulator.encoding import json_dumps

try:
    from urllib3.util.request import _get_default_user_agent as _urllib3_agent
except ImportError:  # pragma: no cover - older urllib3
    def _urllib3_agent() -> str:
        return "python-urllib3"

__all__ = ["ConnectionPool", "PhoneResponse", "PhoneSession"]

#: Idle connections kept per origin (more concurrent calls open extra ones, closed after use).
IDLE_PER_ORIGIN = 10
_URLLIB3_AGENT = _urllib3_agent()
#: What ``requests.Session`` starts with: User-Agent, Accept-Encoding, Accept, Connection.
_DEFAULT_HEADERS: tuple[tuple[str, str], ...] = tuple(default_headers().items())

Timeout = float | tuple[float | None, float | None] | None
#: status, reason, headers, raw body, whether the connection stays open
_Answer = tuple[int, str, CaseInsensitiveDict[str], bytes, bool]
Origin = tuple[str, str, int]


class _Request:
    """What a response hook may want to know of the request (``requests``' ``response.request``)."""

    __slots__ = ("method", "url")

    def __init__(self, method: str, url: str) -> None:
        self.method, self.url = method, url


class PhoneResponse:
    """A fully read answer, with the ``requests.Response`` attributes the SDKs use."""

    __slots__ = ("content", "elapsed", "headers", "reason", "request", "status_code", "url")

    def __init__(self, status: int, reason: str, headers: CaseInsensitiveDict[str], content: bytes,
                 request: _Request, elapsed: dt.timedelta) -> None:
        self.status_code, self.reason, self.headers, self.content = status, reason, headers, content
        self.request, self.url, self.elapsed = request, request.url, elapsed

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def encoding(self) -> str:
        """The charset the ``Content-Type`` names, else UTF-8 (JSON's)."""
        for part in (self.headers.get("Content-Type") or "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip("'\"")
        return "utf-8"

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self.encoding, "replace")
        except LookupError:
            return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The parsed JSON body; a body that is not JSON raises ``ValueError``."""
        return _json.loads(self.content)

    def raise_for_status(self) -> None:
        if 400 <= self.status_code < 600:
            side = "Client" if self.status_code < 500 else "Server"
            raise requests.HTTPError(f"{self.status_code} {side} Error: {self.reason} for url: {self.url}",
                                     response=self)  # type: ignore[arg-type]


class _Closed(Exception):
    """The server closed the connection before any byte of the answer (``RemoteDisconnected``)."""


class _WireError(Exception):
    """The answer is not HTTP/1.x as this client reads it, or it broke off midway."""


class Connection:
    """One HTTP/1.1 connection: writes a request in one go and reads exactly one answer back.

    The reader is the minimal HTTP/1.1 a JSON API needs: status line, headers, a body framed by
    ``Content-Length``, by ``Transfer-Encoding: chunked`` or by the close of the connection;
    interim ``1xx`` answers are skipped.
    """

    __slots__ = ("_buffer", "host", "sock")

    def __init__(self, sock: socket.socket, host: str) -> None:
        self.sock, self.host = sock, host
        self._buffer = bytearray()

    def close(self) -> None:
        self.sock.close()

    def is_dropped(self) -> bool:
        """Whether the idle connection was closed by the server (or it sent something unasked)."""
        if self._buffer:
            return True
        sock = self.sock
        if isinstance(sock, ssl.SSLSocket):
            return bool(wait_for_read(sock, timeout=0.0))
        try:
            sock.settimeout(0.0)
            sock.recv(1, socket.MSG_PEEK)  # an answer (EOF or bytes) while idle: not reusable
        except BlockingIOError:
            return False
        except OSError:
            return True
        return True

    def _fill(self, at_start: bool) -> None:
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            if at_start and not self._buffer:
                raise _Closed("the server closed the connection without an answer")
            raise _WireError("the connection closed in the middle of the answer")
        self._buffer += chunk

    def _line(self, limit: int = 65536) -> bytes:
        buffer = self._buffer
        while (end := buffer.find(b"\r\n")) < 0:
            if len(buffer) > limit:
                raise _WireError("an answer line is too long")
            self._fill(False)
        line = bytes(buffer[:end])
        del buffer[:end + 2]
        return line

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill(False)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _head(self) -> tuple[str, int, str, list[tuple[str, str]]]:
        buffer, first = self._buffer, True
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            if len(buffer) > 65536:
                raise _WireError("the answer's headers are too long")
            self._fill(first)
            first = False
        head = bytes(buffer[:end]).decode("iso-8859-1")
        del buffer[:end + 4]
        status_line, *lines = head.split("\r\n")
        version, _, rest = status_line.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise _WireError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        headers: list[tuple[str, str]] = []
        for line in lines:
            if line[:1] in (" ", "\t") and headers:  # obsolete folding: continues the previous value
                name, value = headers[-1]
                headers[-1] = (name, value + " " + line.strip())
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise _WireError(f"not a header line: {line[:80]!r}")
            headers.append((name.strip(), value.strip()))
        return version, int(code), reason.strip(), headers

    def exchange(self, request: bytes, body: bytes | None, method: str) -> _Answer:
        """Send the request and read its answer: status, reason, headers, raw body, keep-alive."""
        self.sock.sendall(request + body if body and len(body) < 65536 else request)
        if body and len(body) >= 65536:
            self.sock.sendall(body)
        while True:
            version, status, reason, fields = self._head()
            if status >= 200 or status == 101:
                break
        by_name: dict[str, tuple[str, str]] = {}
        for name, value in fields:
            lower = name.lower()
            by_name[lower] = (name, f"{by_name[lower][1]}, {value}") if lower in by_name else (name, value)
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(dict(by_name.values()))
        connection = by_name.get("connection", ("", ""))[1].lower()
        keep_alive = "close" not in connection and (version != "HTTP/1.0" or "keep-alive" in connection)
        if method == "HEAD" or status in (204, 304):
            return status, reason, headers, b"", keep_alive
        if "chunked" in by_name.get("transfer-encoding", ("", ""))[1].lower():
            parts = []
            while True:
                size_text = self._line().split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError as exc:
                    raise _WireError(f"bad chunk size {size_text[:20]!r}") from exc
                if size == 0:
                    while self._line():  # trailers, up to the empty line
                        pass
                    break
                parts.append(self._exactly(size))
                if self._exactly(2) != b"\r\n":
                    raise _WireError("a chunk does not end with CRLF")
            return status, reason, headers, b"".join(parts), keep_alive and not self._buffer
        length = by_name["content-length"][1] if "content-length" in by_name else None
        if length is not None:
            try:
                size = int(length)
            except ValueError as exc:
                raise _WireError(f"bad Content-Length {length[:20]!r}") from exc
            return status, reason, headers, self._exactly(size), keep_alive and not self._buffer
        while True:  # framed by the close of the connection
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self._buffer += chunk
        data = bytes(self._buffer)
        self._buffer.clear()
        return status, reason, headers, data, False


class _Headers(CaseInsensitiveDict):  # type: ignore[type-arg]
    """``requests.Session.headers``: case-insensitive, in order; :meth:`pairs` for the wire."""

    def pairs(self) -> list[tuple[str, str]]:
        """(name as set, value) in order, without a lookup per name."""
        return list(self._store.values())


class ConnectionPool:
    """Idle kept-alive connections per origin (scheme, host, port), lent to one request at a time.

    Not locked: one virtual phone (or one load client's journeys) uses it from one thread or greenlet.
    """

    def __init__(self, idle_per_origin: int = IDLE_PER_ORIGIN) -> None:
        self.idle_per_origin = idle_per_origin
        self._idle: dict[Origin, list[Connection]] = {}
        self._ssl: ssl.SSLContext | None = None

    def origins(self) -> set[Origin]:
        """The origins this pool has connected to."""
        return set(self._idle)

    def connect(self, origin: Origin, connect_timeout: float | None) -> Connection:
        """A new connection to ``origin`` (TLS verified against ``requests``' CA bundle for https)."""
        scheme, host, port = origin
        sock = socket.create_connection((host, port), timeout=connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                if self._ssl is None:
                    self._ssl = ssl.create_default_context(cafile=requests.certs.where())
                sock = self._ssl.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        self._idle.setdefault(origin, [])
        return Connection(sock, _host_header(origin))

    def borrow(self, origin: Origin) -> Connection | None:
        """An idle connection to ``origin`` the server has not closed, if any."""
        idle = self._idle.setdefault(origin, [])
        while idle:
            conn = idle.pop()
            if not conn.is_dropped():
                return conn
            conn.close()
        return None

    def give_back(self, origin: Origin, conn: Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) < self.idle_per_origin:
            idle.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        """Close every idle connection (the pool stays usable and opens new ones)."""
        for idle in self._idle.values():
            while idle:
                idle.pop().close()


def _host_header(origin: Origin) -> str:
    """``Host`` as http.client writes it: the port only when not the scheme's default."""
    scheme, host, port = origin
    name = f"[{host}]" if ":" in host else host
    return name if port == (443 if scheme == "https" else 80) else f"{name}:{port}"


def _split_timeout(timeout: Timeout) -> tuple[float | None, float | None]:
    if isinstance(timeout, tuple):
        return timeout[0], timeout[1]
    return timeout, timeout


@functools.lru_cache(maxsize=512)
def _origin_and_target(url: str) -> tuple[Origin, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise requests.exceptions.InvalidSchema(f"No connection adapters were found for {url!r}")
    if not parts.hostname:
        raise requests.exceptions.InvalidURL(f"Invalid URL {url!r}: No host supplied")
    port = parts.port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return (scheme, parts.hostname, port), target


def _request_head(verb: str, target: str, host: str, wire: dict[str, str]) -> bytes:
    """Request line and headers as urllib3 writes them: ``Host`` first (unless given), ``Accept-Encoding:
    identity`` when none is given, ``User-Agent`` when none is given, then the headers in order."""
    lines = [f"{verb} {target} HTTP/1.1"]
    keys = {name.lower() for name in wire}
    if "host" not in keys:
        lines.append(f"Host: {host}")
    if "accept-encoding" not in keys:
        lines.append("Accept-Encoding: identity")
    if "user-agent" not in keys:
        lines.append(f"User-Agent: {_URLLIB3_AGENT}")
    lines.extend(f"{name}: {value}" for name, value in wire.items())
    lines.append("\r\n")
    try:
        return "\r\n".join(lines).encode("iso-8859-1")
    except UnicodeEncodeError:  # http.client encodes header values as Latin-1 too
        raise requests.exceptions.InvalidHeader("a header value is not Latin-1 text") from None


def _decoded(body: bytes, encoding: str | None) -> bytes:
    """The body without its ``Content-Encoding`` (``requests`` asks for gzip/deflate and undoes it)."""
    if not body or not encoding:
        return body
    name = encoding.strip().lower()
    try:
        if name == "gzip":
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if name == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except zlib.error as exc:
        raise requests.exceptions.ContentDecodingError(
            f"answer body does not decode as {name}: {exc}") from exc
    return body


class PhoneSession:
    """A ``requests.Session``-like client over a :class:`ConnectionPool` (see the module docstring).

    ``pool``: connections kept alive across sessions (a load client's); without one the session has
    its own, closed by :meth:`close`.  ``on_response`` callables see every answer (as ``requests``'
    response hooks do).
    """

    def __init__(self, pool: ConnectionPool | None = None, *,
                 on_response: Callable[[PhoneResponse], None] | None = None) -> None:
        self._own_pool = pool is None
        self.pool = pool if pool is not None else ConnectionPool()
        self.headers = _Headers(dict(_DEFAULT_HEADERS))
        self.on_response: list[Callable[[PhoneResponse], None]] = [on_response] if on_response else []
        #: Accepted for ``requests.Session`` compatibility; the environment is never consulted.
        self.trust_env = False

    def close(self) -> None:
        if self._own_pool:
            self.pool.close()

    def __enter__(self) -> PhoneSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(self, url: str, **kwargs: Any) -> PhoneResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: bytes | str | None = None, json: Any = None,
             **kwargs: Any) -> PhoneResponse:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: bytes | str | None = None, **kwargs: Any) -> PhoneResponse:
        return self.request("PUT", url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> PhoneResponse:
        return self.request("DELETE", url, **kwargs)

    def _wire_headers(self, headers: Mapping[str, str] | None, body: bytes | None, method: str,
                      content_type: str | None) -> dict[str, str]:
        """``requests``' merge: session headers, then the call's (case-insensitive, in the session
        header's place), ``None`` values dropped, then length and JSON type."""
        merged: dict[str, tuple[str, str | None]] = {k.lower(): (k, v) for k, v in self.headers.pairs()}
        for name, value in (headers or {}).items():
            lower = name.lower()
            merged[lower] = (name, value)
        if body is not None:
            merged["content-length"] = ("Content-Length", str(len(body)))
        elif method not in ("GET", "HEAD") and "content-length" not in merged:
            merged["content-length"] = ("Content-Length", "0")
        if content_type is not None and "content-type" not in merged:
            merged["content-type"] = ("Content-Type", content_type)
        return {name: value for name, value in merged.values() if value is not None}

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | str | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout = None,
    ) -> PhoneResponse:
        """Send one request and read the whole answer, whatever its status."""
        verb = method.upper()
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        origin, target = _origin_and_target(url)
        body: bytes | None = None
        content_type: str | None = None
        if data:
            body = data.encode("utf-8") if isinstance(data, str) else data
        elif json is not None:
            content_type = "application/json"
            body = json_dumps(json, allow_nan=False).encode("utf-8")
        wire = self._wire_headers(headers, body, verb, content_type)
        connect_timeout, read_timeout = _split_timeout(timeout)
        started = time.perf_counter()
        answer = self._exchange(origin, verb, target, body, wire, connect_timeout, read_timeout, url)
        status, reason, answer_headers, content = answer
        response = PhoneResponse(status, reason, answer_headers, content, _Request(verb, url),
                                 dt.timedelta(seconds=time.perf_counter() - started))
        for hook in self.on_response:
            hook(response)
        return response

    def _exchange(self, origin: Origin, verb: str, target: str, body: bytes | None, wire: dict[str, str],
                  connect_timeout: float | None, read_timeout: float | None,
                  url: str) -> tuple[int, str, CaseInsensitiveDict[str], bytes]:
        conn = self.pool.borrow(origin)
        while True:
            reused = conn is not None
            if conn is None:
                conn = self._connect(origin, connect_timeout, url)
            request = _request_head(verb, target, conn.host, wire)
            conn.sock.settimeout(read_timeout)
            try:
                status, reason, headers, content, keep_alive = conn.exchange(request, body, verb)
            except (_Closed, ConnectionResetError, BrokenPipeError) as exc:
                conn.close()
                if reused:  # closed by the server as the request went out: once more, anew
                    conn = None
                    continue
                raise requests.exceptions.ConnectionError(f"{verb} {url}: {exc}") from exc
            except TimeoutError as exc:
                conn.close()
                raise requests.exceptions.ReadTimeout(f"{verb} {url}: read timed out ({read_timeout} s)") \
                    from exc
            except (OSError, _WireError) as exc:
                conn.close()
                raise requests.exceptions.ConnectionError(f"{verb} {url}: {exc}") from exc
            if keep_alive:
                self.pool.give_back(origin, conn)
            else:
                conn.close()
            return status, reason, headers, _decoded(content, headers.get("Content-Encoding"))

    def _connect(self, origin: Origin, connect_timeout: float | None, url: str) -> Connection:
        try:
            return self.pool.connect(origin, connect_timeout)
        except TimeoutError as exc:
            raise requests.exceptions.ConnectTimeout(f"connecting for {url} timed out") from exc
        except OSError as exc:
            raise requests.exceptions.ConnectionError(f"cannot connect for {url}: {exc}") from exc
