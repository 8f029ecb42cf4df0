"""Vault key wrapping, device private key storage and PIN protection of the knowledge key."""

from __future__ import annotations

import os

import pytest

from simulator.powerauth.errors import VaultError
from simulator.powerauth.keys import DerivedKeys, private_key_from_bytes
from simulator.powerauth.vault import (
    decrypt_device_private_key,
    encrypt_device_private_key,
    pin_key,
    protect_knowledge_key,
    protect_knowledge_key_with,
    unlock_knowledge_key,
    unwrap_vault_key,
    wrap_vault_key,
)

KEYS = DerivedKeys.from_master_secret(bytes(range(16)))


def test_vault_key_round_trip() -> None:
    wrapped = wrap_vault_key(KEYS.transport, KEYS.vault)
    assert unwrap_vault_key(KEYS.transport, wrapped) == KEYS.vault
    with pytest.raises(VaultError):
        unwrap_vault_key(os.urandom(16), wrapped)
    with pytest.raises(VaultError):
        unwrap_vault_key(KEYS.transport, "%%%")


def test_device_private_key_storage() -> None:
    # A fixed key keeps the wrong-key case deterministic.
    key = private_key_from_bytes(bytes.fromhex("5f1c0e3a" * 8))
    stored = encrypt_device_private_key(KEYS.vault, key)
    restored = decrypt_device_private_key(KEYS.vault, stored)
    assert restored.private_numbers() == key.private_numbers()
    with pytest.raises(VaultError):
        decrypt_device_private_key(b"\x01" * 16, stored)


def test_pin_protection_gives_wrong_key_for_wrong_pin() -> None:
    salt = os.urandom(16)
    protected = protect_knowledge_key("1234", salt, KEYS.knowledge)
    assert unlock_knowledge_key("1234", salt, protected) == KEYS.knowledge
    wrong = unlock_knowledge_key("9999", salt, protected)
    assert wrong != KEYS.knowledge and len(wrong) == 16
    with pytest.raises(VaultError):
        protect_knowledge_key("1234", b"short", KEYS.knowledge)


def test_a_pin_key_derived_beforehand_protects_the_same() -> None:
    salt = os.urandom(16)
    protected = protect_knowledge_key_with(pin_key("2580", salt), KEYS.knowledge)
    assert protected == protect_knowledge_key("2580", salt, KEYS.knowledge)
    assert unlock_knowledge_key("2580", salt, protected) == KEYS.knowledge
