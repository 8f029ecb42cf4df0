"""The journal: what is recorded, redaction of secrets, search, capacity, linked outbound calls."""

from __future__ import annotations

import json
import socket
from typing import Any

import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.framework import Journal, JournalQuery, RunningServer
from mocks.framework.journal import Exchange, capture_body
from mocks.framework.redact import MASK, is_secret_name, redact_headers, redact_json


def _journal(http: requests.Session, server: RunningServer, **params: Any) -> list[dict[str, Any]]:
    response = http.get(f"{server.url}/_admin/journal", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


def test_exchange_is_recorded_with_both_timestamps(server: RunningServer, http: requests.Session) -> None:
    http.post(f"{server.url}/_admin/clock", json={"advance": 3600, "session": "j"})
    http.post(f"{server.url}/demo/counter?trace=1", json={"name": "x"}, headers={"X-Sim-Session": "j"})
    (entry,) = _journal(http, server, session="j")
    assert entry["method"] == "POST" and entry["path"] == "/demo/counter"
    assert entry["query"] == {"trace": "1"}
    assert entry["requestBody"] == {"name": "x"}
    assert entry["status"] == 200
    assert entry["responseBody"]["responseObject"]["value"] == 1
    assert entry["party"] == "demo" and entry["direction"] == "inbound"
    assert entry["durationMs"] >= 0
    # Virtual time is an hour ahead of real time for this session.
    assert entry["timestamp"][:13] != entry["realTimestamp"][:13]


def test_admin_calls_are_not_journaled(server: RunningServer, http: requests.Session) -> None:
    http.get(f"{server.url}/_admin/health")
    http.get(f"{server.url}/_admin/state")
    assert _journal(http, server) == []


def test_secrets_are_redacted_everywhere(server: RunningServer, http: requests.Session) -> None:
    http.post(
        f"{server.url}/demo/login?pin=1234&page=2",
        json={"username": "eve", "password": "hunter2", "otpCode": "98765432"},
        headers={"Authorization": "Bearer abc.def", "X-PowerAuth-Token": "tok-123", "X-Sim-Session": "r"},
    )
    (entry,) = _journal(http, server, session="r")
    text = json.dumps(entry)
    for secret in ("hunter2", "98765432", "abc.def", "tok-123", "1234"):
        assert secret not in text
    assert entry["requestBody"] == {"username": "eve", "password": MASK, "otpCode": MASK}
    headers = {k.lower(): v for k, v in entry["requestHeaders"].items()}
    assert headers["authorization"] == MASK
    assert headers["x-powerauth-token"] == MASK
    assert headers["x-sim-session"] == "r"
    assert entry["query"] == {"pin": MASK, "page": "2"}
    response_object = entry["responseBody"]["responseObject"]
    assert response_object["sessionToken"] == MASK
    assert response_object["otpSent"] is False  # booleans stay readable


def test_search_by_each_criterion(server: RunningServer, http: requests.Session) -> None:
    http.post(f"{server.url}/demo/counter", json={"name": "alpha"}, headers={"X-Sim-Session": "a"})
    http.post(f"{server.url}/demo/counter", json={"name": "beta"}, headers={"X-Sim-Session": "b"})
    http.get(f"{server.url}/demo/counter/nothing", headers={"X-Sim-Session": "a"})
    assert len(_journal(http, server)) == 3
    assert {e["session"] for e in _journal(http, server, session="a")} == {"a"}
    assert [e["method"] for e in _journal(http, server, method="get")] == ["GET"]
    assert [e["status"] for e in _journal(http, server, status=404)] == [404]
    assert len(_journal(http, server, path="/demo/counter")) == 3
    assert len(_journal(http, server, path="nothing")) == 1
    assert [e["requestBody"]["name"] for e in _journal(http, server, text="BETA")] == ["beta"]
    assert len(_journal(http, server, party="demo")) == 3
    assert _journal(http, server, party="other") == []
    assert [e["requestBody"]["name"] for e in _journal(http, server, limit=1, method="POST")] == ["beta"]
    assert http.get(f"{server.url}/_admin/journal", params={"status": "abc"}).status_code == 400


def test_delete_journal_all_or_one_session(server: RunningServer, http: requests.Session) -> None:
    for session in ("a", "b", "b"):
        http.post(f"{server.url}/demo/counter", json={"name": "n"}, headers={"X-Sim-Session": session})
    assert http.delete(f"{server.url}/_admin/journal", params={"session": "b"}).json() == {"cleared": 2}
    assert [e["session"] for e in _journal(http, server)] == ["a"]
    assert http.delete(f"{server.url}/_admin/journal").json() == {"cleared": 1}


def test_capacity_is_a_ring(serve, http: requests.Session) -> None:
    server = serve(journal_capacity=5)
    for i in range(8):
        http.post(f"{server.url}/demo/counter", json={"name": f"n{i}"})
    body = http.get(f"{server.url}/_admin/journal").json()
    assert body["size"] == 5 and body["capacity"] == 5 and body["dropped"] == 3
    assert [e["requestBody"]["name"] for e in body["entries"]] == [f"n{i}" for i in range(3, 8)]


def test_capacity_is_capped() -> None:
    assert Journal(capacity=10**9).capacity == 100_000


def test_outbound_calls_are_linked_and_carry_the_session(serve, http: requests.Session) -> None:
    caller, callee = serve(seed=1), serve(seed=2)
    response = http.post(
        f"{caller.url}/demo/relay",
        json={"url": f"{callee.url}/demo/login", "payload": {"username": "u", "password": "pw-secret",
                                                              "otpCode": "11112222"}},
        headers={"X-Sim-Session": "chain"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["responseObject"]["upstreamStatus"] == 200
    (entry,) = _journal(http, caller, session="chain")
    (call,) = entry["outbound"]
    assert call["url"] == f"{callee.url}/demo/login" and call["status"] == 200
    assert call["session"] == "chain" and call["error"] is None
    assert call["requestBody"]["password"] == MASK and call["requestBody"]["otpCode"] == MASK
    assert call["responseBody"]["responseObject"]["sessionToken"] == MASK
    assert "pw-secret" not in json.dumps(entry)
    # The callee saw the same isolation key, so the scenario stays in one world across parties.
    assert [e["session"] for e in _journal(http, callee)] == ["chain"]


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_upstream_is_typed_and_journaled(server: RunningServer, http: requests.Session) -> None:
    url = f"http://127.0.0.1:{_dead_port()}/x"
    response = http.post(f"{server.url}/demo/relay", json={"url": url})
    assert response.status_code == 409  # the demo party maps "upstream" to 409
    assert response.json()["responseObject"]["code"] == "DEMO_UPSTREAM"
    (entry,) = _journal(http, server)
    assert entry["error"] == "upstream"
    assert entry["outbound"][0]["error"].startswith("connection")
    assert entry["outbound"][0]["status"] is None


def test_upstream_timeout_is_typed(serve, http: requests.Session) -> None:
    slow = serve()
    http.post(f"{slow.url}/_admin/faults", json={"route": "/demo/login", "latency": {"ms": 2000}})
    caller = serve(outbound_read_timeout=0.2)
    response = http.post(f"{caller.url}/demo/relay", json={"url": f"{slow.url}/demo/login"})
    assert response.status_code == 409
    (entry,) = _journal(http, caller)
    assert entry["outbound"][0]["error"].startswith("timeout")


def test_long_bodies_are_truncated_after_redaction() -> None:
    body = json.dumps({"password": "p" * 50, "data": "x" * 500}).encode()
    captured = capture_body(body, "application/json", limit=100)
    assert isinstance(captured, str) and "truncated" in captured and "ppp" not in captured
    assert capture_body(b"\xff\x00\x01", "application/octet-stream") == "<3 bytes of binary data>"
    assert capture_body(b"a=1&token=s3", "application/x-www-form-urlencoded") == {"a": "1", "token": MASK}


def _full_capture(raw: bytes, limit: int) -> Any:
    """What the journal keeps of a JSON body, computed the plain way: parse, redact, encode, cut."""
    value = redact_json(json.loads(raw))
    text = json.dumps(value, separators=(",", ":"))
    return value if len(text) <= limit else f"{text[:limit]}…[truncated {len(text) - limit} characters]"


_LONG = st.text(alphabet="ABCxyz019+/=", min_size=513, max_size=3000)
_ODD = st.text(alphabet='ab\u00e9\x7f"\\\n/', min_size=0, max_size=700)


@settings(deadline=None, max_examples=150)
@given(st.recursive(st.integers() | st.floats(allow_nan=False) | st.none() | _LONG | _ODD,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["image", "pin", "name", "data", "otpCode"]), inner,
                                      max_size=4), max_leaves=12),
       st.sampled_from([64, 300, 4096]), st.booleans())
def test_long_bodies_are_journaled_as_a_full_encoding_would_be(tree: Any, limit: int, compact: bool) -> None:
    """Long strings are spliced into the journal text, not re-encoded: same text, same marker."""
    raw = json.dumps(tree, separators=(",", ":") if compact else None).encode()
    assert capture_body(raw, "application/json", limit) == _full_capture(raw, limit)


def test_a_long_page_body_keeps_its_prefix_and_masks_secrets() -> None:
    raw = json.dumps({"pin": "1234", "image": "QUJD" * 20_000, "side": "FRONT"}).encode()
    captured = capture_body(raw, "application/json", 100)
    assert captured == _full_capture(raw, 100)
    assert captured.startswith('{"pin":"***","image":"QUJDQUJD') and "1234" not in captured


def test_request_headers_are_read_from_the_environ_as_werkzeug_reads_them() -> None:
    from werkzeug.datastructures import EnvironHeaders
    from werkzeug.test import EnvironBuilder

    from mocks.framework.redact import redact_environ_headers

    environ = EnvironBuilder(path="/x", method="POST", data=b"{}", content_type="application/json",
                             headers={"X-PowerAuth-Token": "t", "X-Sim-Session": "s", "Otp-Code": "1",
                                      "x_odd_name": "v", "Accept": "*/*"}).get_environ()
    empty = {**EnvironBuilder(path="/x").get_environ(), "CONTENT_TYPE": "", "HTTP_CONTENT_TYPE": "x"}
    for env in (environ, empty, environ):  # the second read of a key comes from the memo
        expected = redact_headers(EnvironHeaders(env).items())
        assert list(redact_environ_headers(env).items()) == list(expected.items())
    assert redact_environ_headers(environ)["X-Powerauth-Token"] == MASK


def test_journal_query_matches_in_memory() -> None:
    journal = Journal(capacity=3)
    for i in range(4):
        journal.record(Exchange(id=journal.allocate_id(), party="p", session=f"s{i % 2}", timestamp="t",
                                real_timestamp="t", method="GET", path=f"/x/{i}", status=200 + i))
    assert [e.path for e in journal.search(JournalQuery(session="s1"))] == ["/x/1", "/x/3"]
    assert journal.search(JournalQuery(limit=0)) == []
    assert journal.stats() == {"size": 3, "capacity": 3, "dropped": 1}


@settings(deadline=None)
@given(st.sampled_from(["otp", "otpCode", "activation_otp", "PIN", "newPin", "clientSecret",
                        "masterSecretKey", "password", "x-api-token", "iProovVerificationToken", "puk",
                        "privateKey"]))
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@settings(deadline=None)
@given(st.sampled_from(["mapping", "shipping", "name", "processId", "spinner", "status", "optional"]))
def test_harmless_names(name: str) -> None:
    assert not is_secret_name(name)


_SECRET_KEYS = st.sampled_from(["otp", "pinCode", "secret", "password", "accessToken"])
_PLAIN_KEYS = st.sampled_from(["name", "id", "data", "items"])
_SECRET_VALUE = st.text(alphabet="ABCDEFGHJK", min_size=6, max_size=10).map(lambda s: "SECRET" + s)


def _json_tree(secret_values: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    leaf = st.integers() | st.text(alphabet="abc", max_size=4)
    return st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=3)
        | st.dictionaries(_PLAIN_KEYS, inner, max_size=3)
        | st.dictionaries(_SECRET_KEYS, secret_values | inner, min_size=1, max_size=2),
        max_leaves=10,
    )


