"""Malformed requests get a 4xx in the bank's envelope ``{"errorCode", "message"}`` - never a 5xx,
never a body that echoes the OTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks.bank.app import create_app
from mocks.bank.client import BankClient
from mocks.bank.urls import ROUTES

OTP = "31415926"


def _envelope(status: int, body: Any) -> str:
    assert 400 <= status < 500, (status, body)
    assert set(body) <= {"errorCode", "message", "errors"} and isinstance(body["message"], str)
    return str(body["errorCode"])


def test_wrong_content_type_is_415(bank: BankClient) -> None:
    response = bank.http.post(f"{bank.url}/user/lookup", data="processId=1", timeout=5,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert _envelope(response.status_code, response.json()) == "ERROR_GENERIC"
    assert response.status_code == 415


@pytest.mark.parametrize("raw", [b"", b"{", b"[1,", b"NaN", b"\xff\xfe", b'{"processId": "p", }'])
def test_broken_json_is_400(bank: BankClient, raw: bytes) -> None:
    response = bank.http.post(f"{bank.url}/otp/send", data=raw, timeout=5,
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert _envelope(400, response.json()) == "ERROR_GENERIC"


@pytest.mark.parametrize("body,field", [
    ({"processId": "p", "userId": "u", "otpType": "ACTIVATION"}, "otpCode"),
    ({"processId": "p", "userId": "u", "otpCode": OTP, "otpType": "PASSWORD"}, "otpType"),
    ({"processId": "p", "userId": "u", "otpCode": 31415926, "otpType": "ACTIVATION"}, "otpCode"),
    ({"processId": "p", "userId": "u", "otpCode": OTP + "x", "otpType": "ACTIVATION"}, "otpCode"),
    ({"processId": "p", "userId": "u", "otpCode": OTP, "otpType": "ACTIVATION", "resend": "yes"}, "resend"),
    ({"processId": "p", "userId": "u", "otpCode": OTP, "otpType": "ACTIVATION", "language": "english"},
     "language"),
    ({"userId": "u", "otpCode": OTP, "otpType": "ACTIVATION"}, "processId"),
])
def test_invalid_otp_send_names_the_field_but_never_the_otp(bank: BankClient, body: dict[str, Any],
                                                            field: str) -> None:
    response = bank.post("/otp/send", body)
    assert response.status_code == 400
    assert _envelope(400, response.json()) == "ERROR_GENERIC"
    assert field in response.json()["message"]
    assert OTP not in response.text


def test_unknown_route_and_wrong_method_answer_in_the_envelope(bank: BankClient) -> None:
    missing = bank.post("/user/lookups", {})
    assert missing.status_code == 404 and _envelope(404, missing.json()) == "ERROR_NOT_FOUND"
    assert "/user/lookup" in missing.json()["message"]  # the near miss is named
    wrong = bank.http.get(f"{bank.url}/otp/send", timeout=5)
    assert wrong.status_code == 405 and _envelope(405, wrong.json()) == "ERROR_GENERIC"


def test_oversized_body_is_413(bank: BankClient) -> None:
    response = bank.post("/process/event", {"processId": "p", "type": "T", "data": {"x": "a" * 2_000_000}})
    assert response.status_code == 413 and _envelope(413, response.json()) == "ERROR_GENERIC"


def test_adapter_basic_auth_when_configured(make_bank: Any) -> None:
    server = make_bank(adapter_username="wultra", adapter_password="onboarding-secret")
    body = {"processId": "p", "identification": {"clientNumber": "1"}}
    with BankClient(server.url) as anonymous:
        refused = anonymous.post("/user/lookup", body)
        assert refused.status_code == 401 and _envelope(401, refused.json()) == "ERROR_UNAUTHORIZED"
    with BankClient(server.url, auth=("wultra", "wrong")) as wrong:
        assert wrong.post("/user/lookup", body).status_code == 401
    with BankClient(server.url, auth=("wultra", "onboarding-secret")) as wultra:
        assert wultra.post("/user/lookup", body).status_code == 200


# --------------------------------------------------------------------------- property: any JSON body

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
_fields = ["processId", "processType", "userId", "language", "otpCode", "otpType", "resend", "identification",
           "consentType", "approved", "type", "data", "extractedData", "result", "identityVerificationId"]
_bodies = _json | st.dictionaries(st.sampled_from(_fields), _json, max_size=8)


@pytest.fixture(scope="module")
def app_client() -> FlaskClient:
    app = create_app({"seed": 3, "extra": {"sms_gateway_url": "http://127.0.0.1:9", "sms_max_attempts": 1,
                                           "clients": {"seed": 1, "count": 2}}})
    return app.test_client()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(sorted(ROUTES)), body=_bodies)
def test_any_json_body_gets_a_2xx_or_a_4xx_in_the_envelope(app_client: FlaskClient, path: str,
                                                             body: Any) -> None:
    response = app_client.post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        _envelope(response.status_code, response.get_json())
