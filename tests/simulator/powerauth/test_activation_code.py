"""Activation code CRC, format, validation errors, ECDSA signature, activation ID and OTP."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.activation_code import (
    activation_otp_matches,
    crc16_arc,
    decode_activation_code,
    encode_activation_code,
    format_activation_qr,
    generate_activation_code,
    is_valid_activation_code,
    new_activation_id,
    normalize_activation_id,
    parse_activation_qr,
    sign_activation_code,
    verify_activation_signature,
)
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import (
    ActivationSignatureError,
    InvalidActivationCodeError,
    InvalidActivationIdError,
)
from simulator.powerauth.keys import generate_private_key

VALID_CODES = [
    "AAAAA-AAAAA-AAAAA-AAAAA",
    "MMMMM-MMMMM-MMMMM-MUTOA",
    "VVVVV-VVVVV-VVVVV-VTFVA",
    "55555-55555-55555-55YMA",
    "W65WE-3T7VI-7FBS2-A4OYA",
    "45AWJ-BVACS-SBWHS-ABANA",
]


def test_crc16_arc_known_answers() -> None:
    assert crc16_arc(b"123456789") == 0xBB3D
    assert crc16_arc(b"iV6jP5Xr0z") == 0xC6EB
    assert crc16_arc(b"The quick brown fox jumps over the lazy dog.") == 0x843D
    assert crc16_arc(b"") == 0


@pytest.mark.parametrize("code", VALID_CODES)
def test_spec_examples_are_valid(code: str) -> None:
    raw = decode_activation_code(code)
    assert encode_activation_code(raw) == code
    assert is_valid_activation_code(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("AAAAA-AAAAA-AAAAA-AAAAB", "non-canonical"),
        ("VVVVV-VVVVV-VVVVV-VTFVB", "non-canonical"),
        ("AAAAA-AAAAA-AAAAA-AABAA", "checksum"),
        ("VVVVV-VVVVV-VVVVW-VTFVA", "checksum"),
        ("AAAAA-AAAAA-AAAAA-AAAA", "23 characters"),
        ("AAAAA-AAAAA-AAAAA-AAAAAA", "23 characters"),
        ("aaaaa-aaaaa-aaaaa-aaaaa", "Base32"),
        ("AAAAA-AAAAA-AAAAA-AAAA1", "Base32"),
        ("AAAAAA-AAAA-AAAAA-AAAAA", "groups"),
        ("AAAAA_AAAAA_AAAAA_AAAAA", "groups"),
    ],
)
def test_invalid_codes_name_the_problem(code: str, reason: str) -> None:
    with pytest.raises(InvalidActivationCodeError, match=reason):
        decode_activation_code(code)
    assert not is_valid_activation_code(code)


def test_non_string_code_is_typed_error() -> None:
    with pytest.raises(InvalidActivationCodeError):
        decode_activation_code(12345)  # type: ignore[arg-type]


@settings(deadline=None)
@given(st.binary(min_size=10, max_size=10))
def test_encode_decode_round_trip(raw: bytes) -> None:
    code = encode_activation_code(raw)
    assert len(code) == 23 and code.count("-") == 3
    assert decode_activation_code(code) == raw


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_generated_codes_validate(seed: int) -> None:
    import random

    rng = random.Random(seed)
    code = generate_activation_code(rng.randbytes)
    assert is_valid_activation_code(code)


@settings(deadline=None)
@given(st.binary(min_size=10, max_size=10), st.integers(min_value=0, max_value=19), st.sampled_from("AB2Z7"))
def test_any_single_character_change_is_rejected(raw: bytes, position: int, replacement: str) -> None:
    code = encode_activation_code(raw)
    chars = list(code.replace("-", ""))
    chars[position] = replacement
    text = "".join(chars)
    mutated = "-".join(text[i : i + 5] for i in range(0, 20, 5))
    if mutated != code:
        # CRC-16 catches every burst of up to 16 bits, so any one-symbol change in the data part;
        # a change confined to the last symbol's unused bits is rejected as non-canonical.
        assert not is_valid_activation_code(mutated)


def test_wrong_length_raw_bytes() -> None:
    with pytest.raises(InvalidActivationCodeError):
        encode_activation_code(bytes(9))


def test_signature_sign_and_verify() -> None:
    master = generate_private_key()
    code = generate_activation_code()
    signature = sign_activation_code(code, master)
    assert b64decode(signature)[0] == 0x30  # DER SEQUENCE
    verify_activation_signature(code, signature, master.public_key())


def test_signature_rejects_other_code_key_and_garbage() -> None:
    master = generate_private_key()
    code, other = generate_activation_code(), generate_activation_code()
    signature = sign_activation_code(code, master)
    with pytest.raises(ActivationSignatureError, match="does not verify"):
        verify_activation_signature(other, signature, master.public_key())
    with pytest.raises(ActivationSignatureError, match="does not verify"):
        verify_activation_signature(code, signature, generate_private_key().public_key())
    with pytest.raises(ActivationSignatureError, match="Base64"):
        verify_activation_signature(code, "not base64!!", master.public_key())
    with pytest.raises(ActivationSignatureError):
        verify_activation_signature(code, b64encode(b"\x30\x02\x01"), master.public_key())


def test_qr_round_trip() -> None:
    code = VALID_CODES[1]
    assert parse_activation_qr(format_activation_qr(code, "MEYCIQ==")) == (code, "MEYCIQ==")
    assert parse_activation_qr(code) == (code, None)
    with pytest.raises(InvalidActivationCodeError):
        parse_activation_qr(code + "#")
    with pytest.raises(InvalidActivationCodeError):
        parse_activation_qr("BAD#sig")


def test_activation_id() -> None:
    activation_id = new_activation_id()
    assert normalize_activation_id(activation_id.upper()) == activation_id
    for bad in [
        "",
        "not-a-uuid",
        "27b1692e-b467-4708-9ad1-c84eec83fc0",
        "27b1692e-b467-0708-9ad1-c84eec83fc0a",
    ]:
        with pytest.raises(InvalidActivationIdError):
            normalize_activation_id(bad)


def test_activation_otp_compare() -> None:
    assert activation_otp_matches("12345678", "12345678")
    assert not activation_otp_matches("12345678", "12345679")
    assert not activation_otp_matches(None, "1")
    assert not activation_otp_matches("1", None)


@settings(max_examples=10, deadline=None)
@given(st.binary(min_size=10, max_size=10))
def test_signature_round_trip_any_code(raw: bytes) -> None:
    master = generate_private_key()
    code = encode_activation_code(raw)
    verify_activation_signature(code, sign_activation_code(code, master), master.public_key())
