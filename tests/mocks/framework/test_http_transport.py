"""The transport's own parts: request targets and ``Host`` as urllib3 derives them, failures typed
as :class:`TransportError`.  Its behaviour on the wire (bytes sent, answers read, keep-alive) is
tested through the outbound client in ``test_outbound_http.py``."""

from __future__ import annotations

import socket

import pytest
import urllib3
from urllib3.util import parse_url
from urllib3.util.url import _encode_target

from mocks.framework.http_transport import Transport, TransportError, _http_target


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/a/b?c=d", "http://party-a.sim:80/x", "http://h", "http://h:65535", "http://h:1/",
    "http://h:080/x", "http://H/x", "http://h./x", "http://[::1]:81/x", "http://u:p@h:5/x", "http://h/a b",
    "http://h/%41%2f", "http://h/a/../b", "http://xn--bcher-kva.example/x", "http://bücher.example/x",
])
def test_targets_are_urllib3s(url: str) -> None:
    host, port, target, host_header = _http_target(url)
    parsed = parse_url(url)
    assert (host, port, target) == (parsed.host.strip("[]"), parsed.port or 80,
                                    _encode_target(parsed.request_uri))
    conn = urllib3.connection.HTTPConnection(host, port)
    conn.putrequest("GET", target)
    assert conn._buffer[1] == b"Host: " + host_header.encode("ascii")  # what http.client writes


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("url", "reason", "message"), [
    ("http://h:99999/x", "request", "Failed to parse: http://h:99999/x"),
    ("http://:80/x", "request", "No host specified."),
    ("http://127.0.0.1:{port}/x", "connection", "ConnectionRefusedError: "),
    ("https://127.0.0.1:{port}/x", "connection", "HTTPSConnectionPool(host='127.0.0.1', port="),
])
def test_failures_are_one_typed_error(url: str, reason: str, message: str) -> None:
    transport = Transport()
    try:
        with pytest.raises(TransportError) as failure:
            transport.send("GET", url.format(port=_dead_port()), None, {}, 1.0, 1.0)
    finally:
        transport.close()
    assert failure.value.reason == reason and str(failure.value).startswith(message)
    assert len(transport.pools) == 0
