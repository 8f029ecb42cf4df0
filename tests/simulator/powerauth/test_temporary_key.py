"""3.3 temporary key JWTs: request HS256 and response ES256, both scopes, and tampering."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from simulator.powerauth.errors import TemporaryKeyError
from simulator.powerauth.kdf import kdf_internal
from simulator.powerauth.keys import generate_private_key
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest, request_mac_key

APP_KEY = "GlnZarYuYxQf9XNQYcKSvA=="
APP_SECRET = "X4Y+OoARCjZ3il+ogr67+w=="
ACT_ID = "27b1692e-b467-4708-9ad1-c84eec83fc0a"
TRANSPORT = bytes(range(16))
NOW = 1_750_000_000_000


def _parts(jwt: str) -> list[dict]:
    header, payload, _ = jwt.split(".")
    return [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in (header, payload)]


def test_request_jwt_layout_and_keys() -> None:
    request = TemporaryKeyRequest.new(APP_KEY)
    assert len(base64.b64decode(request.challenge)) == 18
    jwt = request.to_jwt(APP_SECRET)
    assert jwt.startswith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.")
    header, claims = _parts(jwt)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims == {"applicationKey": APP_KEY, "challenge": request.challenge}
    signing_input, signature = jwt.rsplit(".", 1)
    expected = hmac.new(base64.b64decode(APP_SECRET), signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "=") == expected
    assert request_mac_key(APP_SECRET, TRANSPORT) == kdf_internal(TRANSPORT, base64.b64decode(APP_SECRET))


@pytest.mark.parametrize("activation_scope", [False, True], ids=["application", "activation"])
def test_full_exchange(activation_scope: bool) -> None:
    transport = TRANSPORT if activation_scope else None
    signer = generate_private_key()  # master key (application) or server key (activation)
    request = TemporaryKeyRequest.new(APP_KEY, ACT_ID if activation_scope else None)
    jwt = request.to_jwt(APP_SECRET, transport)

    assert TemporaryKeyRequest.peek(jwt) == request
    received = TemporaryKeyRequest.verify(jwt, APP_SECRET, transport)
    temp = generate_private_key()
    issued = TemporaryKey.issue(received, temp.public_key(), NOW)
    response = issued.to_jwt(signer)
    header, claims = _parts(response)
    assert header == {"alg": "ES256", "typ": "JWT"}
    assert claims["sub"] == issued.key_id and claims["exp_ms"] - claims["iat_ms"] == 300_000
    assert claims["iat"] == NOW // 1000

    key = TemporaryKey.verify(response, signer.public_key(), request)
    assert key == issued and len(key.public_key) == 65
    assert key.is_valid_at(NOW + 299_999) and not key.is_valid_at(NOW + 300_000)


def test_request_wrong_secret_or_scope() -> None:
    jwt = TemporaryKeyRequest.new(APP_KEY).to_jwt(APP_SECRET)
    with pytest.raises(TemporaryKeyError, match="MAC"):
        TemporaryKeyRequest.verify(jwt, "AAAAAAAAAAAAAAAAAAAAAA==")
    with pytest.raises(TemporaryKeyError, match="MAC"):
        TemporaryKeyRequest.verify(jwt, APP_SECRET, TRANSPORT)
    act = TemporaryKeyRequest.new(APP_KEY, ACT_ID).to_jwt(APP_SECRET)
    with pytest.raises(TemporaryKeyError, match="scope"):
        TemporaryKeyRequest.verify(act, APP_SECRET)


def test_response_tampering_and_mismatch() -> None:
    signer = generate_private_key()
    request = TemporaryKeyRequest.new(APP_KEY)
    response = TemporaryKey.issue(request, generate_private_key().public_key(), NOW).to_jwt(signer)
    with pytest.raises(TemporaryKeyError, match="does not verify"):
        TemporaryKey.verify(response, generate_private_key().public_key(), request)
    other = TemporaryKeyRequest.new(APP_KEY)
    with pytest.raises(TemporaryKeyError, match="echo"):
        TemporaryKey.verify(response, signer.public_key(), other)
    header, payload, signature = response.split(".")
    with pytest.raises(TemporaryKeyError):
        TemporaryKey.verify(f"{header}.{payload}.{signature[:-4]}", signer.public_key(), request)


@pytest.mark.parametrize(
    "jwt",
    [
        "",
        "a.b",
        "a.b.c.d",
        "!!!.e30.",
        "eyJhbGciOiJub25lIn0.e30.",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.WzFd.",
    ],
    ids=["empty", "two-parts", "four-parts", "bad-base64", "alg-none", "payload-not-object"],
)
def test_garbage_jwts_are_typed(jwt: str) -> None:
    with pytest.raises(TemporaryKeyError):
        TemporaryKeyRequest.peek(jwt)
    with pytest.raises(TemporaryKeyError):
        TemporaryKey.verify(jwt, generate_private_key().public_key(), TemporaryKeyRequest(APP_KEY, "c"))
