"""Offline (QR) operations: check the server-signed payload, then compute the decimal signature.

The bank shows ``offlineData = SIGNED ‖ B64(ECDSA(SIGNED))`` as a QR code, where
``SIGNED = DATA \\n NONCE \\n KEY_INDICATOR``. Indicator ``1`` means the activation's server key
signed it (personalized), ``0`` the application master key. The phone refuses a payload whose
signature does not verify - otherwise anyone could show it a QR code to sign - and then signs
``POST & uriId & NONCE & DATA`` with the literal secret ``offline``; the user types the decimal
digits into the bank's page.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.codec import b64decode
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.keys import public_key_from_bytes

from .errors import ServerResponseError

PERSONALIZED = "1"
NON_PERSONALIZED = "0"


@dataclass(frozen=True, slots=True)
class OfflinePayload:
    """A verified offline payload: what to show the user and what to sign."""

    data: str
    nonce: str
    personalized: bool


def parse_and_verify(
    offline_data: str, master_public_key: bytes, server_public_key: bytes | None
) -> OfflinePayload:
    """Split the QR text and verify its ECDSA with the key its indicator names."""
    parts = offline_data.split("\n")
    if len(parts) < 3 or not parts[-1]:
        raise ServerResponseError("offline data must be DATA\\nNONCE\\n<indicator><signature>")
    data, nonce, tail = "\n".join(parts[:-2]), parts[-2], parts[-1]
    indicator, signature_b64 = tail[0], tail[1:]
    if indicator == PERSONALIZED:
        if server_public_key is None:
            raise ServerResponseError("a personalized offline payload needs an activation")
        key = server_public_key
    elif indicator == NON_PERSONALIZED:
        key = master_public_key
    else:
        raise ServerResponseError(f"unknown offline key indicator {indicator!r}")
    try:
        b64decode(nonce, what="offline nonce", length=16)
        signature = b64decode(signature_b64, what="offline payload signature")
        signed = f"{data}\n{nonce}\n{indicator}".encode()
        public_key_from_bytes(key).verify(signature, signed, ec.ECDSA(hashes.SHA256()))
    except (PowerAuthError, InvalidSignature, ValueError, binascii.Error) as exc:
        raise ServerResponseError(f"offline payload signature does not verify: {exc or 'mismatch'}") from exc
    return OfflinePayload(data, nonce, indicator == PERSONALIZED)
