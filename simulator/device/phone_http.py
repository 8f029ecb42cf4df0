"""The phone's HTTP stack: kept-alive HTTP/1.1 connections and a small ``requests.Session``-like client.

Why not ``requests``: a load generator runs thousands of virtual phones, and ``requests.Session``
spends about twice the CPU of the HTTP exchange itself preparing each call (hooks, cookies, proxy
lookups in the environment, header merging, URL re-parsing).  :class:`PhoneSession` sends the same
wire - the same request line, the same headers in the same order (``requests``' defaults, then the
session's, then the call's; ``Content-Length``, and ``Content-Type`` for a JSON body), the same JSON
bytes (``json.dumps(obj, allow_nan=False)``) - over :mod:`http.client` connections that a
:class:`ConnectionPool` keeps alive per origin.  It offers the subset of ``requests.Session`` the
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
import http.client
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

__all__ = ["ConnectionPool", "PhoneResponse", "PhoneSession"]

#: Idle connections kept per origin (more concurrent calls open extra ones, closed after use).
IDLE_PER_ORIGIN = 10
#: What ``requests.Session`` starts with: User-Agent, Accept-Encoding, Accept, Connection.
_DEFAULT_HEADERS: tuple[tuple[str, str], ...] = tuple(default_headers().items())

Timeout = float | tuple[float | None, float | None] | None
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


class ConnectionPool:
    """Idle kept-alive connections per origin (scheme, host, port), lent to one request at a time.

    Not locked: one virtual phone (or one load client's journeys) uses it from one thread or greenlet.
    """

    def __init__(self, idle_per_origin: int = IDLE_PER_ORIGIN) -> None:
        self.idle_per_origin = idle_per_origin
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._ssl: ssl.SSLContext | None = None

    def origins(self) -> set[Origin]:
        """The origins this pool has connected to."""
        return set(self._idle)

    def connect(self, origin: Origin, connect_timeout: float | None) -> http.client.HTTPConnection:
        """A new connection to ``origin`` (TLS verified against ``requests``' CA bundle for https)."""
        scheme, host, port = origin
        conn: http.client.HTTPConnection
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context(cafile=requests.certs.where())
            conn = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=self._ssl)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def borrow(self, origin: Origin) -> http.client.HTTPConnection | None:
        """An idle connection to ``origin`` the server has not closed, if any."""
        idle = self._idle.setdefault(origin, [])
        while idle:
            conn = idle.pop()
            sock = conn.sock
            # Readable while idle means the server closed it (or sent garbage): not reusable.
            if sock is not None and not wait_for_read(sock, timeout=0.0):
                return conn
            conn.close()
        return None

    def give_back(self, origin: Origin, conn: http.client.HTTPConnection) -> None:
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


def _split_timeout(timeout: Timeout) -> tuple[float | None, float | None]:
    if isinstance(timeout, tuple):
        return timeout[0], timeout[1]
    return timeout, timeout


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
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(dict(_DEFAULT_HEADERS))
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
        merged: dict[str, tuple[str, str | None]] = {k.lower(): (k, v) for k, v in self.headers.items()}
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
            body = _json.dumps(json, allow_nan=False).encode("utf-8")
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
            if conn.sock is not None:
                conn.sock.settimeout(read_timeout)
            try:
                conn.request(verb, target, body=body, headers=wire)
                raw = conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                conn.close()
                if reused:  # closed by the server as the request went out: once more, anew
                    conn = None
                    continue
                raise requests.exceptions.ConnectionError(f"{verb} {url}: {exc}") from exc
            except TimeoutError as exc:
                conn.close()
                raise requests.exceptions.ReadTimeout(f"{verb} {url}: read timed out ({read_timeout} s)") \
                    from exc
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise requests.exceptions.ConnectionError(f"{verb} {url}: {exc}") from exc
            try:
                content = raw.read()
            except TimeoutError as exc:
                conn.close()
                raise requests.exceptions.ReadTimeout(f"{verb} {url}: read timed out ({read_timeout} s)") \
                    from exc
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise requests.exceptions.ChunkedEncodingError(f"{verb} {url}: {exc}") from exc
            headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(raw.getheaders())
            if raw.will_close:
                conn.close()
            else:
                self.pool.give_back(origin, conn)
            return raw.status, raw.reason, headers, _decoded(content, headers.get("Content-Encoding"))

    def _connect(self, origin: Origin, connect_timeout: float | None, url: str) -> http.client.HTTPConnection:
        try:
            return self.pool.connect(origin, connect_timeout)
        except TimeoutError as exc:
            raise requests.exceptions.ConnectTimeout(f"connecting for {url} timed out") from exc
        except OSError as exc:
            raise requests.exceptions.ConnectionError(f"cannot connect for {url}: {exc}") from exc
