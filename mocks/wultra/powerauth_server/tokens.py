"""MAC tokens (``token/create``, ``token/validate``, ``token/remove``), spec §8.

A token is created over an activation-scope ECIES exchange (sh1 ``/pa/token/create``) and stored as
``token:<tokenId>`` with its 16-byte secret and the signature type the create request was signed with.
Validation checks the timestamp window on the virtual clock (2 h back, 30 min ahead: ERR0030 /
ERR0044), refuses a nonce seen before for the same token, requires an ACTIVE activation, then
compares the digest in constant time.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import random_uuid, rng, store
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EncryptorId, dumps_compact
from simulator.powerauth.errors import TokenError
from simulator.powerauth.token import (
    TIMESTAMP_FUTURE_VALIDITY_MS,
    TIMESTAMP_PAST_VALIDITY_MS,
    TOKEN_SECRET_LENGTH,
    verify_token_digest,
)

from . import activations, models
from .ecies_service import open_request, protocol_version
from .exceptions import (
    InvalidRequestError,
    TokenTimestampInFutureError,
    TokenTimestampTooOldError,
)
from .keygen import now_ms, seeded_bytes
from .signatures import parse_signature_type

Record = dict[str, Any]


def _key(token_id: str) -> str:
    return f"token:{token_id}"


def create_token(
    *, activation_id: str, application_key: str, ecies_fields: Record, signature_type: str,
    protocol_version_text: str | None,
) -> Record:
    """Decrypt the request, mint a token for the ACTIVE activation, answer ``{tokenId, tokenSecret}``."""
    version = protocol_version(protocol_version_text)
    sig_type = parse_signature_type(signature_type)
    activation = activations.get(activation_id)
    activations.require_state(activation, "ACTIVE")
    opened = open_request(ecies_fields, version=version, encryptor_id=EncryptorId.CREATE_TOKEN,
                          application_key=application_key, activation=activation)
    token_id = random_uuid(rng("token-ids"))
    secret = seeded_bytes("token-secrets", TOKEN_SECRET_LENGTH)
    store().put(_key(token_id), {
        "tokenId": token_id,
        "tokenSecret": b64encode(secret),
        "activationId": activation_id,
        "signatureType": sig_type.value.upper(),
        "timestampCreated": now_ms(),
    })
    return opened.respond(dumps_compact({"tokenId": token_id, "tokenSecret": b64encode(secret)}))


def _check_window(timestamp: int) -> None:
    current = now_ms()
    if timestamp < current - TIMESTAMP_PAST_VALIDITY_MS:
        raise TokenTimestampTooOldError("token timestamp is too old")
    if timestamp > current + TIMESTAMP_FUTURE_VALIDITY_MS:
        raise TokenTimestampInFutureError("token timestamp is too far in the future")


def validate_token(
    *, token_id: str, token_digest: str, nonce: str, timestamp: int, protocol_version: str | None
) -> Record:
    """``token/validate``: ``tokenValid`` plus the activation's identity when valid."""
    version = protocol_version_of(protocol_version)
    _check_window(timestamp)
    invalid: Record = {"tokenValid": False, "activationId": None, "userId": None, "applicationId": None,
                       "applicationRoles": [], "activationFlags": [], "signatureType": None}
    token = store().get(_key(token_id))
    if not isinstance(token, dict):
        return invalid
    activation = activations.find(token["activationId"])
    if activation is None or activation["activationStatus"] != "ACTIVE":
        return invalid
    try:
        raw_nonce = b64decode(nonce, what="nonce", length=16, error=TokenError)
        valid = verify_token_digest(token["tokenSecret"], raw_nonce, timestamp, version, token_digest)
    except TokenError as exc:
        raise InvalidRequestError(f"invalid token data: {exc}") from None
    if not valid:
        return invalid
    window_s = (TIMESTAMP_PAST_VALIDITY_MS + TIMESTAMP_FUTURE_VALIDITY_MS) / 1000
    if not store().put_if_absent(f"token-nonce:{token_id}:{raw_nonce.hex()}", timestamp, ttl=window_s):
        return invalid
    application = models.get_application(activation["applicationId"])
    return {
        "tokenValid": True,
        "activationId": activation["activationId"],
        "userId": activation["userId"],
        "applicationId": activation["applicationId"],
        "applicationRoles": application["applicationRoles"],
        "activationFlags": activation["activationFlags"],
        "signatureType": token["signatureType"],
    }


def protocol_version_of(text: str | None) -> str:
    """The version text after checking it names a supported protocol version."""
    return protocol_version(text).value


def remove_token(token_id: str, activation_id: str | None) -> bool:
    """``token/remove``: True when a token (of that activation, if given) was removed."""
    token = store().get(_key(token_id))
    if not isinstance(token, dict):
        return False
    if activation_id is not None and token["activationId"] != activation_id:
        return False
    return store().delete(_key(token_id))
