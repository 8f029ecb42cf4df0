"""Property: whatever the framing (Content-Length, chunks of any sizes, close of the connection) and
however the bytes arrive, the phone's answer reader returns the status, headers and body that were sent,
and leaves a kept-alive connection at the start of the next answer."""

from __future__ import annotations

import socket
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.device.phone_http import Connection

_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).filter(
    lambda name: name.lower() not in ("content-length", "transfer-encoding", "connection"))
_VALUE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30)


def _framed(status: int, headers: dict[str, str], body: bytes, framing: str, cuts: list[int]) -> bytes:
    head = [f"HTTP/1.1 {status} Whatever"] + [f"{name}: {value}" for name, value in headers.items()]
    if framing == "length":
        return ("\r\n".join([*head, f"Content-Length: {len(body)}", "", ""])).encode() + body
    if framing == "close":
        return ("\r\n".join([*head, "Connection: close", "", ""])).encode() + body
    chunks, start = [], 0
    for cut in sorted({c % (len(body) + 1) for c in cuts} | {len(body)}):
        if cut > start:
            chunks.append(body[start:cut])
            start = cut
    encoded = b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + b"0\r\n\r\n"
    return ("\r\n".join([*head, "Transfer-Encoding: chunked", "", ""])).encode() + encoded


def _serve(sock: socket.socket, replies: list[bytes], pieces: list[int], close: bool) -> None:
    """Read each request whole, then answer it in ``pieces`` (as a server whose writes the network cuts)."""
    for reply in replies:
        request = b""
        while b"\r\n\r\n" not in request:
            request += sock.recv(4096)
        start = 0
        for size in pieces:
            sock.sendall(reply[start:start + size])
            start += size
        sock.sendall(reply[start:])
    if close:
        sock.close()


@settings(max_examples=150, deadline=None)
@given(status=st.integers(200, 599).filter(lambda code: code not in (204, 304)),  # those carry no body
       headers=st.dictionaries(_TOKEN, _VALUE, max_size=5),
       body=st.binary(max_size=3000), framing=st.sampled_from(["length", "chunked", "close"]),
       cuts=st.lists(st.integers(0, 3000), max_size=6), pieces=st.lists(st.integers(1, 700), max_size=6))
def test_any_framing_in_any_pieces_reads_back_what_was_sent(status: int, headers: dict[str, str], body: bytes,
                                                            framing: str, cuts: list[int],
                                                            pieces: list[int]) -> None:
    ours, theirs = socket.socketpair()
    ours.settimeout(5)
    replies = [_framed(status, headers, body, framing, cuts)]
    if framing != "close":
        replies.append(_framed(200, {}, b"next", "length", []))
    sender = threading.Thread(target=_serve, args=(theirs, replies, pieces, framing == "close"))
    sender.start()
    try:
        conn = Connection(ours, "example")
        request = b"GET / HTTP/1.1\r\n\r\n"
        got_status, _, got_headers, got_body, keep_alive = conn.exchange(request, None, "GET")
        assert (got_status, got_body) == (status, body)
        for name, value in headers.items():
            assert got_headers[name] == value.strip()
        if framing == "close":
            assert not keep_alive
        else:
            assert keep_alive
            # The next answer on the kept-alive connection is read whole, from its first byte.
            assert conn.exchange(request, None, "GET")[3] == b"next"
    finally:
        sender.join()
        ours.close()
        if framing != "close":
            theirs.close()
