"""The phone's HTTP client sends what ``requests`` sends, keeps connections alive and fails as it does."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import requests

from simulator.device.phone_http import ConnectionPool, PhoneSession

Answer = Callable[[bytes], bytes | None]


def _ok(body: bytes = b'{"ok":true}', extra: bytes = b"") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


class RawServer:
    """Answers each request on a connection with ``answer(request_bytes)``; records what came in.

    ``None`` from ``answer`` closes the connection without an answer; ``close_after`` closes each
    connection after that many answers (as a server whose keep-alive ran out)."""

    def __init__(self, answer: Answer, close_after: int = 0) -> None:
        self.answer, self.close_after = answer, close_after
        self.requests: list[bytes] = []
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer, served = b"", 0
        with conn:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, rest = buffer.partition(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(rest) < length:
                    rest += conn.recv(65536)
                request, buffer = head + b"\r\n\r\n" + rest[:length], rest[length:]
                self.requests.append(request)
                reply = self.answer(request)
                if reply is None:
                    return
                conn.sendall(reply)
                served += 1
                if self.close_after and served >= self.close_after:
                    return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[RawServer]:
    srv = RawServer(lambda _request: _ok())
    yield srv
    srv.close()


def _with_requests(url: str, **kwargs: object) -> None:
    with requests.Session() as http:
        http.trust_env = False
        http.headers["X-Sim-Session"] = "s-1"
        http.post(url, timeout=5, **kwargs)  # type: ignore[arg-type]


def _with_phone(url: str, **kwargs: object) -> None:
    with PhoneSession() as http:
        http.headers["X-Sim-Session"] = "s-1"
        http.post(url, timeout=5, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [
    {"json": {"requestObject": {"a": 1, "b": "č"}}},
    {"data": b'{"x":1}', "headers": {"Content-Type": "application/json", "accept": "application/json"}},
    {},
    {"json": {"k": "v"}, "headers": {"X-Admin-Token": "t", "connection": "close"}},
])
def test_the_request_bytes_are_the_ones_requests_sends(server: RawServer, kwargs: dict[str, object]) -> None:
    _with_requests(server.url + "/a/b?c=d", **kwargs)
    _with_phone(server.url + "/a/b?c=d", **kwargs)
    sent_by_requests, sent_by_phone = server.requests
    assert sent_by_phone == sent_by_requests


def test_query_parameters_are_encoded_as_requests_does(server: RawServer) -> None:
    with requests.Session() as http:
        http.get(server.url + "/m", params={"unread": "true"}, timeout=5)
    with PhoneSession() as phone:
        answer = phone.get(server.url + "/m", params={"unread": "true"}, timeout=5)
        phone.get(server.url + "/m", params={}, timeout=5)
    assert server.requests[1] == server.requests[0]
    assert server.requests[2].startswith(b"GET /m HTTP/1.1\r\n")
    assert answer.json() == {"ok": True} and answer.ok and answer.request.method == "GET"


def test_connections_are_kept_alive_across_sessions_sharing_a_pool(server: RawServer) -> None:
    pool = ConnectionPool()
    seen = []
    for _ in range(3):
        with PhoneSession(pool, on_response=seen.append) as http:
            http.post(server.url + "/x", json={}, timeout=5)
            http.post(server.url + "/y", json={}, timeout=5)
    pool.close()
    assert server.connections == 1
    assert [r.request.url for r in seen] == [server.url + p for p in ("/x", "/y") * 3]
    assert pool.origins() == {("http", "127.0.0.1", int(server.url.rsplit(":", 1)[1]))}


def test_an_idle_connection_the_server_closed_is_replaced() -> None:
    srv = RawServer(lambda _request: _ok(), close_after=1)
    try:
        with PhoneSession() as http:
            for _ in range(3):
                assert http.post(srv.url + "/x", json={}, timeout=5).status_code == 200
        assert srv.connections == 3 and len(srv.requests) == 3
    finally:
        srv.close()


def test_a_reused_connection_dropped_as_the_request_goes_out_is_retried_once_anew() -> None:
    calls = {"n": 0}

    def answer(_request: bytes) -> bytes | None:
        calls["n"] += 1
        return None if calls["n"] == 2 else _ok()  # the second request: closed unanswered

    srv = RawServer(answer)
    try:
        with PhoneSession() as http:
            http.post(srv.url + "/x", json={}, timeout=5)
            assert http.post(srv.url + "/x", json={}, timeout=5).status_code == 200
        assert srv.connections == 2 and len(srv.requests) == 3
    finally:
        srv.close()


def test_a_new_connection_closed_unanswered_is_a_connection_error() -> None:
    srv = RawServer(lambda _request: None)
    try:
        with PhoneSession() as http, pytest.raises(requests.ConnectionError):
            http.post(srv.url + "/x", json={}, timeout=5)
        assert len(srv.requests) == 1
    finally:
        srv.close()


def test_refused_and_silent_parties_raise_requests_errors() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with PhoneSession() as http, pytest.raises(requests.ConnectionError):
        http.get(f"http://127.0.0.1:{port}/", timeout=2)
    silent = RawServer(lambda _request: b"")  # reads the request, never answers
    try:
        with PhoneSession() as http, pytest.raises(requests.ReadTimeout):
            http.get(silent.url + "/", timeout=(2, 0.2))
    finally:
        silent.close()


def test_gzip_answers_are_decoded_and_errors_keep_their_body() -> None:
    body = gzip.compress(b'{"status":"ERROR"}')
    srv = RawServer(lambda _request: (b"HTTP/1.1 400 Bad Request\r\nContent-Encoding: gzip\r\n"
                                      b"Content-Type: application/json; charset=utf-8\r\nContent-Length: "
                                      + str(len(body)).encode() + b"\r\n\r\n" + body))
    try:
        with PhoneSession() as http:
            answer = http.post(srv.url + "/x", json={}, timeout=5)
        assert answer.status_code == 400 and answer.json() == {"status": "ERROR"}
        assert answer.text == '{"status":"ERROR"}' and not answer.ok
        with pytest.raises(requests.HTTPError):
            answer.raise_for_status()
    finally:
        srv.close()


def test_a_connection_close_answer_is_not_reused() -> None:
    srv = RawServer(lambda _request: _ok(extra=b"Connection: close\r\n"), close_after=1)
    try:
        pool = ConnectionPool()
        with PhoneSession(pool) as http:
            http.get(srv.url + "/", timeout=5)
            http.get(srv.url + "/", timeout=5)
        assert srv.connections == 2
    finally:
        srv.close()


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-T: 1\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
    b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}",
])
def test_answers_framed_by_chunks_by_close_or_after_an_interim_answer_are_read_whole(reply: bytes) -> None:
    srv = RawServer(lambda _request: reply, close_after=1)
    try:
        with PhoneSession() as http:
            for _ in range(2):
                assert http.get(srv.url + "/", timeout=5).json() == {"a": 1}
    finally:
        srv.close()


def test_a_garbled_answer_is_a_connection_error() -> None:
    srv = RawServer(lambda _request: b"SMTP ready\r\n\r\n")
    try:
        with PhoneSession() as http, pytest.raises(requests.ConnectionError):
            http.get(srv.url + "/", timeout=5)
    finally:
        srv.close()
