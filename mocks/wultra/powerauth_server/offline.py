"""Offline signatures: the QR payload the server signs, and ECDSA checks with the device's key.

``offlineData`` is ``DATA \\n NONCE \\n KEY_INDICATOR ‖ B64(ECDSA(DATA \\n NONCE \\n KEY_INDICATOR))``
where the indicator is ``1`` for the activation's server key (personalized) and ``0`` for the
application's master key (non-personalized), so the device knows which public key verifies it.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.keys import private_key_from_bytes, public_key_from_bytes

from . import activations, models
from .exceptions import InvalidInputFormatError, InvalidRequestError
from .keygen import seeded_bytes

Record = dict[str, Any]

PERSONALIZED_INDICATOR = "1"
NON_PERSONALIZED_INDICATOR = "0"


def _payload(data: str, nonce: str | None, key: ec.EllipticCurvePrivateKey, indicator: str) -> Record:
    if nonce is None:
        nonce = b64encode(seeded_bytes("offline-nonces", 16))
    signed = f"{data}\n{nonce}\n{indicator}"
    signature = key.sign(signed.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    return {"offlineData": signed + b64encode(signature), "nonce": nonce}


def personalized_payload(activation_id: str, data: str, nonce: str | None) -> Record:
    """Payload signed with the activation's server private key (the activation must be ACTIVE)."""
    record = activations.get(activation_id)
    activations.require_state(record, "ACTIVE")
    key = private_key_from_bytes(b64decode(record["serverPrivateKey"]))
    return _payload(data, nonce, key, PERSONALIZED_INDICATOR)


def non_personalized_payload(application_id: str, data: str, nonce: str | None) -> Record:
    """Payload signed with the application's master private key."""
    application = models.get_application(application_id)
    return _payload(data, nonce, models.master_private_key(application), NON_PERSONALIZED_INDICATOR)


def verify_device_ecdsa(activation_id: str, data_b64: str, signature_b64: str, signature_format: str) -> bool:
    """``signature/ecdsa/verify``: ECDSA-SHA256 over the data with the device public key (DER or JOSE)."""
    record = activations.get(activation_id)
    if record["devicePublicKey"] is None:
        return False
    try:
        data = b64decode(data_b64, what="data")
        signature = b64decode(signature_b64, what="signature")
    except ValueError as exc:
        raise InvalidInputFormatError(str(exc)) from None
    if signature_format == "JOSE":
        if len(signature) != 64:
            return False
        signature = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
    elif signature_format != "DER":
        raise InvalidRequestError(f"unknown signature format {signature_format!r}")
    try:
        public_key_from_bytes(b64decode(record["devicePublicKey"])).verify(
            signature, data, ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError):
        return False
    return True
