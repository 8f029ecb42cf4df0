"""The outbound client's HTTP: the bytes it sends (those requests/urllib3 send), the response it hands
back (requests'), keep-alive per host (stale and ``Connection: close`` connections not reused, no
request sent twice), chunked and compressed answers, failures typed, concurrent callers - the
transport (:mod:`mocks.framework.http_transport`) seen through the client; its own parts are tested in
``test_http_transport.py``.

The servers here are raw loopback sockets, so the tests see exactly the bytes on the wire and every
connection accepted.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from mocks.framework import Journal
from mocks.framework.clock import VirtualClock
from mocks.framework.outbound import OutboundClient, UpstreamError

_outbound = sys.modules["mocks.framework.outbound"]  # the package exports a function of that name

#: (connection number, request number on it, request bytes) -> (answer bytes, then close, then reset)
Answer = Callable[[int, int, bytes], tuple[bytes, bool, bool]]


def ok(body: bytes = b'{"ok": true}', *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", "Content-Type: application/json", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _keep_alive(conn: int, index: int, raw: bytes) -> tuple[bytes, bool, bool]:
    return ok(), False, False


class RawServer:
    """A loopback HTTP/1.1 server on raw sockets, a thread per connection: it records every request's
    bytes with its connection, and writes what ``answer`` says (then maybe closes or resets)."""

    def __init__(self, answer: Answer = _keep_alive) -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[tuple[int, int, bytes]] = []
        self.connections = 0
        self.closed = threading.Event()  # set when the server closed a connection itself
        self.eof = threading.Event()  # set when a client closed a connection
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                number = self.connections
                self.connections += 1
                self._sockets.append(sock)
            threading.Thread(target=self._serve, args=(sock, number), daemon=True).start()

    def _serve(self, sock: socket.socket, number: int) -> None:
        buffer = b""
        index = 0
        with sock:
            while True:
                while b"\r\n\r\n" not in buffer:
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        data = b""
                    if not data:
                        self.eof.set()
                        return
                    buffer += data
                head, _, rest = buffer.partition(b"\r\n\r\n")
                fields = {line.split(b":", 1)[0].strip().lower(): line.split(b":", 1)[1].strip()
                          for line in head.split(b"\r\n")[1:]}
                if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
                    while b"0\r\n\r\n" not in rest:
                        rest += sock.recv(65536)
                    end = rest.index(b"0\r\n\r\n") + 5
                else:
                    end = int(fields.get(b"content-length", b"0"))
                    while len(rest) < end:
                        rest += sock.recv(65536)
                raw, buffer = head + b"\r\n\r\n" + rest[:end], rest[end:]
                with self._lock:
                    self.requests.append((number, index, raw))
                answer, close, reset = self.answer(number, index, raw)
                index += 1
                if reset:  # drop the connection unanswered, with a RST (as the fault injection does)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.closed.set()
                    return
                sock.sendall(answer)
                if close:
                    with contextlib.suppress(OSError):  # the client may have gone already
                        sock.shutdown(socket.SHUT_RDWR)
                    self.closed.set()
                    return

    def stop(self) -> None:
        self.listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def start(answer: Answer = _keep_alive) -> RawServer:
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def client() -> Iterator[OutboundClient]:
    client = OutboundClient(Journal(), VirtualClock(), party="p")
    yield client
    client.close()


# ------------------------------------------------------------------------------------ the bytes sent

BIG = {"image": "QUJD" * 40_000, "side": "FRONT"}  # > 64 KB: head and body sent apart

WIRE_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/a/b?x=1&y=2", {}),
    ("GET", "", {}),
    ("POST", "/json", {"json": {"a": 1, "b": "é ☃", "c": [1.5, None, True], "d": {"e": -0.0}}}),
    ("POST", "/big", {"json": BIG}),
    ("POST", "/form", {"data": "k=v&x=%C3%A9",
                       "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
    ("PUT", "/bytes", {"data": b"\x00\x01\xffbinary"}),
    ("DELETE", "/thing/1", {}),
    ("PATCH", "/empty", {}),
    ("POST", "/headers", {"json": {"a": 1}, "headers": {"accept": "application/json", "User-Agent": "party/1",
                                                         "X-Correlation-Id": "c-1",
                                                         "content-type": "text/x"}}),
    ("POST", "/no-encoding", {"json": [1], "headers": {"Accept-Encoding": None, "Connection": None}}),
    ("GET", "/own-session", {"headers": {"X-Sim-Session": "other", "Host": "example.test"}}),
    ("GET", "/q?name=a b&c=d", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), WIRE_CASES)
def test_the_bytes_sent_are_those_requests_sends(raw_server: Callable[..., RawServer], client: OutboundClient,
                                                  method: str, path: str, kwargs: dict[str, Any]) -> None:
    server = raw_server()
    client.request(method, server.url + path, session="s-1", **kwargs)
    with requests.Session() as session:
        headers = {**kwargs.get("headers", {})}
        headers.setdefault("X-Sim-Session", "s-1")
        session.request(method, server.url + path, **{**kwargs, "headers": headers}, timeout=5)
    ours, theirs = (raw for _, _, raw in server.requests)
    assert ours == theirs


ODD_URLS = ["/a/../b/./c", "/%2fx/%7e?%zz=1", "/ü?q=ä", "/x#fragment", "/.well-known/x", "?only=query"]


@pytest.mark.parametrize("path", ODD_URLS)
def test_odd_urls_are_sent_as_urllib3_sent_them(raw_server: Callable[..., RawServer], client: OutboundClient,
                                                 path: str) -> None:
    server = raw_server()
    client.post(server.url + path, json={"a": 1}, session="s-1")
    wire = _outbound._wire_headers({"X-Sim-Session": "s-1"}, b'{"a": 1}', "POST", "application/json")
    with urllib3.PoolManager() as pool:  # what the client did before it wrote the request itself
        pool.urlopen("POST", server.url + path, body=b'{"a": 1}', headers=wire, retries=False, redirect=False)
    ours, theirs = (raw for _, _, raw in server.requests)
    assert ours == theirs


def test_an_upper_case_url_is_sent_as_urllib3_sent_it(raw_server: Callable[..., RawServer],
                                                      client: OutboundClient) -> None:
    server = raw_server()
    port = server.url.rsplit(":", 1)[1]
    client.get(f"HTTP://LocalHost:{port}/Path", session="s-1")
    wire = _outbound._wire_headers({"X-Sim-Session": "s-1"}, None, "GET", None)
    with urllib3.PoolManager() as pool:
        pool.urlopen("GET", f"HTTP://LocalHost:{port}/Path", headers=wire, retries=False, redirect=False)
    ours, theirs = (raw for _, _, raw in server.requests)
    assert ours == theirs and b"\r\nHost: localhost:" in ours


def test_invalid_headers_are_refused_as_http_client_refuses_them(client: OutboundClient) -> None:
    with pytest.raises(ValueError, match="Invalid header value"):
        client.get("http://127.0.0.1:9/x", headers={"X-Bad": "a\r\nInjected: 1"}, session="s")
    with pytest.raises(ValueError, match="Invalid header name"):
        client.get("http://127.0.0.1:9/x", headers={"X Bad:": "a"}, session="s")


# ---------------------------------------------------------------------------------- the response


def _rich(conn: int, index: int, raw: bytes) -> tuple[bytes, bool, bool]:
    body = "{\"name\": \"Žluťoučký\"}".encode("iso-8859-2")
    return (b"HTTP/1.1 201 Created Here\r\nContent-Type: application/json; charset=iso-8859-2\r\n"
            b"X-Dup: a\r\nx-dup: b\r\nX-Fold: one\r\n  two\r\nX-Empty:\r\nX-Space:   v  \r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body, False, False)


def test_the_response_is_what_requests_hands_back(raw_server: Callable[..., RawServer],
                                                  client: OutboundClient) -> None:
    server = raw_server(_rich)
    ours = client.get(server.url + "/r", session="s")
    theirs = requests.get(server.url + "/r", timeout=5)
    assert isinstance(ours, requests.Response) and isinstance(ours.headers, CaseInsensitiveDict)
    assert (ours.status_code, ours.reason, ours.encoding, ours.content) == (
        theirs.status_code, theirs.reason, theirs.encoding, theirs.content)
    assert list(ours.headers.items()) == list(theirs.headers.items())
    assert ours.headers["x-DUP"] == "a, b" and ours.text == theirs.text
    assert ours.json() == {"name": "Žluťoučký"}
    assert ours.url == server.url + "/r" and ours.ok


def _chunked(conn: int, index: int, raw: bytes) -> tuple[bytes, bool, bool]:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\n{\"a\":\r\n4;ext=1\r\n [1,\r\n3\r\n 2]\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n",
            False, False)


def test_a_chunked_answer_is_read_whole_and_its_connection_kept(raw_server: Callable[..., RawServer],
                                                                client: OutboundClient) -> None:
    server = raw_server(_chunked)
    for _ in range(3):
        response = client.get(server.url + "/c", session="s")
        assert response.json() == {"a": [1, 2]} and response.headers["Transfer-Encoding"] == "chunked"
    assert server.connections == 1 and len(server.requests) == 3


def _gzipped(conn: int, index: int, raw: bytes) -> tuple[bytes, bool, bool]:
    body = gzip.compress(b'{"zipped": true}')
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body, False, False)


def test_a_compressed_answer_is_decoded(raw_server: Callable[..., RawServer], client: OutboundClient) -> None:
    server = raw_server(_gzipped)
    response = client.get(server.url + "/z", session="s")
    assert response.content == requests.get(server.url + "/z", timeout=5).content == b'{"zipped": true}'


def test_head_and_no_content_answers_have_no_body(raw_server: Callable[..., RawServer],
                                                  client: OutboundClient) -> None:
    def answer(conn: int, index: int, raw: bytes) -> tuple[bytes, bool, bool]:
        if raw.startswith(b"HEAD"):
            return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n", False, False
        return b"HTTP/1.1 204 No Content\r\n\r\n", False, False

    server = raw_server(answer)
    head = client.request("HEAD", server.url + "/h", session="s")
    empty = client.post(server.url + "/n", json={}, session="s")
    assert (head.status_code, head.content, head.headers["Content-Length"]) == (200, b"", "12")
    assert (empty.status_code, empty.content) == (204, b"")
    assert server.connections == 1


# ------------------------------------------------------------------------------------- keep-alive


def test_connections_are_kept_per_host(raw_server: Callable[..., RawServer], client: OutboundClient) -> None:
    first, second = raw_server(), raw_server()
    for _ in range(5):
        client.get(first.url + "/a", session="s")
        client.post(second.url + "/b", json={"n": 1}, session="s")
    assert (first.connections, second.connections) == (1, 1)
    assert [conn for conn, _, _ in first.requests] == [0] * 5


def test_an_idle_connection_the_server_closed_is_replaced(raw_server: Callable[..., RawServer],
                                                          client: OutboundClient) -> None:
    """The server answers (keep-alive, no ``Connection: close``) and then closes the connection; the
    next call must not fail on it but go on a new connection."""
    server = raw_server(lambda conn, index, raw: (ok(), True, False))
    journal = client._journal
    assert client.get(server.url + "/1", session="s").status_code == 200
    assert server.closed.wait(5)
    assert client.get(server.url + "/2", session="s").status_code == 200
    assert server.connections == 2 and [(c, i) for c, i, _ in server.requests] == [(0, 0), (1, 0)]
    assert [e.outbound[0].status for e in journal.search()] == [200, 200]


def test_a_connection_dropped_after_the_request_was_read_is_not_sent_again(
        raw_server: Callable[..., RawServer], client: OutboundClient) -> None:
    """On a reused connection, a server that reads the request and drops the connection unanswered
    (as a crashed worker would) is a connection failure: the request is not sent a second time."""
    server = raw_server(lambda conn, index, raw: (ok(), False, conn == 0 and index == 1))
    assert client.post(server.url + "/1", json={"n": 1}, session="s").status_code == 200
    with pytest.raises(UpstreamError) as failure:
        client.post(server.url + "/2", json={"n": 2}, session="s")
    assert failure.value.reason == "connection"
    assert str(failure.value) == f"POST {server.url}/2: connection failed"
    assert [(c, i) for c, i, _ in server.requests] == [(0, 0), (0, 1)]
    assert client.post(server.url + "/3", json={"n": 3}, session="s").status_code == 200
    assert server.connections == 2
    errors = [e.outbound[0].error for e in client._journal.search()]
    assert errors[0] is None and errors[1].startswith("connection: ") and errors[2] is None


def test_a_connection_close_answer_is_not_reused(raw_server: Callable[..., RawServer],
                                                 client: OutboundClient) -> None:
    """The server says ``Connection: close`` but leaves the socket open: the client must not reuse it."""
    server = raw_server(lambda conn, index, raw: (ok(b"{}", "Connection: close"), False, False))
    for n in range(3):
        assert client.get(server.url + f"/{n}", session="s").json() == {}
    assert server.connections == 3 and [i for _, i, _ in server.requests] == [0, 0, 0]


def test_an_http_1_0_answer_without_keep_alive_is_not_reused(raw_server: Callable[..., RawServer],
                                                             client: OutboundClient) -> None:
    server = raw_server(lambda conn, index, raw: (ok().replace(b"HTTP/1.1", b"HTTP/1.0"), False, False))
    client.get(server.url + "/a", session="s")
    client.get(server.url + "/b", session="s")
    assert server.connections == 2


def test_close_closes_the_kept_connections(raw_server: Callable[..., RawServer],
                                           client: OutboundClient) -> None:
    server = raw_server()
    client.get(server.url + "/a", session="s")
    client.close()
    assert server.eof.wait(5)  # the kept connection was closed
    client.get(server.url + "/b", session="s")
    assert server.connections == 2


def test_concurrent_callers_share_few_connections(raw_server: Callable[..., RawServer],
                                                  client: OutboundClient) -> None:
    def echo(conn: int, index: int, raw: bytes) -> tuple[bytes, bool, bool]:
        path, body = raw.split(b" ", 2)[1].decode(), json.loads(raw.split(b"\r\n\r\n", 1)[1])
        return ok(json.dumps({"path": path, "body": body}).encode()), False, False

    server = raw_server(echo)
    failures: list[str] = []

    def caller(thread: int) -> None:
        for n in range(50):
            try:
                response = client.post(f"{server.url}/t{thread}/{n}", json={"n": n}, session=f"s{thread}")
                if response.json() != {"path": f"/t{thread}/{n}", "body": {"n": n}}:
                    failures.append(f"{thread}/{n}: {response.text}")
            except Exception as exc:  # reported below
                failures.append(f"{thread}/{n}: {exc!r}")

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(server.requests) == 400
    assert server.connections <= 8  # a connection is opened only when every kept one is in use


# ---------------------------------------------------------------------------------------- failures


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://x/y", "No connection adapters were found for 'ftp://x/y'"),
    ("http://", "Invalid URL 'http://': No host supplied"),
    ("http:///x", "Invalid URL 'http:///x': No host supplied"),
    ("127.0.0.1:5/x", "No connection adapters were found for '127.0.0.1:5/x'"),
    ("http://h:99999/x", "Failed to parse: http://h:99999/x"),
    ("http://h:abc/x", "Failed to parse: http://h:abc/x"),
    ("http://[::1/x", "Failed to parse: http://[::1/x"),
    ("http://:80/x", "No host specified."),
])
def test_a_url_that_cannot_be_sent_is_a_request_failure(client: OutboundClient, url: str,
                                                        message: str) -> None:
    with pytest.raises(UpstreamError) as failure:
        client.get(url, session="s")
    assert (failure.value.reason, str(failure.value)) == ("request", f"GET {url}: {message}")
    (entry,) = client._journal.search()
    assert entry.outbound[0].error == f"request: {message}"


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_a_connection_failure(client: OutboundClient) -> None:
    url = f"http://127.0.0.1:{_dead_port()}/x"
    with pytest.raises(UpstreamError) as failure:
        client.get(url, session="s")
    assert (failure.value.reason, str(failure.value)) == ("connection", f"GET {url}: connection failed")


@pytest.mark.parametrize(("answer", "reason"), [
    (b"", "timeout"),  # nothing within the read timeout
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "timeout"),  # the body stalls
    (b"HELLO\r\n\r\n", "connection"),  # not HTTP
])
def test_an_answer_not_read_in_time_or_not_http_fails_typed(raw_server: Callable[..., RawServer],
                                                            client: OutboundClient, answer: bytes,
                                                            reason: str) -> None:
    server = raw_server(lambda conn, index, raw: (answer, False, False))
    with pytest.raises(UpstreamError) as failure:
        client.get(server.url + "/slow", session="s", timeout=(1.0, 0.3))
    assert failure.value.reason == reason
    assert client._journal.search()[0].outbound[0].error.startswith(reason)


def test_a_body_cut_short_is_a_connection_failure(raw_server: Callable[..., RawServer],
                                                  client: OutboundClient) -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    server = raw_server(lambda conn, index, raw: (cut, True, False))
    with pytest.raises(UpstreamError) as failure:
        client.get(server.url + "/cut", session="s")
    assert failure.value.reason == "connection"
