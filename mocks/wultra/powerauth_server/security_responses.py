"""Thin handlers: keystore (3.3 temporary keys), ECIES decryptor and online signature verification."""

from __future__ import annotations

from flask import Response

from simulator.powerauth.codec import b64encode
from simulator.powerauth.ecies import EncryptorId

from . import activations, keystore, offline, signatures
from .crypto_schemas import (
    CreateTemporaryKeyRequest,
    EciesDecryptorRequest,
    NonPersonalizedOfflineRequest,
    PersonalizedOfflineRequest,
    RemoveTemporaryKeyRequest,
    VerifyEcdsaRequest,
    VerifyOfflineSignatureRequest,
    VerifySignatureRequest,
)
from .ecies_service import decryptor_for, parse_request, protocol_version
from .exceptions import InvalidInputFormatError
from .responses import ok, request_object


def keystore_create() -> Response:
    body = request_object(CreateTemporaryKeyRequest)
    return ok({"jwt": keystore.create_temporary_key(body.jwt)})


def keystore_remove() -> Response:
    body = request_object(RemoveTemporaryKeyRequest)
    return ok({"id": body.id, "removed": keystore.remove_key(body.id)})


def ecies_decryptor() -> Response:
    """Envelope key and sharedInfo2 base for a generic (application or activation scope) request."""
    body = request_object(EciesDecryptorRequest)
    version = protocol_version(body.protocolVersion)
    # Reuse the request parser for the presence rules; the data and MAC are not part of this call.
    fields = {
        "ephemeralPublicKey": body.ephemeralPublicKey,
        "encryptedData": b64encode(bytes(16)),
        "mac": b64encode(bytes(32)),
        "nonce": body.nonce,
        "timestamp": body.timestamp,
        "temporaryKeyId": body.temporaryKeyId,
    }
    request = parse_request({k: v for k, v in fields.items() if v is not None}, version)
    activation = activations.get(body.activationId) if body.activationId else None
    encryptor_id = (
        EncryptorId.ACTIVATION_SCOPE_GENERIC
        if activation is not None
        else EncryptorId.APPLICATION_SCOPE_GENERIC
    )
    decryptor, _, _ = decryptor_for(
        version=version,
        encryptor_id=encryptor_id,
        application_key=body.applicationKey,
        activation=activation,
        temporary_key_id=request.temporary_key_id,
    )
    try:
        envelope = decryptor.derive_envelope_key(request.ephemeral_public_key)
    except ValueError as exc:
        raise InvalidInputFormatError(f"invalid ephemeral public key: {exc}") from None
    return ok(
        {
            "secretKey": b64encode(envelope.secret),
            "sharedInfo2": b64encode(decryptor.context.shared_info2_base()),
        }
    )


def signature_verify() -> Response:
    body = request_object(VerifySignatureRequest)
    result = signatures.verify_online_signature(
        activation_id=body.activationId,
        application_key=body.applicationKey,
        data=body.data.encode("utf-8"),
        signature=body.signature,
        signature_type=body.signatureType,
        signature_version=body.signatureVersion,
    )
    return ok(result.to_json())


def offline_personalized_create() -> Response:
    body = request_object(PersonalizedOfflineRequest)
    return ok(offline.personalized_payload(body.activationId, body.data, body.nonce))


def offline_non_personalized_create() -> Response:
    body = request_object(NonPersonalizedOfflineRequest)
    return ok(offline.non_personalized_payload(body.applicationId, body.data, body.nonce))


def offline_verify() -> Response:
    body = request_object(VerifyOfflineSignatureRequest)
    result = signatures.verify_offline_signature(
        activation_id=body.activationId,
        data=body.data.encode("utf-8"),
        signature=body.signature,
        allow_biometry=body.biometryAllowed,
    )
    return ok(result.to_json())


def ecdsa_verify() -> Response:
    body = request_object(VerifyEcdsaRequest)
    return ok(
        {
            "signatureValid": offline.verify_device_ecdsa(
                body.activationId, body.data, body.signature, body.signatureFormat
            )
        }
    )
