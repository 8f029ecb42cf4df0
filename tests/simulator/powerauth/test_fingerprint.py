"""Activation fingerprint details beyond the published vectors."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.fingerprint import activation_fingerprint, decimalize, public_key_x_minimal
from simulator.powerauth.keys import generate_private_key, public_key_to_bytes


def test_decimalize_clears_top_bit_and_pads() -> None:
    assert decimalize(b"\x00" * 28 + b"\xff\xff\xff\xff") == str(0x7FFFFFFF % 10**8).zfill(8)
    assert decimalize(b"\x00" * 31 + b"\x05") == "00000005"
    assert decimalize(b"\x00" * 31 + b"\x05", 4) == "0005"


def test_fingerprint_formula_and_encodings() -> None:
    device, server = generate_private_key().public_key(), generate_private_key().public_key()
    activation_id = "6ae8cd16-67a7-4840-8d37-33d9aab6ea51"
    digest = hashlib.sha256(
        public_key_x_minimal(device) + activation_id.encode() + public_key_x_minimal(server)
    ).digest()
    expected = str((int.from_bytes(digest[28:], "big") & 0x7FFFFFFF) % 10**8).zfill(8)
    assert activation_fingerprint(device, activation_id, server) == expected
    assert (
        activation_fingerprint(public_key_to_bytes(device, compressed=True), activation_id, server)
        == expected
    )
    assert len(expected) == 8 and expected.isdigit()


def test_minimal_x_strips_leading_zero() -> None:
    # Find a key whose X coordinate has a leading zero byte (about 1 in 256).
    for value in range(1, 5000):
        key = ec.derive_private_key(value, ec.SECP256R1()).public_key()
        if key.public_numbers().x < 1 << 248:
            assert len(public_key_x_minimal(key)) <= 31
            return
    raise AssertionError("no short-X key found in the search range")
