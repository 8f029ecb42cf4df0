"""Server-side ECIES for every method that takes encrypted data: key choice, replay check, errors.

The recipient key depends on scope and version (spec §4): the application's master key or the
activation's server key up to 3.2, the matching temporary key in 3.3.  One :func:`open_request`
gives back a decryptor that already decrypted the request, so the caller answers with
``decryptor.encrypt_response(...)`` - its nonce drawn from the seeded stream and its timestamp from
the virtual clock, like every other time the server states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from mocks.framework import store
from simulator.powerauth.codec import b64decode
from simulator.powerauth.ecies import EciesContext, EciesDecryptor, EciesRequest, EncryptorId
from simulator.powerauth.errors import EciesError, EciesReplayError, PowerAuthError
from simulator.powerauth.keys import DerivedKeys, private_key_from_bytes, public_key_from_bytes
from simulator.powerauth.versions import ProtocolVersion

from . import models
from .exceptions import (
    DecryptionFailedError,
    IncorrectActivationStateError,
    InvalidApplicationError,
    InvalidInputFormatError,
    InvalidRequestError,
)
from .keygen import now_ms, seeded_bytes
from .temporary_keys import temporary_private_key

Record = dict[str, Any]

#: How long a used (ephemeral key, nonce) pair is remembered.
REPLAY_MEMORY_SECONDS = 3600.0
#: ``requestExpirationInMilliseconds``: a request timestamp further ahead than this is refused.
FUTURE_WINDOW_MS = 60_000


def protocol_version(text: str | None, *, default: str | None = None) -> ProtocolVersion:
    """``3.0`` … ``3.3`` or ERR0024."""
    value = text if text is not None else default
    try:
        return ProtocolVersion(str(value))
    except ValueError:
        raise InvalidRequestError(f"unsupported protocol version {value!r}") from None


def replay_guard(ephemeral_public_key: bytes, nonce: bytes, timestamp: int, identifier: str) -> None:
    """Store-backed replay check: each (ephemeral key, nonce, identifier) once; no far-future stamps."""
    if timestamp > now_ms() + FUTURE_WINDOW_MS:
        raise EciesReplayError("request timestamp lies too far in the future")
    token = (ephemeral_public_key + nonce + identifier.encode("utf-8")).hex()
    if not store().put_if_absent(f"replay:{token}", timestamp, ttl=REPLAY_MEMORY_SECONDS):
        raise EciesReplayError("request nonce was already used (replay)")


def activation_keys(activation: Record) -> DerivedKeys:
    """The activation's derived keys (server private key × device public key); ERR0008 before key exchange."""
    if activation.get("devicePublicKey") is None:
        raise IncorrectActivationStateError("the activation has no device key yet")
    return _derived_keys(activation["serverPrivateKey"], activation["devicePublicKey"])


@lru_cache(maxsize=4096)
def _derived_keys(server_private_key: str, device_public_key: str) -> DerivedKeys:
    """The key schedule of one stored key pair (an ECDH and seven KDFs), kept: every status check and
    signature of the activation needs it again, and it is a function of these two texts alone.  A
    pair that does not load raises, and nothing is kept for it."""
    return DerivedKeys.from_key_pair(
        private_key_from_bytes(b64decode(server_private_key)),
        public_key_from_bytes(b64decode(device_public_key)),
    )


def parse_request(fields: Mapping[str, Any], version: ProtocolVersion) -> EciesRequest:
    """The ECIES request object with the version's strict field presence, or ERR0011."""
    try:
        return EciesRequest.from_json(dict(fields), version)
    except PowerAuthError as exc:
        raise InvalidInputFormatError(f"invalid ECIES request: {exc}") from None


@dataclass(frozen=True, slots=True)
class OpenedRequest:
    """A decrypted request and everything needed to answer it."""

    plaintext: bytes
    decryptor: EciesDecryptor
    application: Record
    app_version: Record

    def respond(self, plaintext: bytes) -> dict[str, Any]:
        """The encrypted answer's JSON fields (nonce and timestamp only in 3.2+)."""
        return self.decryptor.encrypt_response(plaintext).to_json()


def decryptor_for(
    *,
    version: ProtocolVersion,
    encryptor_id: EncryptorId,
    application_key: str,
    activation: Record | None = None,
    temporary_key_id: str | None = None,
) -> tuple[EciesDecryptor, Record, Record]:
    """A decryptor for the scope, with the right recipient key; unknown/unsupported app key is ERR0015."""
    application, app_version = models.find_version_by_key(application_key)
    if not app_version["supported"]:
        raise InvalidApplicationError("application version is not supported")
    transport_key = None
    activation_id = None
    if activation is not None:
        if activation["applicationId"] != application["applicationId"]:
            raise InvalidApplicationError("the activation belongs to another application")
        transport_key = activation_keys(activation).transport
        activation_id = activation["activationId"]
    recipient: ec.EllipticCurvePrivateKey
    if version.has_temporary_key:
        recipient = temporary_private_key(temporary_key_id, application_key, activation_id)
    elif activation is not None:
        recipient = private_key_from_bytes(b64decode(activation["serverPrivateKey"]))
    else:
        recipient = models.master_private_key(application)
    try:
        context = EciesContext(version, encryptor_id, application_key, app_version["applicationSecret"],
                               activation_id=activation_id, transport_key=transport_key,
                               temporary_key_id=temporary_key_id if version.has_temporary_key else None)
    except PowerAuthError as exc:
        raise InvalidInputFormatError(f"invalid ECIES parameters: {exc}") from None
    decryptor = EciesDecryptor(context, recipient, replay_guard,
                               random=lambda n: seeded_bytes("ecies-nonces", n), clock=now_ms)
    return decryptor, application, app_version


def open_request(
    fields: Mapping[str, Any],
    *,
    version: ProtocolVersion,
    encryptor_id: EncryptorId,
    application_key: str,
    activation: Record | None = None,
) -> OpenedRequest:
    """Parse, check and decrypt one ECIES request (ERR0011 format, ERR0018 MAC, ERR0024 replay)."""
    request = parse_request(fields, version)
    decryptor, application, app_version = decryptor_for(
        version=version, encryptor_id=encryptor_id, application_key=application_key,
        activation=activation, temporary_key_id=request.temporary_key_id,
    )
    try:
        plaintext = decryptor.decrypt_request(request)
    except EciesReplayError as exc:
        raise InvalidRequestError(f"request refused: {exc}") from None
    except EciesError as exc:
        raise DecryptionFailedError(f"decryption failed: {exc}") from None
    except PowerAuthError as exc:
        raise InvalidInputFormatError(f"invalid ECIES request: {exc}") from None
    return OpenedRequest(plaintext, decryptor, application, app_version)
