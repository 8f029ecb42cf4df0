"""Tokens (create over signed ECIES, validate, remove) and vault unlock over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.codec import b64encode
from simulator.powerauth.ecies import EncryptorId
from simulator.powerauth.token import compute_token_digest


def _validate(
    pas: PasClient,
    phone: Any,
    token_id: str,
    secret: bytes,
    *,
    timestamp: int | None = None,
    nonce: bytes = bytes(range(16)),
) -> dict[str, Any]:
    ts = timestamp if timestamp is not None else int(time.time() * 1000)
    digest = compute_token_digest(secret, nonce, ts, phone.version)
    return pas.ok(
        "/token/validate",
        {
            "tokenId": token_id,
            "tokenDigest": b64encode(digest),
            "nonce": b64encode(nonce),
            "timestamp": ts,
            "protocolVersion": phone.version,
        },
    )


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
def test_token_create_validate_remove(version: str, activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated(version)
    token_id, secret = phone.create_token()
    answer = _validate(pas, phone, token_id, secret)
    assert answer["tokenValid"] is True and answer["activationId"] == phone.activation_id
    assert answer["userId"] == "alice" and answer["signatureType"] == "POSSESSION_KNOWLEDGE"
    assert _validate(pas, phone, token_id, secret)["tokenValid"] is False  # same nonce again: replay
    assert _validate(pas, phone, token_id, bytes(16), nonce=bytes(16))["tokenValid"] is False  # wrong secret
    removed = phone.post_signed(
        "/pa/v3/token/remove", "/pa/token/remove", {"requestObject": {"tokenId": token_id}}
    )
    assert removed.status_code == 200 and removed.json()["responseObject"]["tokenId"] == token_id
    assert _validate(pas, phone, token_id, secret, nonce=bytes(15) + b"\x01")["tokenValid"] is False


def test_token_timestamp_window_and_removed_activation(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.2")
    token_id, secret = phone.create_token("possession")
    now = int(time.time() * 1000)
    old = {
        "tokenId": token_id,
        "tokenDigest": b64encode(bytes(32)),
        "nonce": b64encode(bytes(16)),
        "timestamp": now - 7_300_000,
        "protocolVersion": "3.2",
    }
    assert pas.error("/token/validate", old) == "ERR0030"
    assert pas.error("/token/validate", {**old, "timestamp": now + 1_900_000}) == "ERR0044"
    assert _validate(pas, phone, token_id, secret)["signatureType"] == "POSSESSION"
    pas.ok("/activation/block", {"activationId": phone.activation_id})
    assert _validate(pas, phone, token_id, secret, nonce=b"\x02" * 16)["tokenValid"] is False


def test_token_create_needs_a_good_signature(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.3")
    response, _ = phone.signed_encrypted(
        "/pa/v3/token/create", "/pa/token/create", EncryptorId.CREATE_TOKEN, {}, wrong_knowledge=True
    )
    assert response.status_code == 401
    assert pas.ok("/activation/status", {"activationId": phone.activation_id})["failedAttempts"] == 1


@pytest.mark.parametrize("version", ["3.0", "3.2", "3.3"])
def test_vault_unlock_returns_the_vault_key(version: str, activated: Callable[..., Any]) -> None:
    phone = activated(version)
    assert phone.vault_key() == phone.result.keys.vault


def test_vault_unlock_with_wrong_pin_is_401_and_counted(
    activated: Callable[..., Any], pas: PasClient
) -> None:
    phone = activated("3.3")
    response = phone.vault_key(wrong_knowledge=True)
    assert response.status_code == 401 and response.json()["responseObject"]["code"] == "ERR_AUTHENTICATION"
    assert pas.ok("/activation/status", {"activationId": phone.activation_id})["failedAttempts"] == 1
    possession_only = phone.post_signed("/pa/v3/vault/unlock", "/pa/vault/unlock", {}, "possession")
    assert possession_only.status_code == 401


def test_ecies_decryptor_matches_the_device_envelope_key(
    activated: Callable[..., Any], pas: PasClient
) -> None:
    phone = activated("3.2")
    encryptor = phone.activation_encryptor(EncryptorId.ACTIVATION_SCOPE_GENERIC)
    request = encryptor.encrypt_request(b"{}")
    answer = pas.ok(
        "/ecies/decryptor",
        {
            "activationId": phone.activation_id,
            "applicationKey": phone.application_key,
            "ephemeralPublicKey": b64encode(request.ephemeral_public_key),
            "nonce": b64encode(request.nonce),
            "timestamp": request.timestamp,
            "protocolVersion": "3.2",
        },
    )
    assert answer["secretKey"] == b64encode(encryptor.envelope_key.secret)
    assert answer["sharedInfo2"] == b64encode(encryptor.context.shared_info2_base())


def test_vault_refuses_biometry_by_default(activated: Callable[..., Any]) -> None:
    phone = activated("3.2")
    response, _ = phone.signed_encrypted("/pa/v3/vault/unlock", "/pa/vault/unlock", EncryptorId.VAULT_UNLOCK,
                                         {"reason": "ADD_BIOMETRY"}, "possession_biometry")
    assert response.status_code == 401 and response.json()["responseObject"]["code"] == "ERR_AUTHENTICATION"
