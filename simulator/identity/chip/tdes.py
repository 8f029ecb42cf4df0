"""The 3DES primitives of BAC and 3DES secure messaging (Doc 9303-11 §9.7, §9.8).

Key derivation with odd parity, two-key 3DES-CBC with a zero IV, ISO/IEC 9797-1 padding method 2 and the
retail MAC (MAC algorithm 3). The ciphers come from `cryptography`; only the glue lives here.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from simulator.identity.chip.errors import SecureMessagingError

BLOCK = 8
ZERO_IV = bytes(BLOCK)
ENC_COUNTER = 1
MAC_COUNTER = 2


def adjust_parity(key: bytes) -> bytes:
    """Set the least significant bit of every byte so that each byte has an odd number of ones."""
    out = bytearray()
    for byte in key:
        high = byte & 0xFE
        out.append(high | ((bin(high).count("1") + 1) % 2))
    return bytes(out)


def derive_key(seed: bytes, counter: int) -> bytes:
    """KDF(K, c): SHA-1 over seed || 32-bit counter, first 16 bytes with parity = a two-key 3DES key."""
    digest = hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
    return adjust_parity(digest[:16])


def _tdes_key(key: bytes) -> bytes:
    if len(key) == 16:
        return key + key[:8]
    if len(key) == 8:
        return key * 3
    raise SecureMessagingError(f"a 3DES key here has 8 or 16 bytes, got {len(key)}")


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2: always append 0x80, then zeros up to a multiple of 8."""
    data = data + b"\x80"
    return data + bytes(-len(data) % BLOCK)


def unpad(data: bytes) -> bytes:
    """Remove method-2 padding; `SecureMessagingError` when the padding is not there."""
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80 or len(data) - len(stripped) >= BLOCK:
        raise SecureMessagingError("plaintext does not end with ISO/IEC 9797-1 method-2 padding")
    return stripped[:-1]


def tdes_encrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    """3DES-CBC encryption of block-aligned data."""
    if len(data) % BLOCK:
        raise SecureMessagingError(f"3DES input of {len(data)} bytes is not a multiple of 8")
    encryptor = Cipher(TripleDES(_tdes_key(key)), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def tdes_decrypt(key: bytes, data: bytes, iv: bytes = ZERO_IV) -> bytes:
    """3DES-CBC decryption of block-aligned data."""
    if len(data) % BLOCK:
        raise SecureMessagingError(f"3DES ciphertext of {len(data)} bytes is not a multiple of 8")
    decryptor = Cipher(TripleDES(_tdes_key(key)), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def retail_mac(key: bytes, message: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 (DES, padding method 2): the 8-byte MAC of BAC and SM.

    DES-CBC with Ka over the padded message, then decrypt the last block with Kb and encrypt with Ka —
    which equals 3DES (Ka, Kb) on the last chaining value.
    """
    if len(key) != 16:
        raise SecureMessagingError(f"the retail MAC key has 16 bytes, got {len(key)}")
    padded = pad(message)
    chained = tdes_encrypt(key[:8], padded[:-BLOCK])[-BLOCK:] if len(padded) > BLOCK else ZERO_IV
    last = bytes(a ^ b for a, b in zip(chained, padded[-BLOCK:], strict=True))
    return tdes_encrypt(key, last)
