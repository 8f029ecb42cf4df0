"""Secure vault and device-local key protection.

* ``/pa/v3/vault/unlock`` returns ``encryptedVaultEncryptionKey``:
  ``AES-CBC-PKCS7(KEY_TRANSPORT, 0, KEY_ENCRYPTION_VAULT)``.
* After activation the device keeps its private key only as
  ``AES-CBC-PKCS7(KEY_ENCRYPTION_VAULT, 0, privateKeyBytes)`` and forgets the vault key.
* The knowledge key is stored under a PIN-derived key with AES-CBC *without* padding, so a wrong
  PIN silently yields a wrong key and the server (not the device) counts the failed attempt.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import CryptoError, InvalidKeyError, VaultError
from simulator.powerauth.kdf import (
    ZERO_IV,
    aes_cbc_nopad_decrypt,
    aes_cbc_nopad_encrypt,
    aes_cbc_pkcs7_decrypt,
    aes_cbc_pkcs7_encrypt,
)
from simulator.powerauth.keys import private_key_from_bytes, private_key_to_bytes

PIN_PBKDF2_ITERATIONS = 10_000
PIN_SALT_LENGTH = 16


def wrap_vault_key(transport_key: bytes, vault_key: bytes) -> str:
    """Server: ``encryptedVaultEncryptionKey`` (Base64 of 32 bytes)."""
    return b64encode(aes_cbc_pkcs7_encrypt(transport_key, ZERO_IV, vault_key))


def unwrap_vault_key(transport_key: bytes, encrypted_vault_key: str) -> bytes:
    """Device: recover the 16-byte vault key from the unlock response."""
    data = b64decode(encrypted_vault_key, what="encryptedVaultEncryptionKey", error=VaultError)
    try:
        key = aes_cbc_pkcs7_decrypt(transport_key, ZERO_IV, data)
    except CryptoError as exc:
        raise VaultError(f"vault key does not decrypt: {exc}") from exc
    if len(key) != 16:
        raise VaultError("vault key must be 16 bytes")
    return key


def encrypt_device_private_key(vault_key: bytes, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Device: ``C_KEY_DEVICE_PRIVATE`` (the private scalar, Java-style bytes, under the vault key)."""
    return aes_cbc_pkcs7_encrypt(vault_key, ZERO_IV, private_key_to_bytes(private_key, java_style=True))


def decrypt_device_private_key(vault_key: bytes, encrypted: bytes) -> ec.EllipticCurvePrivateKey:
    """Device: recover the private key after a vault unlock."""
    try:
        return private_key_from_bytes(aes_cbc_pkcs7_decrypt(vault_key, ZERO_IV, encrypted))
    except (CryptoError, InvalidKeyError) as exc:
        raise VaultError(f"device private key does not decrypt: {exc}") from exc


def pin_key(pin: str, salt: bytes) -> bytes:
    """``PBKDF2-HMAC-SHA1(PIN, salt, 10000, 16 B)``."""
    if len(salt) != PIN_SALT_LENGTH:
        raise VaultError(f"PIN salt must be {PIN_SALT_LENGTH} bytes")
    return _pbkdf2_pin(pin, bytes(salt))


@lru_cache(maxsize=256)
def _pbkdf2_pin(pin: str, salt: bytes) -> bytes:
    """The derivation, kept for the last few (PIN, salt) pairs: a journey's phone sets its PIN and
    signs with it moments later, and each derivation costs ~2.3 ms of CPU, a tenth of what a load
    generator spends on a whole journey.  The result depends on nothing else, so no byte changes."""
    return hashlib.pbkdf2_hmac("sha1", pin.encode("utf-8"), salt, PIN_PBKDF2_ITERATIONS, 16)


def protect_knowledge_key(pin: str, salt: bytes, knowledge_key: bytes) -> bytes:
    """Encrypt the knowledge key under the PIN (no padding: a wrong PIN cannot be detected locally)."""
    return protect_knowledge_key_with(pin_key(pin, salt), knowledge_key)


def protect_knowledge_key_with(derived_pin_key: bytes, knowledge_key: bytes) -> bytes:
    """:func:`protect_knowledge_key` with the PIN key already derived (``pin_key(pin, salt)``)."""
    return aes_cbc_nopad_encrypt(derived_pin_key, ZERO_IV, knowledge_key)


def unlock_knowledge_key(pin: str, salt: bytes, protected: bytes) -> bytes:
    """Decrypt the knowledge key; a wrong PIN gives a different 16-byte key, never an error."""
    return aes_cbc_nopad_decrypt(pin_key(pin, salt), ZERO_IV, protected)
