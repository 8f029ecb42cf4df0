"""Activation fingerprint: the 8 digits the user compares between the device and the web.

``H = SHA256(X(devicePub) ‖ UTF8(activationId) ‖ X(serverPub))`` where ``X`` is the affine X
coordinate as a *minimal-length* unsigned integer (leading zero bytes stripped, as Java BigInteger
and OpenSSL do), then ``(BE32(H[28:32]) & 0x7FFFFFFF) mod 10^8``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.kdf import sha256
from simulator.powerauth.keys import public_key_from_bytes

FINGERPRINT_DIGITS = 8


def public_key_x_minimal(public_key: ec.EllipticCurvePublicKey | bytes) -> bytes:
    """The X coordinate as minimal unsigned big-endian bytes (31 B for about 1 key in 256)."""
    key = public_key_from_bytes(public_key) if isinstance(public_key, bytes | bytearray) else public_key
    x = key.public_numbers().x
    return x.to_bytes(max(1, (x.bit_length() + 7) // 8), "big")


def decimalize(digest: bytes, digits: int = FINGERPRINT_DIGITS) -> str:
    """Dynamic-truncation style decimal: last 4 bytes, top bit cleared, mod 10^digits, zero padded."""
    value = int.from_bytes(digest[-4:], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def activation_fingerprint(
    device_public_key: ec.EllipticCurvePublicKey | bytes,
    activation_id: str,
    server_public_key: ec.EllipticCurvePublicKey | bytes,
) -> str:
    """The v3 activation fingerprint (``devicePublicKeyFingerprint``), 8 decimal digits."""
    data = public_key_x_minimal(device_public_key) + activation_id.encode("utf-8")
    data += public_key_x_minimal(server_public_key)
    return decimalize(sha256(data))
