"""Temporary encryption keys (protocol 3.3): the records behind ``keystore/create``.

Each key lives in the store as ``tmpkey:<keyId>`` with its private scalar, the application key and
(activation scope) activation it was issued for, and its expiry on the virtual clock.  The record
carries a store TTL as well, so expired keys vanish without a sweep; the explicit expiry check keeps
the answer exact even for a store whose TTLs are coarse.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from mocks.framework import random_uuid, rng, store
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.keys import private_key_from_bytes, private_key_to_bytes

from .exceptions import MissingTemporaryKeyError
from .keygen import now_ms, seeded_private_key

#: Server default ``powerauth.service.temporaryKey.validity``.
TEMPORARY_KEY_VALIDITY_MS = 300_000

Record = dict[str, Any]


def _key(key_id: str) -> str:
    return f"tmpkey:{key_id}"


def new_temporary_key(
    application_key: str, activation_id: str | None
) -> tuple[str, ec.EllipticCurvePrivateKey, int]:
    """Store a fresh key for the scope; returns (keyId, private key, issued-at ms)."""
    private = seeded_private_key("temporary-keys")
    key_id = random_uuid(rng("temporary-key-ids"))
    issued = now_ms()
    store().put(
        _key(key_id),
        {
            "keyId": key_id,
            "applicationKey": application_key,
            "activationId": activation_id,
            "privateKey": b64encode(private_key_to_bytes(private)),
            "expiresMs": issued + TEMPORARY_KEY_VALIDITY_MS,
        },
        ttl=TEMPORARY_KEY_VALIDITY_MS / 1000,
    )
    return key_id, private, issued


def temporary_private_key(
    key_id: str | None, application_key: str, activation_id: str | None
) -> ec.EllipticCurvePrivateKey:
    """The private key of a live temporary key issued for exactly this scope, else ERR0045."""
    if not key_id:
        raise MissingTemporaryKeyError("protocol 3.3 requires temporaryKeyId")
    record = store().get(_key(key_id))
    if not isinstance(record, dict) or record["expiresMs"] <= now_ms():
        raise MissingTemporaryKeyError(f"temporary key {key_id!r} is unknown or expired")
    if record["applicationKey"] != application_key or record["activationId"] != activation_id:
        raise MissingTemporaryKeyError(f"temporary key {key_id!r} was issued for another scope")
    return private_key_from_bytes(b64decode(record["privateKey"]))


def remove_temporary_key(key_id: str) -> bool:
    """Forget a key; True when it existed."""
    return store().delete(_key(key_id))
