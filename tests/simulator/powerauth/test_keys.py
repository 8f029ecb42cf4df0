"""P-256 key conversions, ECDH and the derived-key schedule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.errors import InvalidKeyError
from simulator.powerauth.kdf import kdf
from simulator.powerauth.keys import (
    CURVE_ORDER,
    DerivedKeys,
    ecdh,
    generate_private_key,
    master_secret,
    private_key_from_bytes,
    private_key_to_bytes,
    public_key_from_bytes,
    public_key_to_bytes,
)

scalars = st.integers(min_value=1, max_value=CURVE_ORDER - 1)


@settings(max_examples=40, deadline=None)
@given(scalars)
def test_private_key_java_style_round_trip(value: int) -> None:
    key = private_key_from_bytes(value.to_bytes(32, "big"))
    java = private_key_to_bytes(key, java_style=True)
    assert java[0] < 0x80  # always a positive two's-complement integer
    assert private_key_from_bytes(java).private_numbers().private_value == value
    assert private_key_to_bytes(key) == value.to_bytes(32, "big")


def test_private_key_accepts_sign_byte_and_short_forms() -> None:
    assert (
        private_key_from_bytes(b"\x00" + b"\x80" + bytes(30) + b"\x01").private_numbers().private_value
        == (0x80 << 248) + 1
    )
    assert private_key_from_bytes(b"\x05").private_numbers().private_value == 5


@pytest.mark.parametrize(
    "data",
    [b"", bytes(32), CURVE_ORDER.to_bytes(32, "big"), b"\x01" + bytes(32), bytes(34)],
    ids=["empty", "zero", "order", "33-bytes-no-sign-byte", "too-long"],
)
def test_private_key_rejects_out_of_range(data: bytes) -> None:
    with pytest.raises(InvalidKeyError):
        private_key_from_bytes(data)


@settings(max_examples=20, deadline=None)
@given(st.booleans())
def test_public_key_both_encodings(compressed: bool) -> None:
    key = generate_private_key().public_key()
    encoded = public_key_to_bytes(key, compressed=compressed)
    assert len(encoded) == (33 if compressed else 65)
    assert public_key_to_bytes(public_key_from_bytes(encoded)) == public_key_to_bytes(key)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x04" + bytes(64),  # (0, 0) is not on the curve
        b"\x04" + b"\x01" * 64,
        b"\x02" + b"\xff" * 32,  # x beyond the field prime
        b"\x05" + bytes(32),  # unknown prefix
        b"\x04" + bytes(31),  # truncated
    ],
    ids=["empty", "zero-point", "off-curve", "x-too-large", "bad-prefix", "truncated"],
)
def test_public_key_rejects_invalid_points(data: bytes) -> None:
    with pytest.raises(InvalidKeyError):
        public_key_from_bytes(data)


def test_master_secret_is_symmetric_and_folded() -> None:
    device, server = generate_private_key(), generate_private_key()
    shared = ecdh(device, server.public_key())
    assert len(shared) == 32
    kms = master_secret(device, server.public_key())
    assert kms == master_secret(server, device.public_key())
    assert kms == bytes(a ^ b for a, b in zip(shared[:16], shared[16:], strict=True))


def test_derived_keys_schedule() -> None:
    kms = bytes(range(16))
    keys = DerivedKeys.from_master_secret(kms)
    assert keys.possession == kdf(kms, 1)
    assert keys.knowledge == kdf(kms, 2)
    assert keys.biometry == kdf(kms, 3)
    assert keys.transport == kdf(kms, 1000)
    assert keys.vault == kdf(kms, 2000)
    assert keys.transport_iv == kdf(keys.transport, 3000)
    assert keys.transport_ctr == kdf(keys.transport, 4000)
    with pytest.raises(InvalidKeyError):
        DerivedKeys.from_master_secret(bytes(15))
