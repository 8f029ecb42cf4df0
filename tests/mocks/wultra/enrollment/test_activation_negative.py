"""``/pa/v3/activation/create`` and ``keystore/create`` refusals: right code, state untouched."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from mocks.framework import AdminClient
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.activation import ActivationType
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader
from simulator.powerauth.temporary_key import TemporaryKeyRequest

CREATE = "/pa/v3/activation/create"


def _code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["responseObject"]["code"]


def _status(pas: PasClient, activation_id: str) -> dict[str, Any]:
    return pas.ok("/activation/status", {"activationId": activation_id})


def _records(admin: AdminClient) -> dict[str, Any]:
    """The session's stored records, without the replay and temporary-key bookkeeping."""
    records = admin.state()["records"]
    return {k: v for k, v in records.items() if not k.startswith(("replay:", "tmpkey:"))}


@pytest.mark.parametrize("version", ["3.2", "3.3"])
def test_expired_code(
    version: str, pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]
) -> None:
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    admin.advance_clock(301)
    phone = new_phone(version)
    _, body = phone.activation_request(init["activationCode"])
    assert _code(phone.post(CREATE, json_body=body, headers=phone.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    assert _status(pas, init["activationId"])["activationStatus"] == "REMOVED"


def test_code_still_valid_just_before_expiry(
    pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]
) -> None:
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    admin.advance_clock(299)
    new_phone("3.3").activate(init["activationCode"])
    assert _status(pas, init["activationId"])["activationStatus"] == "PENDING_COMMIT"


def test_reused_code_keeps_the_first_device(pas: PasClient, new_phone: Callable[..., Any]) -> None:
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    first = new_phone("3.3").activate(init["activationCode"])
    second = new_phone("3.3")
    _, body = second.activation_request(init["activationCode"])
    assert _code(second.post(CREATE, json_body=body, headers=second.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    detail = _status(pas, init["activationId"])
    assert detail["activationStatus"] == "PENDING_COMMIT"
    assert detail["devicePublicKeyFingerprint"] == first.fingerprint
    pas.ok("/activation/commit", {"activationId": init["activationId"]})
    _, again = second.activation_request(init["activationCode"])
    assert _code(second.post(CREATE, json_body=again, headers=second.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )


def test_wrong_activation_otp_counts_and_keeps_created(pas: PasClient, new_phone: Callable[..., Any]) -> None:
    init = pas.ok(
        "/activation/init",
        {
            "userId": "u",
            "applicationId": "app",
            "commitPhase": "ON_KEY_EXCHANGE",
            "activationOtp": "12345678",
        },
    )
    phone = new_phone("3.3")
    _, body = phone.activation_request(init["activationCode"], activation_otp="00000000")
    assert _code(phone.post(CREATE, json_body=body, headers=phone.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    detail = _status(pas, init["activationId"])
    assert detail["activationStatus"] == "CREATED" and detail["failedAttempts"] == 1
    phone.activate(init["activationCode"], activation_otp="12345678")
    assert _status(pas, init["activationId"])["activationStatus"] == "ACTIVE"


def _created(pas: PasClient, new_phone: Callable[..., Any]) -> tuple[str, Any, dict[str, Any]]:
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    phone = new_phone("3.3")
    _, body = phone.activation_request(init["activationCode"])
    return init["activationId"], phone, body


def _flip(text: str) -> str:
    raw = bytearray(b64decode(text))
    raw[0] ^= 1
    return b64encode(bytes(raw))


BAD_BODIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "tampered mac": lambda b: {**b, "mac": _flip(b["mac"])},
    "tampered data": lambda b: {**b, "encryptedData": _flip(b["encryptedData"])},
    "missing mac": lambda b: {k: v for k, v in b.items() if k != "mac"},
    "missing temporary key": lambda b: {k: v for k, v in b.items() if k != "temporaryKeyId"},
    "unknown temporary key": lambda b: {**b, "temporaryKeyId": "00000000-0000-4000-8000-000000000000"},
    "bad base64": lambda b: {**b, "ephemeralPublicKey": "not base64!"},
    "short ephemeral key": lambda b: {**b, "ephemeralPublicKey": b64encode(bytes(10))},
    "nonce missing": lambda b: {k: v for k, v in b.items() if k != "nonce"},
}
FRAMEWORK_BODIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "wrong type": lambda b: {**b, "timestamp": "soon"},
    "not an object": lambda b: [b],
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_layer1_body_is_err_activation(
    case: str, pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]
) -> None:
    activation_id, phone, body = _created(pas, new_phone)
    before = _records(admin)
    response = phone.post(CREATE, json_body=BAD_BODIES[case](body), headers=phone.encryption_header())
    assert _code(response) == (400, "ERR_ACTIVATION")
    assert _records(admin) == before
    assert _status(pas, activation_id)["activationStatus"] == "CREATED"


@pytest.mark.parametrize("case", sorted(FRAMEWORK_BODIES))
def test_malformed_body_is_a_400(
    case: str, pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]
) -> None:
    _, phone, body = _created(pas, new_phone)
    before = _records(admin)
    response = phone.post(CREATE, json_body=FRAMEWORK_BODIES[case](body), headers=phone.encryption_header())
    assert _code(response) == (400, "ERR_GENERIC")
    garbage = phone.post(CREATE, data=b'{"ephemeralPublicKey": ', headers=phone.encryption_header())
    assert _code(garbage) == (400, "ERR_GENERIC")
    assert _records(admin) == before


def test_header_problems(pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]) -> None:
    activation_id, phone, body = _created(pas, new_phone)
    before = _records(admin)
    assert _code(phone.post(CREATE, json_body=body)) == (400, "ERR_ACTIVATION")
    wrong_key = {ENCRYPTION_HEADER: EncryptionHeader("3.3", b64encode(bytes(16))).format()}
    assert _code(phone.post(CREATE, json_body=body, headers=wrong_key)) == (400, "ERR_ACTIVATION")
    wrong_version = {ENCRYPTION_HEADER: EncryptionHeader("3.2", phone.application_key).format()}
    assert _code(phone.post(CREATE, json_body=body, headers=wrong_version)) == (400, "ERR_ACTIVATION")
    assert _records(admin) == before
    assert _status(pas, activation_id)["activationStatus"] == "CREATED"


def test_unknown_code_and_unsupported_type(pas: PasClient, new_phone: Callable[..., Any]) -> None:
    phone = new_phone("3.2")
    _, body = phone.activation_request("AAAAA-AAAAA-AAAAA-AAAAA")
    assert _code(phone.post(CREATE, json_body=body, headers=phone.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    _, recovery = phone.activation_request(
        activation_type=ActivationType.RECOVERY, identity_attributes={"recoveryCode": "x", "puk": "1"}
    )
    assert _code(phone.post(CREATE, json_body=recovery, headers=phone.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    assert pas.ok("/activation/list", {"userId": "u"})["activations"] == []


def test_unsupported_version_refused(
    pas: PasClient, new_phone: Callable[..., Any], application: dict[str, Any]
) -> None:
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    pas.ok("/application/version/unsupport", {"applicationId": "app", "applicationVersionId": "default"})
    phone = new_phone("3.2")
    _, body = phone.activation_request(init["activationCode"])
    assert _code(phone.post(CREATE, json_body=body, headers=phone.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    assert _status(pas, init["activationId"])["activationStatus"] == "CREATED"


def test_keystore_refusals(new_phone: Callable[..., Any]) -> None:
    phone = new_phone("3.3")
    good = TemporaryKeyRequest.new(phone.application_key)
    wrong_mac = good.to_jwt(b64encode(bytes(16)))
    for jwt in (
        wrong_mac,
        "a.b.c",
        "no-dots",
        TemporaryKeyRequest.new(b64encode(bytes(16))).to_jwt(b64encode(bytes(16))),
    ):
        response = phone.post("/pa/v3/keystore/create", json_body={"requestObject": {"jwt": jwt}})
        assert _code(response) == (400, "ERR_TEMPORARY_KEY"), jwt
    unknown = TemporaryKeyRequest.new(phone.application_key, "00000000-0000-4000-8000-000000000000")
    jwt = unknown.to_jwt(phone.application_secret, bytes(16))
    response = phone.post("/pa/v3/keystore/create", json_body={"requestObject": {"jwt": jwt}})
    assert _code(response) == (400, "ERR_TEMPORARY_KEY")


def test_temporary_key_expires_on_the_virtual_clock(
    pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]
) -> None:
    init = pas.ok(
        "/activation/init",
        {"userId": "u", "applicationId": "app", "timestampActivationExpire": "2100-01-01T00:00:00Z"},
    )
    phone = new_phone("3.3")
    _, body = phone.activation_request(init["activationCode"])
    admin.advance_clock(301)
    assert _code(phone.post(CREATE, json_body=body, headers=phone.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    assert _status(pas, init["activationId"])["activationStatus"] == "CREATED"


def test_unknown_activation_everywhere(
    pas: PasClient, new_phone: Callable[..., Any], activated: Callable[..., Any]
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    phone = activated("3.2")
    status = phone.post(
        "/pa/v3/activation/status",
        json_body={"requestObject": {"activationId": unknown, "challenge": b64encode(bytes(16))}},
    )
    body = status.json()["responseObject"]
    assert status.status_code == 200 and len(b64decode(body["encryptedStatusBlob"])) == 32
    real_id = phone.result.activation_id
    phone.result = dataclasses.replace(phone.result, activation_id=unknown)
    denied = phone.post_signed("/pa/v3/signature/validate", "/pa/signature/validate", {})
    assert _code(denied) == (401, "ERR_AUTHENTICATION")
    assert (
        pas.error(
            "/token/create",
            {
                "activationId": unknown,
                "applicationKey": phone.application_key,
                "ephemeralPublicKey": b64encode(bytes(33)),
                "encryptedData": b64encode(bytes(16)),
                "mac": b64encode(bytes(32)),
                "protocolVersion": "3.1",
                "nonce": b64encode(bytes(16)),
            },
        )
        == "ERR0009"
    )
    assert pas.error("/activation/block", {"activationId": unknown}) == "ERR0009"
    assert _status(pas, real_id)["failedAttempts"] == 0


def test_code_of_another_application(pas: PasClient, new_phone: Callable[..., Any]) -> None:
    pas.ok("/application/create", {"applicationId": "other"})
    foreign = pas.ok("/activation/init", {"userId": "u", "applicationId": "other"})
    phone = new_phone("3.3")
    _, body = phone.activation_request(foreign["activationCode"])
    assert _code(phone.post(CREATE, json_body=body, headers=phone.encryption_header())) == (
        400,
        "ERR_ACTIVATION",
    )
    assert _status(pas, foreign["activationId"])["activationStatus"] == "CREATED"
