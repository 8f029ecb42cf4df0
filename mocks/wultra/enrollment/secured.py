"""Signed device endpoints: ``token/create``, ``token/remove``, ``vault/unlock``, ``signature/validate``.

Signed and encrypted endpoints take version, application key and activation from the signature
header (no ``X-PowerAuth-Encryption``), and sign the encrypted body as sent (encrypt-then-sign).
"""

from __future__ import annotations

from flask import Response, jsonify, request
from pydantic import Field

from mocks.framework import parse_body
from mocks.framework.errors import read_body
from mocks.wultra.powerauth_server import tokens, vault
from mocks.wultra.powerauth_server.schemas import _Wire, envelope
from mocks.wultra.powerauth_server.settings import powerauth_settings
from simulator.powerauth.headers import AUTHORIZATION_HEADER, AuthorizationHeader
from simulator.powerauth.signature import SignatureType, request_data

from .auth import ANY_SIGNATURE, parsed_header, require_signature
from .bridge import pas_call
from .encryption import encrypted_body
from .exceptions import AuthenticationFailedError, EncryptionFailedError, SecureVaultFailedError

#: Vault unlock needs the knowledge factor; biometry only where ``powerauth_vault_biometry`` enables it.
VAULT_SIGNATURES = frozenset({SignatureType.POSSESSION_KNOWLEDGE})
VAULT_BIOMETRY = frozenset({SignatureType.POSSESSION_BIOMETRY})


def token_create() -> Response:
    """Signed + activation-scope ECIES ``{}`` → encrypted ``{tokenId, tokenSecret}``."""
    who = require_signature("/pa/token/create", ANY_SIGNATURE)
    fields = encrypted_body()
    with pas_call(EncryptionFailedError):
        answer = tokens.create_token(
            activation_id=who.activation_id, application_key=who.header.application_key, ecies_fields=fields,
            signature_type=who.signature_type.value, protocol_version_text=who.header.version,
        )
    return jsonify(answer)


class TokenRemoveRequest(_Wire):
    tokenId: str = Field(min_length=1, max_length=255)


def token_remove() -> Response:
    who = require_signature("/pa/token/remove", ANY_SIGNATURE)
    body = parse_body(envelope(TokenRemoveRequest)).requestObject
    with pas_call(AuthenticationFailedError):
        tokens.remove_token(body.tokenId, who.activation_id)
    return jsonify({"status": "OK", "responseObject": {"tokenId": body.tokenId}})


def vault_unlock() -> Response:
    """The PowerAuth Server checks the signature itself (``vault/unlock``); a bad one is still 401."""
    header = parsed_header(AUTHORIZATION_HEADER, AuthorizationHeader.parse, AuthenticationFailedError)
    allowed = VAULT_SIGNATURES | (VAULT_BIOMETRY if powerauth_settings().vault_biometry else frozenset())
    if header.signature_type not in allowed:
        raise AuthenticationFailedError(f"signature type {header.signature_type} cannot unlock the vault")
    signed = request_data(request.method, "/pa/vault/unlock", header.nonce, read_body())
    fields = encrypted_body()
    with pas_call(SecureVaultFailedError):
        answer = vault.vault_unlock(
            activation_id=header.activation_id, application_key=header.application_key, signed_data=signed,
            signature=header.signature, signature_type=header.signature_type.value,
            signature_version=header.version, ecies_fields=fields,
        )
    if not answer.pop("signatureValid"):
        raise AuthenticationFailedError("vault unlock signature does not verify")
    return jsonify(answer)


def signature_validate() -> Response:
    """A signed no-op: lets a client check its signing (and counter) against the server."""
    require_signature("/pa/signature/validate", ANY_SIGNATURE)
    return jsonify({"status": "OK"})
