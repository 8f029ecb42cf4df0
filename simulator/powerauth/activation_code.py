"""Activation code, activation ID, activation OTP and the server's activation signature.

The code is ``XXXXX-XXXXX-XXXXX-XXXXX``: Base32 (RFC 4648, no padding) of 10 random bytes followed
by their CRC-16/ARC, big-endian. The server signs the code text (with dashes) using ECDSA-P256-SHA256
and the application master private key; the device verifies it before it generates keys.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import uuid
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import (
    ActivationSignatureError,
    InvalidActivationCodeError,
    InvalidActivationIdError,
)

CODE_LENGTH = 23
CODE_RANDOM_BYTES = 10
CODE_PATTERN = re.compile(r"[A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}")
ACTIVATION_ID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _crc16_arc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc16_arc_table()


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (poly 0x8005 reflected, init 0, no xorout); ``crc16_arc(b"123456789") == 0xBB3D``."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def encode_activation_code(random_bytes: bytes) -> str:
    """Build the code from exactly 10 bytes: append the CRC, Base32 without padding, 4 groups of 5."""
    if len(random_bytes) != CODE_RANDOM_BYTES:
        raise InvalidActivationCodeError(
            f"activation code needs {CODE_RANDOM_BYTES} bytes, got {len(random_bytes)}"
        )
    payload = random_bytes + crc16_arc(random_bytes).to_bytes(2, "big")
    text = base64.b32encode(payload).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 5] for i in range(0, 20, 5))


def generate_activation_code(random: Callable[[int], bytes] = os.urandom) -> str:
    """A fresh random activation code (``random`` is injectable for seeded simulations)."""
    return encode_activation_code(random(CODE_RANDOM_BYTES))


def decode_activation_code(code: str) -> bytes:
    """Validate a code and return its 10 random bytes; the error says what exactly is wrong."""
    if not isinstance(code, str):
        raise InvalidActivationCodeError(f"activation code must be a string, got {type(code).__name__}")
    if len(code) != CODE_LENGTH:
        raise InvalidActivationCodeError(f"activation code must be {CODE_LENGTH} characters, got {len(code)}")
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidActivationCodeError(
            "activation code must be four dash-separated groups of 5 Base32 characters (A-Z, 2-7)"
        )
    try:
        payload = base64.b32decode(code.replace("-", "") + "====")
    except binascii.Error as exc:  # unreachable after the pattern check, kept for safety
        raise InvalidActivationCodeError(f"activation code is not Base32: {exc}") from exc
    if len(payload) != 12:
        raise InvalidActivationCodeError("activation code does not decode to 12 bytes")
    if base64.b32encode(payload).decode("ascii").rstrip("=") != code.replace("-", ""):
        # The last character carries 4 unused bits; a generator always leaves them zero.
        raise InvalidActivationCodeError("activation code is non-canonical Base32 (unused trailing bits set)")
    expected = crc16_arc(payload[:10])
    found = int.from_bytes(payload[10:], "big")
    if expected != found:
        raise InvalidActivationCodeError(
            f"activation code checksum mismatch (CRC {found:#06x}, expected {expected:#06x})"
        )
    return payload[:10]


def is_valid_activation_code(code: str) -> bool:
    """True when :func:`decode_activation_code` accepts the code."""
    try:
        decode_activation_code(code)
    except InvalidActivationCodeError:
        return False
    return True


def sign_activation_code(code: str, master_private_key: ec.EllipticCurvePrivateKey) -> str:
    """``activationSignature``: Base64 DER of ECDSA-P256-SHA256 over the UTF-8 code text."""
    return b64encode(master_private_key.sign(code.encode("utf-8"), ec.ECDSA(hashes.SHA256())))


def verify_activation_signature(
    code: str, signature_b64: str, master_public_key: ec.EllipticCurvePublicKey
) -> None:
    """Check the server's signature over the code; raise :class:`ActivationSignatureError` if it fails."""
    signature = b64decode(signature_b64, what="activationSignature", error=ActivationSignatureError)
    try:
        master_public_key.verify(signature, code.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise ActivationSignatureError(
            "activation signature does not verify with the master public key"
        ) from exc
    except ValueError as exc:  # DER that cannot be parsed
        raise ActivationSignatureError(f"activation signature is not a DER ECDSA signature: {exc}") from exc


def parse_activation_qr(text: str) -> tuple[str, str | None]:
    """Split the QR / deeplink form ``CODE#SIGNATURE`` and validate the code part."""
    code, sep, signature = text.partition("#")
    decode_activation_code(code)
    if sep and not signature:
        raise InvalidActivationCodeError("activation QR text has '#' but no signature")
    return code, signature or None


def format_activation_qr(code: str, signature_b64: str | None) -> str:
    """The QR / deeplink text for a code and optional signature."""
    return f"{code}#{signature_b64}" if signature_b64 else code


def new_activation_id() -> str:
    """A fresh activation ID (UUIDv4, lower case)."""
    return str(uuid.uuid4())


def normalize_activation_id(activation_id: str) -> str:
    """Lower-case an activation ID and check it against the server's UUID pattern."""
    if not isinstance(activation_id, str):
        raise InvalidActivationIdError("activation ID must be a string")
    value = activation_id.strip().lower()
    if not ACTIVATION_ID_PATTERN.fullmatch(value):
        raise InvalidActivationIdError(f"not a valid activation ID: {activation_id!r}")
    return value


def activation_otp_matches(expected: str | None, given: str | None) -> bool:
    """Compare an activation OTP in constant time; the OTP is used as-is (no transformation)."""
    if expected is None or given is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