@settings(deadline=None)
@given(_json_tree(_SECRET_VALUE))
def test_no_value_under_a_secret_name_survives(tree: Any) -> None:
    redacted = redact_json(tree)
    assert "SECRET" not in json.dumps(redacted)


def test_redact_headers_keeps_harmless_ones() -> None:
    out = redact_headers([("Content-Type", "application/json"), ("Cookie", "a=b"),
                          ("X-PowerAuth-Authorization", "x")])
    assert out == {"Content-Type": "application/json", "Cookie": MASK, "X-PowerAuth-Authorization": MASK}


def test_a_body_parsed_by_the_handler_is_journaled_as_received() -> None:
    """The journal reuses the handler's parse of the body, redacted before the handler gets it: what
    the handler does with its model later never shows in the journal."""
    from flask import Blueprint, jsonify
    from pydantic import BaseModel

    from mocks.framework import PartySpec, create_mock_app, parse_body
    from mocks.framework.runtime import EXTENSION_KEY

    class Body(BaseModel):
        pin: str
        extra: Any = None

    bp = Blueprint("parse", __name__)

    @bp.post("/parse")
    def parse() -> Any:
        body = parse_body(Body)
        body.extra["seen"] = True  # a model field of type Any is the parsed object itself
        return jsonify({"ok": True})

    app = create_mock_app(PartySpec(name="p", blueprints=(bp,)), {"session_idle_timeout": 0})
    long_body = json.dumps({"pin": "1234", "extra": {"name": "x", "otp": "99"}, "image": "QUJD" * 2000})
    short_body = json.dumps({"pin": "1234", "extra": {"a": [1, 2]}})
    client = app.test_client()
    for raw in (long_body.encode(), short_body.encode()):
        assert client.post("/parse", data=raw, content_type="application/json").status_code == 200
        entry = app.extensions[EXTENSION_KEY].journal.search()[-1]
        assert entry.request_body == capture_body(raw, "application/json")
        assert "seen" not in json.dumps(entry.request_body) and "1234" not in json.dumps(entry.request_body)
