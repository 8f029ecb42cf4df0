"""Thin handlers: ``token/create``, ``token/validate``, ``token/remove`` and ``vault/unlock``."""

from __future__ import annotations

from flask import Response

from . import tokens, vault
from .activation_responses import ECIES_FIELDS
from .crypto_schemas import CreateTokenRequest, RemoveTokenRequest, ValidateTokenRequest, VaultUnlockRequest
from .responses import ok, request_object


def token_create() -> Response:
    body = request_object(CreateTokenRequest)
    fields = {k: v for k, v in body.model_dump().items() if k in ECIES_FIELDS and v is not None}
    return ok(tokens.create_token(activation_id=body.activationId, application_key=body.applicationKey,
                                  ecies_fields=fields, signature_type=body.signatureType,
                                  protocol_version_text=body.protocolVersion))


def token_validate() -> Response:
    body = request_object(ValidateTokenRequest)
    return ok(tokens.validate_token(token_id=body.tokenId, token_digest=body.tokenDigest, nonce=body.nonce,
                                    timestamp=body.timestamp, protocol_version=body.protocolVersion))


def token_remove() -> Response:
    body = request_object(RemoveTokenRequest)
    return ok({"removed": tokens.remove_token(body.tokenId, body.activationId)})


def vault_unlock() -> Response:
    body = request_object(VaultUnlockRequest)
    fields = {k: v for k, v in body.model_dump().items() if k in ECIES_FIELDS and v is not None}
    return ok(vault.vault_unlock(
        activation_id=body.activationId, application_key=body.applicationKey,
        signed_data=body.signedData.encode("utf-8"), signature=body.signature,
        signature_type=body.signatureType, signature_version=body.signatureVersion, ecies_fields=fields,
    ))
