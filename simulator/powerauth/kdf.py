"""Symmetric primitives and key derivation functions of PowerAuth v3.

Thin wrappers over ``cryptography`` that fix the exact byte layouts the protocol uses:

* ``KDF(K, idx)``: AES-128 of ``00×8 ‖ BE64(idx)`` (the index sits in the *last* 8 bytes).
* ``KDF_INTERNAL(K, data)``: ``fold(HMAC-SHA256(key=K, msg=data))``; K is the HMAC key.
* X9.63 KDF with SHA-256, used by ECIES for the 48-byte envelope key.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF

from simulator.powerauth.errors import CryptoError

BLOCK_SIZE = 16
ZERO_IV = bytes(BLOCK_SIZE)


def _check_aes_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) not in (16, 24, 32):
        raise CryptoError(f"AES key must be 16, 24 or 32 bytes, got {len(key) if key is not None else None}")


def _check_iv(iv: bytes) -> None:
    if not isinstance(iv, bytes | bytearray) or len(iv) != BLOCK_SIZE:
        raise CryptoError("AES-CBC IV must be 16 bytes")


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA256 (32 bytes)."""
    return hmac.new(key, data, hashlib.sha256).digest()


def sha256(data: bytes) -> bytes:
    """SHA-256 digest (32 bytes)."""
    return hashlib.sha256(data).digest()


def fold(data32: bytes) -> bytes:
    """``convert32Bto16B``: XOR of the two 16-byte halves of a 32-byte value."""
    if len(data32) != 32:
        raise CryptoError(f"fold needs 32 bytes, got {len(data32)}")
    return (int.from_bytes(data32[:16], "big") ^ int.from_bytes(data32[16:], "big")).to_bytes(16, "big")


def kdf(key: bytes, index: int) -> bytes:
    """PowerAuth ``KDF``: one AES-128 block over ``00×8 ‖ BE64(index)`` under ``key``."""
    return kdf_many(key, (index,))[0]


def kdf_many(key: bytes, indexes: tuple[int, ...]) -> list[bytes]:
    """``KDF(key, i)`` for several indexes in one AES pass (ECB blocks are independent)."""
    if len(key) != 16:
        raise CryptoError(f"KDF key must be 16 bytes, got {len(key)}")
    if not all(0 <= index < 2**63 for index in indexes):
        raise CryptoError(f"KDF index out of range: {indexes}")
    blocks = b"".join(bytes(8) + struct.pack(">Q", index) for index in indexes)
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out = encryptor.update(blocks) + encryptor.finalize()
    return [out[i : i + 16] for i in range(0, len(out), 16)]


def kdf_internal(key: bytes, data: bytes) -> bytes:
    """PowerAuth ``KDF_INTERNAL``: ``fold(HMAC-SHA256(key=key, msg=data))``, 16 bytes."""
    return fold(hmac_sha256(key, data))


def x963_kdf_sha256(secret: bytes, shared_info: bytes, length: int) -> bytes:
    """ANSI X9.63 KDF with SHA-256: ``SHA256(Z‖BE32(i)‖info)`` blocks, truncated to ``length``."""
    if length <= 0:
        raise CryptoError("X9.63 output length must be positive")
    return X963KDF(algorithm=hashes.SHA256(), length=length, sharedinfo=shared_info).derive(secret)


def aes_cbc_pkcs7_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """AES-CBC with PKCS#7 padding."""
    _check_aes_key(key)
    _check_iv(iv)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_cbc_pkcs7_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """AES-CBC then PKCS#7 unpadding; wrong length or padding raises :class:`CryptoError`."""
    _check_aes_key(key)
    _check_iv(iv)
    if not ciphertext or len(ciphertext) % BLOCK_SIZE:
        raise CryptoError("AES-CBC ciphertext must be a non-empty multiple of 16 bytes")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise CryptoError("invalid PKCS#7 padding") from exc


def aes_cbc_nopad_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """AES-CBC without padding (input must be block aligned), as for the status blob."""
    _check_aes_key(key)
    _check_iv(iv)
    if len(plaintext) % BLOCK_SIZE:
        raise CryptoError("AES-CBC/NoPadding input must be a multiple of 16 bytes")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(plaintext) + encryptor.finalize()


def aes_cbc_nopad_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """AES-CBC decryption without padding removal."""
    _check_aes_key(key)
    _check_iv(iv)
    if len(ciphertext) % BLOCK_SIZE:
        raise CryptoError("AES-CBC/NoPadding input must be a multiple of 16 bytes")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()
