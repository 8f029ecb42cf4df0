"""Offline signatures: signed QR payloads, decimal offline signature check, device ECDSA check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.signature import (
    OFFLINE_APP_SECRET,
    compute_offline_signature,
    request_data,
    signature_base_string,
)


def _check_payload(offline_data: str, public_key: ec.EllipticCurvePublicKey, indicator: str) -> str:
    data, nonce, tail = offline_data.split("\n")
    assert tail[0] == indicator
    signed = f"{data}\n{nonce}\n{indicator}".encode()
    public_key.verify(b64decode(tail[1:]), signed, ec.ECDSA(hashes.SHA256()))
    return nonce


def test_offline_payloads_are_signed_with_the_right_key(
    activated: Callable[..., Any], pas: PasClient, application: dict[str, Any]
) -> None:
    phone = activated("3.2")
    personal = pas.ok(
        "/signature/offline/personalized/create",
        {"activationId": phone.activation_id, "data": "A1*Q100.00EUR*T"},
    )
    nonce = _check_payload(personal["offlineData"], phone.result.server_public_key, "1")
    assert nonce == personal["nonce"] and len(b64decode(nonce)) == 16
    generic = pas.ok(
        "/signature/offline/non-personalized/create",
        {"applicationId": "app", "data": "X", "nonce": b64encode(bytes(16))},
    )
    master = public_key_from_bytes(b64decode(application["masterPublicKey"]))
    assert _check_payload(generic["offlineData"], master, "0") == b64encode(bytes(16))
    assert (
        pas.error("/signature/offline/non-personalized/create", {"applicationId": "none", "data": "X"})
        == "ERR0015"
    )


def test_offline_signature_verification(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.2")
    data = request_data("POST", "/operation/authorize/offline", bytes(16), b"A1*Q100.00EUR")
    base = signature_base_string(data, OFFLINE_APP_SECRET)
    signature = compute_offline_signature(
        phone.signature_keys(), "possession_knowledge", phone.counter.ctr_data, base
    )
    request = {"activationId": phone.activation_id, "data": data.decode(), "signature": signature}
    answer = pas.ok("/signature/offline/verify", request)
    assert answer["signatureValid"] is True and answer["signatureType"] == "POSSESSION_KNOWLEDGE"
    wrong = pas.ok("/signature/offline/verify", {**request, "signature": "12345678-12345678"})
    assert wrong["signatureValid"] is False and wrong["remainingAttempts"] == 4
    phone.counter.advance()
    biometry = compute_offline_signature(
        phone.signature_keys(), "possession_biometry", phone.counter.ctr_data, base
    )
    refused = pas.ok("/signature/offline/verify", {**request, "signature": biometry})
    assert refused["signatureValid"] is False
    allowed = pas.ok("/signature/offline/verify", {**request, "signature": biometry, "biometryAllowed": True})
    assert allowed["signatureValid"] is True and allowed["signatureType"] == "POSSESSION_BIOMETRY"


def test_device_ecdsa_signature(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.3")
    data = b"login-challenge"
    der = phone.result.device_private_key.sign(data, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    jose = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    request = {"activationId": phone.activation_id, "data": b64encode(data), "signature": b64encode(der)}
    assert pas.ok("/signature/ecdsa/verify", request)["signatureValid"] is True
    assert (
        pas.ok(
            "/signature/ecdsa/verify", {**request, "signature": b64encode(jose), "signatureFormat": "JOSE"}
        )["signatureValid"]
        is True
    )
    assert (
        pas.ok("/signature/ecdsa/verify", {**request, "data": b64encode(b"other")})["signatureValid"] is False
    )
    assert pas.error("/signature/ecdsa/verify", {**request, "signatureFormat": "RAW"}) == "ERR0024"
    assert pas.error("/signature/ecdsa/verify", {**request, "data": "%%"}) == "ERR0011"
