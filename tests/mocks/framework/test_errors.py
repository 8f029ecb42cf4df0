"""Malformed input of every kind becomes a 4xx in the party's envelope; a bug becomes a 500 in it."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.framework import MappedEnvelope, MockError, RunningServer, decode_base64, problem_envelope
from mocks.framework.errors import InvalidBase64Error


def _envelope(response: requests.Response) -> dict[str, str]:
    body = response.json()
    assert body["status"] == "ERROR", body
    assert set(body["responseObject"]) == {"code", "message"}
    return body["responseObject"]


# --------------------------------------------------------------------------- over HTTP


def test_malformed_json_is_400_in_party_envelope(server: RunningServer, http: requests.Session) -> None:
    response = http.post(f"{server.url}/demo/counter", data=b'{"name": "a",',
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    error = _envelope(response)
    assert error["code"] == "DEMO_INVALID"
    assert "malformed JSON" in error["message"]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"name": NaN}', "NaN"),
        (b"[1, 2", "malformed JSON"),
        (b"[" * 5000 + b"]" * 5000, "malformed JSON"),
    ],
)
def test_each_kind_of_bad_json_is_400(server: RunningServer, http: requests.Session, raw: bytes,
                                      fragment: str) -> None:
    response = http.post(f"{server.url}/demo/counter", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    error = _envelope(response)
    assert error["code"] == "DEMO_INVALID"
    assert fragment in error["message"] or "nested" in error["message"]


def test_wrong_content_type_is_415(server: RunningServer, http: requests.Session) -> None:
    response = http.post(f"{server.url}/demo/counter", data='{"name": "a"}',
                         headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert _envelope(response)["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 5}, "name"),
        ({"name": "a", "by": "3"}, "by"),  # strict model: a numeric string is not an int
        ({"name": "a", "by": 1000}, "by"),
        ({}, "name"),
        ({"name": "a", "extra": 1}, "extra"),
        ([1, 2], "$"),
    ],
)
def test_wrong_types_and_missing_fields_are_400_naming_the_field(
    server: RunningServer, http: requests.Session, body: object, field: str
) -> None:
    response = http.post(f"{server.url}/demo/counter", json=body)
    assert response.status_code == 400
    error = _envelope(response)
    assert error["code"] == "DEMO_INVALID"
    assert field in error["message"]


@pytest.mark.parametrize("data", ["abc", "ab=c", "YWJj\n", "YW Jj", "YWJ*", "YR==", "éé==", "A" * 200])
def test_bad_base64_is_400(server: RunningServer, http: requests.Session, data: str) -> None:
    response = http.post(f"{server.url}/demo/blob", json={"data": data})
    assert response.status_code == 400
    error = _envelope(response)
    assert error["code"] == "DEMO_INVALID"
    assert error["message"].startswith("data:")


def test_good_base64_is_decoded(server: RunningServer, http: requests.Session) -> None:
    response = http.post(f"{server.url}/demo/blob", json={"data": base64.b64encode(b"hello").decode()})
    assert response.status_code == 200
    assert response.json()["responseObject"]["length"] == 5


def test_unknown_path_is_404_in_envelope(server: RunningServer, http: requests.Session) -> None:
    response = http.post(f"{server.url}/demo/nothing-here", json={})
    assert response.status_code == 404
    error = _envelope(response)
    assert error["code"] == "DEMO_NOT_FOUND"
    assert "/demo/nothing-here" in error["message"]


def test_404_names_the_nearest_routes(server: RunningServer, http: requests.Session) -> None:
    message = http.post(f"{server.url}/demo/countr", json={}).json()["responseObject"]["message"]
    assert "did you mean POST /demo/counter" in message
    far = http.get(f"{server.url}/zzzzzzzzzzzzzz").json()["responseObject"]["message"]
    assert "did you mean" not in far


def test_wrong_method_is_405_with_allow_header(server: RunningServer, http: requests.Session) -> None:
    response = http.delete(f"{server.url}/demo/counter")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert _envelope(response)["code"] == "METHOD_NOT_ALLOWED"


def test_body_too_large_is_413_and_the_server_keeps_serving(serve, http: requests.Session) -> None:
    running = serve(max_request_bytes=4096)
    response = http.post(f"{running.url}/demo/counter", data=b"x" * 5000,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert _envelope(response)["code"] == "TOO_LARGE"
    # Streamed (chunked, no Content-Length) bodies are cut off by the same limit.
    chunked = http.post(f"{running.url}/demo/counter", data=iter([b"[" + b"1," * 3000 + b"1]"]),
                        headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    ok = http.post(f"{running.url}/demo/counter", json={"name": "after"})
    assert ok.status_code == 200


def test_handler_bug_is_500_in_envelope_and_logged(server: RunningServer, http: requests.Session,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("ERROR"):
        response = http.get(f"{server.url}/demo/boom")
    assert response.status_code == 500
    error = _envelope(response)
    assert error["code"] == "DEMO_INTERNAL"
    assert "deliberate" not in error["message"]  # no internals leak to the client
    assert any(r.exc_info and "deliberate handler bug" in str(r.exc_info[1]) for r in caplog.records)


def test_party_error_keeps_its_own_code(server: RunningServer, http: requests.Session) -> None:
    response = http.get(f"{server.url}/demo/counter/missing")
    assert response.status_code == 404
    assert _envelope(response)["code"] == "DEMO_NO_COUNTER"


# --------------------------------------------------------------------------- units


def test_mapped_envelope_maps_kinds_and_statuses() -> None:
    envelope = MappedEnvelope(build=lambda code, msg, err: {"c": code, "m": msg},
                              codes={"upstream": "REMOTE"}, statuses={"upstream": 409})
    body, status = envelope(MockError("down", kind="upstream"))
    assert (body, status) == ({"c": "REMOTE", "m": "down"}, 409)
    body, status = envelope(MockError("mine", code="OWN_CODE", status=429))
    assert (body, status) == ({"c": "OWN_CODE", "m": "mine"}, 429)


def test_problem_envelope_carries_details() -> None:
    body, status = problem_envelope(MockError("bad", kind="validation", details={"field": "x"}))
    assert status == 400
    assert body["type"].endswith(":validation") and body["field"] == "x" and body["detail"] == "bad"


def test_mock_error_refuses_a_success_status() -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        MockError("nope", status=200)


@settings(deadline=None)
@given(st.binary(max_size=256), st.booleans())
def test_base64_round_trip(data: bytes, urlsafe: bool) -> None:
    encoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    assert decode_base64(encoded, urlsafe=urlsafe) == data


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_base64_accepts_only_canonical_encodings(text: str) -> None:
    try:
        decoded = decode_base64(text)
    except InvalidBase64Error as exc:
        assert exc.status == 400 and exc.kind == "bad_base64"
        return
    assert base64.b64encode(decoded).decode() == text


@pytest.mark.parametrize("value", [None, 12, b"YWJj", ["YWJj"]])
def test_base64_rejects_non_strings(value: object) -> None:
    with pytest.raises(InvalidBase64Error, match="expected a Base64 string"):
        decode_base64(value)


def test_base64_size_cap_and_urlsafe_alphabet_mixing() -> None:
    with pytest.raises(InvalidBase64Error, match="exceeds 2 bytes"):
        decode_base64("YWJj", max_bytes=2)
    with pytest.raises(InvalidBase64Error):
        decode_base64("+/+/", urlsafe=True)
    assert decode_base64("-_-_", urlsafe=True) == base64.urlsafe_b64decode("-_-_")


def test_error_bodies_are_json(server: RunningServer, http: requests.Session) -> None:
    response = http.get(f"{server.url}/nope")
    assert response.headers["Content-Type"].startswith("application/json")
    json.loads(response.text)


def test_base64_field_type_in_models() -> None:
    from pydantic import BaseModel, ValidationError

    from mocks.framework import Base64Str

    class Model(BaseModel):
        data: Base64Str

    assert Model(data="YWJj").data == "YWJj"
    with pytest.raises(ValidationError, match=r"invalid Base64|multiple of 4"):
        Model(data="YWJ")
