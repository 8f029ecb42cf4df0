"""``vault/unlock``: hand a signed-in device its vault key, wrapped under the transport key.

The signature (normally possession_knowledge) is checked by the same function as ``signature/verify``,
so a wrong PIN counts as a failed attempt here too; only a valid signature opens the activation-scope
ECIES request (sh1 ``/pa/vault/unlock``) and returns ``encryptedVaultEncryptionKey``.
"""

from __future__ import annotations

from typing import Any

from simulator.powerauth.ecies import EncryptorId, dumps_compact, loads_json_object
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.vault import wrap_vault_key

from .ecies_service import activation_keys, open_request, protocol_version
from .exceptions import InvalidInputFormatError
from .signatures import verify_online_signature

Record = dict[str, Any]

VAULT_REASONS = ("ADD_BIOMETRY", "FETCH_ENCRYPTION_KEY", "SIGN_WITH_DEVICE_PRIVATE_KEY", "RECOVERY_CODE",
                 "NOT_SPECIFIED")


def vault_unlock(
    *,
    activation_id: str,
    application_key: str,
    signed_data: bytes,
    signature: str,
    signature_type: str,
    signature_version: str,
    ecies_fields: Record,
) -> Record:
    """``{signatureValid, encryptedData, mac, nonce, timestamp}``; the ECIES fields only when valid."""
    version = protocol_version(signature_version)
    result = verify_online_signature(
        activation_id=activation_id, application_key=application_key, data=signed_data, signature=signature,
        signature_type=signature_type, signature_version=signature_version,
    )
    if not result.valid or result.activation is None:
        return {"signatureValid": False, "encryptedData": None, "mac": None}
    activation = result.activation
    opened = open_request(ecies_fields, version=version, encryptor_id=EncryptorId.VAULT_UNLOCK,
                          application_key=application_key, activation=activation)
    try:
        reason = loads_json_object(opened.plaintext, "vault unlock request").get("reason", "NOT_SPECIFIED")
    except PowerAuthError as exc:
        raise InvalidInputFormatError(f"invalid vault unlock payload: {exc}") from None
    if reason not in VAULT_REASONS:
        raise InvalidInputFormatError(f"unknown vault unlock reason {reason!r}")
    keys = activation_keys(activation)
    plain = {"activationId": activation_id,
             "encryptedVaultEncryptionKey": wrap_vault_key(keys.transport, keys.vault)}
    return {**opened.respond(dumps_compact(plain)), "signatureValid": True}
