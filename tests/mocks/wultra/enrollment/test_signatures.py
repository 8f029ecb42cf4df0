"""Signed device requests over real HTTP: valid, wrong PIN counted, blocking at 5, unblock, remove."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.codec import b64encode
from simulator.powerauth.request_auth import ClientCounter
from simulator.powerauth.signature import (
    SignatureFormat,
    compute_signature,
    normalize_get_query,
    request_data,
    signature_base_string,
)
from simulator.powerauth.status_blob import ActivationStatus

VALIDATE = ("/pa/v3/signature/validate", "/pa/signature/validate")


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["responseObject"]["code"]


def _detail(pas: PasClient, activation_id: str) -> dict[str, Any]:
    return pas.ok("/activation/status", {"activationId": activation_id})


@pytest.mark.parametrize("version", ["3.0", "3.1", "3.2", "3.3"])
def test_valid_signature_moves_the_counter(
    version: str, activated: Callable[..., Any], pas: PasClient
) -> None:
    phone = activated(version)
    before = _detail(pas, phone.activation_id)["timestampLastUsed"]
    for signature_type in ("possession", "possession_knowledge", "possession_biometry"):
        response = phone.post_signed(*VALIDATE, {"requestObject": {}}, signature_type)
        assert response.status_code == 200, response.text
    if version != "3.0":
        blob = phone.status()
        assert blob.ctr_byte == 3 and blob.failed_attempts == 0
    assert _detail(pas, phone.activation_id)["timestampLastUsed"] >= before


def test_wrong_pin_is_counted_and_a_good_signature_resets(
    activated: Callable[..., Any], pas: PasClient
) -> None:
    phone = activated("3.3")
    bad = phone.post_signed(*VALIDATE, {}, wrong_knowledge=True)
    assert _error(bad) == (401, "ERR_AUTHENTICATION")
    assert bad.json()["responseObject"]["message"] == "POWER_AUTH_SIGNATURE_INVALID"
    assert phone.status().failed_attempts == 1
    assert _detail(pas, phone.activation_id)["failedAttempts"] == 1
    assert phone.post_signed(*VALIDATE, {}).status_code == 200  # counter skipped ahead: look-ahead finds it
    assert phone.status().failed_attempts == 0


def test_five_wrong_pins_block_then_unblock(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.2")
    for attempt in range(1, 6):
        assert _error(phone.post_signed(*VALIDATE, {}, wrong_knowledge=True)) == (401, "ERR_AUTHENTICATION")
        assert _detail(pas, phone.activation_id)["failedAttempts"] == attempt
    detail = _detail(pas, phone.activation_id)
    assert detail["activationStatus"] == "BLOCKED" and detail["blockedReason"] == "MAX_FAILED_ATTEMPTS"
    assert phone.status().status is ActivationStatus.BLOCKED
    assert phone.post_signed(*VALIDATE, {}).status_code == 401  # even the right PIN while blocked
    assert (
        pas.ok("/activation/unblock", {"activationId": phone.activation_id})["activationStatus"] == "ACTIVE"
    )
    assert phone.post_signed(*VALIDATE, {}).status_code == 200
    assert _detail(pas, phone.activation_id)["failedAttempts"] == 0


def test_possession_only_failures_are_not_counted(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.1")
    headers = phone.auth_header("/pa/signature/validate", b"{}", "possession")
    tampered = phone.post("/pa/v3/signature/validate", data=b'{"x":1}', headers=headers)
    assert _error(tampered) == (401, "ERR_AUTHENTICATION")
    assert _detail(pas, phone.activation_id)["failedAttempts"] == 0


def test_signature_header_problems_are_401(activated: Callable[..., Any]) -> None:
    phone = activated("3.2")
    assert _error(phone.post("/pa/v3/signature/validate", data=b"{}")) == (401, "ERR_AUTHENTICATION")
    garbage = {"X-PowerAuth-Authorization": "PowerAuth pa_version=9.9"}
    assert _error(phone.post("/pa/v3/signature/validate", data=b"{}", headers=garbage)) == (
        401,
        "ERR_AUTHENTICATION",
    )
    # activation/remove demands two factors
    one_factor = phone.post_signed("/pa/v3/activation/remove", "/pa/activation/remove", {}, "possession")
    assert _error(one_factor) == (401, "ERR_AUTHENTICATION")


def test_signed_remove(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.3")
    response = phone.post_signed("/pa/v3/activation/remove", "/pa/activation/remove", {})
    assert response.status_code == 200 and response.json()["responseObject"] == {
        "activationId": phone.activation_id
    }
    assert _detail(pas, phone.activation_id)["activationStatus"] == "REMOVED"
    assert phone.status().status is ActivationStatus.REMOVED
    assert phone.post_signed(*VALIDATE, {}).status_code == 401


def test_rest_signature_verify_decimal_and_base64(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.2")
    counter = ClientCounter(phone.counter.ctr_data)
    keys = phone.signature_keys()
    nonce = bytes(range(16))
    data = request_data("POST", "/pa/signature/validate", nonce, b"{}")
    base = signature_base_string(data, phone.application_secret)
    decimal = compute_signature(keys, "possession_knowledge", counter.ctr_data, base, SignatureFormat.DECIMAL)
    request = {
        "activationId": phone.activation_id,
        "applicationKey": phone.application_key,
        "data": data.decode(),
        "signature": decimal,
        "signatureType": "POSSESSION_KNOWLEDGE",
        "signatureVersion": "3.0",
    }
    answer = pas.ok("/signature/verify", request)
    assert answer["signatureValid"] is True and answer["activationStatus"] == "ACTIVE"
    assert answer["userId"] == "alice" and answer["remainingAttempts"] == 5
    replay = pas.ok("/signature/verify", request)  # the counter moved on: the same signature fails
    assert replay["signatureValid"] is False and replay["remainingAttempts"] == 4
    counter.advance()
    b64 = compute_signature(keys, "possession_knowledge", counter.ctr_data, base, SignatureFormat.BASE64)
    assert pas.ok("/signature/verify", {**request, "signature": b64, "signatureVersion": "3.1"})[
        "signatureValid"
    ]


def test_rest_signature_verify_unknown_activation_and_foreign_app_key(
    activated: Callable[..., Any], pas: PasClient
) -> None:
    phone = activated("3.2")
    request = {
        "activationId": "00000000-0000-4000-8000-000000000000",
        "applicationKey": phone.application_key,
        "data": "POST&x&y&z",
        "signature": b64encode(bytes(32)),
        "signatureType": "POSSESSION_KNOWLEDGE",
        "signatureVersion": "3.1",
    }
    unknown = pas.ok("/signature/verify", request)
    assert unknown["signatureValid"] is False and unknown["activationStatus"] == "REMOVED"
    foreign = pas.ok(
        "/signature/verify",
        {**request, "activationId": phone.activation_id, "applicationKey": b64encode(bytes(16))},
    )
    assert foreign["signatureValid"] is False and foreign["remainingAttempts"] == 4
    assert pas.error("/signature/verify", {**request, "signatureType": "NOPE"}) == "ERR0024"
    assert pas.error("/signature/verify", {**request, "signatureVersion": "2.0"}) == "ERR0024"


def test_last_used_moves_with_signatures_and_status_checks(
    activated: Callable[..., Any], pas: PasClient, admin: Any
) -> None:
    phone = activated("3.2")
    created = _detail(pas, phone.activation_id)["timestampLastUsed"]
    admin.advance_clock(60)
    phone.status()
    after_status = _detail(pas, phone.activation_id)["timestampLastUsed"]
    assert after_status > created
    admin.advance_clock(60)
    no_challenge = phone.post(
        "/pa/v3/activation/status", json_body={"requestObject": {"activationId": phone.activation_id}}
    )
    assert "nonce" not in no_challenge.json()["responseObject"]
    assert _detail(pas, phone.activation_id)["timestampLastUsed"] == after_status
    assert phone.post_signed(*VALIDATE, {}).status_code == 200
    assert _detail(pas, phone.activation_id)["timestampLastUsed"] > after_status


def test_signature_validate_with_get_signs_the_canonical_query(activated: Callable[..., Any]) -> None:
    phone = activated("3.3")
    query = "b=2&a=1&a=0"
    canonical = normalize_get_query(query)
    headers = phone.auth_header("/pa/signature/validate", canonical, method="GET")
    url = phone.base_url + "/enrollment-server/pa/v3/signature/validate?" + query
    assert phone.http.get(url, headers=headers, timeout=10).status_code == 200
    raw = phone.auth_header("/pa/signature/validate", query.encode(), method="GET")
    assert phone.http.get(url, headers=raw, timeout=10).status_code == 401
    deleted = phone.auth_header("/pa/signature/validate", b"", method="DELETE")
    assert (
        phone.http.delete(
            phone.base_url + "/enrollment-server/pa/v3/signature/validate", headers=deleted, timeout=10
        ).status_code
        == 200
    )


def test_one_signature_sent_many_times_at_once_passes_once(
    activated: Callable[..., Any], pas: PasClient
) -> None:
    phone = activated("3.3")
    raw = b"{}"
    headers = {
        **phone.auth_header("/pa/signature/validate", raw, "possession"),
        "Content-Type": "application/json",
    }
    url = phone.base_url + "/enrollment-server/pa/v3/signature/validate"
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def send() -> None:
        session = requests.Session()
        session.headers["X-Sim-Session"] = phone.session
        barrier.wait()
        codes.append(session.post(url, data=raw, headers=headers, timeout=10).status_code)

    workers = [threading.Thread(target=send) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(codes) == [200] + [401] * 7
    assert _detail(pas, phone.activation_id)["failedAttempts"] == 0  # possession-only misses are not counted
