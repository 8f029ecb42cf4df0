"""3.3 temporary encryption keys: the ``/pa/v3/keystore/create`` JWT exchange.

The device asks for a short-lived EC key with an HS256 JWT (key: the decoded app secret for
application scope, ``KDF_INTERNAL(KEY_TRANSPORT, appSecretRaw)`` for activation scope). The server
answers with an ES256 JWT (master private key for application scope, the activation's server
private key for activation scope) carrying the key id (``sub``) and the public key. JWTs are built
by hand because the 16-byte HMAC key is below what JWT libraries accept.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import InvalidKeyError, TemporaryKeyError
from simulator.powerauth.kdf import hmac_sha256, kdf_internal
from simulator.powerauth.keys import public_key_from_bytes, public_key_to_bytes

#: Server default ``temporaryKey.validity``.
DEFAULT_VALIDITY_MS = 300_000
CHALLENGE_BYTES = 18
_HS256_HEADER = b'{"alg":"HS256","typ":"JWT"}'
_ES256_HEADER = b'{"alg":"ES256","typ":"JWT"}'


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TemporaryKeyError(f"JWT {what} is not Base64url") from exc


def _split(jwt: str, alg: str) -> tuple[bytes, dict[str, Any], bytes]:
    """Return (signing input, claims, signature) after checking the header's ``alg`` and ``typ``."""
    if not isinstance(jwt, str) or jwt.count(".") != 2:
        raise TemporaryKeyError("JWT must have three dot-separated parts")
    header_b64, payload_b64, signature_b64 = jwt.split(".")
    try:
        header = json.loads(_b64url_decode(header_b64, "header"))
        claims = json.loads(_b64url_decode(payload_b64, "payload"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TemporaryKeyError("JWT header or payload is not JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != alg or header.get("typ") != "JWT":
        raise TemporaryKeyError(f"JWT header must be alg={alg}, typ=JWT")
    if not isinstance(claims, dict):
        raise TemporaryKeyError("JWT payload must be a JSON object")
    return f"{header_b64}.{payload_b64}".encode("ascii"), claims, _b64url_decode(signature_b64, "signature")


def _claim(claims: dict[str, Any], name: str, kind: type = str) -> Any:
    value = claims.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TemporaryKeyError(f"JWT claim {name!r} is missing or not a {kind.__name__}")
    return value


def request_mac_key(application_secret: str, transport_key: bytes | None = None) -> bytes:
    """HS256 key: raw app secret (application scope) or ``KDF_INTERNAL(KEY_TRANSPORT, raw)``."""
    raw = b64decode(application_secret, what="application secret", error=TemporaryKeyError)
    return raw if transport_key is None else kdf_internal(transport_key, raw)


@dataclass(frozen=True, slots=True)
class TemporaryKeyRequest:
    """Claims of the device's request JWT."""

    application_key: str
    challenge: str
    activation_id: str | None = None

    def claims(self) -> dict[str, Any]:
        out: dict[str, Any] = {"applicationKey": self.application_key}
        if self.activation_id is not None:
            out["activationId"] = self.activation_id
        out["challenge"] = self.challenge
        return out

    def to_jwt(self, application_secret: str, transport_key: bytes | None = None) -> str:
        """Sign with HS256 under the scope's key (pass ``transport_key`` for activation scope)."""
        signing_input = _b64url(_HS256_HEADER) + "." + _b64url(json.dumps(self.claims()).encode("utf-8"))
        mac = hmac_sha256(request_mac_key(application_secret, transport_key), signing_input.encode("ascii"))
        return signing_input + "." + _b64url(mac)

    @classmethod
    def new(cls, application_key: str, activation_id: str | None = None) -> TemporaryKeyRequest:
        """A request with a fresh challenge (Base64 of 18 random bytes, as the SDK does)."""
        return cls(application_key, b64encode(os.urandom(CHALLENGE_BYTES)), activation_id)

    @classmethod
    def peek(cls, jwt: str) -> TemporaryKeyRequest:
        """Read the claims *without* verifying, so the server can look up the secret to verify with."""
        _, claims, _ = _split(jwt, "HS256")
        activation_id = claims.get("activationId")
        if activation_id is not None and not isinstance(activation_id, str):
            raise TemporaryKeyError("JWT claim 'activationId' must be a string")
        return cls(_claim(claims, "applicationKey"), _claim(claims, "challenge"), activation_id)

    @classmethod
    def verify(
        cls, jwt: str, application_secret: str, transport_key: bytes | None = None
    ) -> TemporaryKeyRequest:
        """Check the HS256 MAC in constant time and return the claims."""
        signing_input, _, mac = _split(jwt, "HS256")
        expected = hmac_sha256(request_mac_key(application_secret, transport_key), signing_input)
        if not hmac.compare_digest(expected, mac):
            raise TemporaryKeyError("temporary key request JWT has a wrong MAC")
        request = cls.peek(jwt)
        if (request.activation_id is None) != (transport_key is None):
            raise TemporaryKeyError("temporary key request scope does not match the key used to verify it")
        return request


@dataclass(frozen=True, slots=True)
class TemporaryKey:
    """The server's answer: key id, public key and validity, bound to the request's identities."""

    key_id: str
    public_key: bytes
    application_key: str
    challenge: str
    issued_at_ms: int
    expires_at_ms: int
    activation_id: str | None = None

    def claims(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sub": self.key_id, "applicationKey": self.application_key}
        if self.activation_id is not None:
            out["activationId"] = self.activation_id
        out.update(
            challenge=self.challenge,
            publicKey=b64encode(self.public_key),
            iat=self.issued_at_ms // 1000,
            iat_ms=self.issued_at_ms,
            exp=self.expires_at_ms // 1000,
            exp_ms=self.expires_at_ms,
        )
        return out

    def to_jwt(self, signing_key: ec.EllipticCurvePrivateKey) -> str:
        """Sign with ES256 (JOSE ``r‖s``) using the master or server private key."""
        signing_input = _b64url(_ES256_HEADER) + "." + _b64url(json.dumps(self.claims()).encode("utf-8"))
        r, s = decode_dss_signature(
            signing_key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        )
        return signing_input + "." + _b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    @classmethod
    def issue(
        cls,
        request: TemporaryKeyRequest,
        temporary_public_key: ec.EllipticCurvePublicKey,
        now_ms: int,
        validity_ms: int = DEFAULT_VALIDITY_MS,
        key_id: str | None = None,
    ) -> TemporaryKey:
        """Server side: describe a new temporary key answering ``request``."""
        return cls(
            key_id=key_id or str(uuid.uuid4()),
            public_key=public_key_to_bytes(temporary_public_key),
            application_key=request.application_key,
            challenge=request.challenge,
            issued_at_ms=now_ms,
            expires_at_ms=now_ms + validity_ms,
            activation_id=request.activation_id,
        )

    @classmethod
    def verify(
        cls, jwt: str, signing_public_key: ec.EllipticCurvePublicKey, request: TemporaryKeyRequest
    ) -> TemporaryKey:
        """Device side: check the ES256 signature and that the echoed claims match the request."""
        signing_input, claims, signature = _split(jwt, "ES256")
        if len(signature) != 64:
            raise TemporaryKeyError("ES256 signature must be 64 bytes (r‖s)")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            signing_public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise TemporaryKeyError("temporary key response JWT signature does not verify") from exc
        public_key = b64decode(_claim(claims, "publicKey"), what="publicKey", error=TemporaryKeyError)
        try:
            public_key_from_bytes(public_key)
        except InvalidKeyError as exc:
            raise TemporaryKeyError(f"temporary public key is invalid: {exc}") from exc
        key = cls(
            key_id=_claim(claims, "sub"),
            public_key=public_key,
            application_key=_claim(claims, "applicationKey"),
            challenge=_claim(claims, "challenge"),
            issued_at_ms=_claim(claims, "iat_ms", int),
            expires_at_ms=_claim(claims, "exp_ms", int),
            activation_id=claims.get("activationId"),
        )
        echoed = (key.application_key, key.challenge, key.activation_id)
        if echoed != (request.application_key, request.challenge, request.activation_id):
            raise TemporaryKeyError("temporary key response does not echo the request's claims")
        return key

    def is_valid_at(self, now_ms: int) -> bool:
        """True while the key has not expired."""
        return self.issued_at_ms <= now_ms < self.expires_at_ms
