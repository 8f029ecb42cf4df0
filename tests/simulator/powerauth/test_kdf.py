"""Symmetric primitives: RFC 4231 HMAC, KDF layout, fold, AES-CBC helpers and their errors."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.errors import CryptoError
from simulator.powerauth.kdf import (
    aes_cbc_nopad_decrypt,
    aes_cbc_nopad_encrypt,
    aes_cbc_pkcs7_decrypt,
    aes_cbc_pkcs7_encrypt,
    fold,
    hmac_sha256,
    kdf,
    kdf_internal,
    x963_kdf_sha256,
)

# RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (HMAC-SHA-256 column); case 5 is truncated output.
RFC4231 = [
    ("0b" * 20, b"Hi There".hex(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (
        b"Jefe".hex(),
        b"what do ya want for nothing?".hex(),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    ("aa" * 20, "dd" * 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    (
        "0102030405060708090a0b0c0d0e0f10111213141516171819",
        "cd" * 50,
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    ),
    (
        "aa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First".hex(),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
    (
        "aa" * 131,
        b"This is a test using a larger than block-size key and a larger than block-size data. "
        b"The key needs to be hashed before being used by the HMAC algorithm.".hex(),
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ),
]


@pytest.mark.parametrize(("key", "data", "expected"), RFC4231)
def test_hmac_sha256_rfc4231(key: str, data: str, expected: str) -> None:
    assert hmac_sha256(bytes.fromhex(key), bytes.fromhex(data)).hex() == expected


def test_rfc4231_case5_truncated() -> None:
    digest = hmac_sha256(bytes.fromhex("0c" * 20), b"Test With Truncation")
    assert digest[:16].hex() == "a3b6167473100ee06e0c796c2955552b"


def test_kdf_puts_index_in_last_eight_bytes() -> None:
    key = bytes(range(16))
    block = bytes(8) + (1000).to_bytes(8, "big")
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    assert kdf(key, 1000) == encryptor.update(block) + encryptor.finalize()
    assert kdf(key, 1) != kdf(key, 2)


def test_kdf_rejects_bad_key_and_index() -> None:
    with pytest.raises(CryptoError):
        kdf(b"short", 1)
    with pytest.raises(CryptoError):
        kdf(bytes(16), -1)


def test_fold_xors_halves() -> None:
    assert fold(bytes(16) + b"\xff" * 16) == b"\xff" * 16
    assert fold(b"\x0f" * 32) == bytes(16)
    with pytest.raises(CryptoError):
        fold(bytes(31))


def test_kdf_internal_uses_key_as_hmac_key() -> None:
    key, data = b"k" * 16, b"data"
    assert kdf_internal(key, data) == fold(hmac_sha256(key, data))
    assert kdf_internal(key, data) != fold(hmac_sha256(data, key))


def test_x963_counter_blocks() -> None:
    import hashlib

    z, info = b"\x01" * 32, b"info"
    expected = hashlib.sha256(z + b"\x00\x00\x00\x01" + info).digest()
    expected += hashlib.sha256(z + b"\x00\x00\x00\x02" + info).digest()
    assert x963_kdf_sha256(z, info, 48) == expected[:48]


@settings(deadline=None)
@given(st.binary(max_size=200), st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16))
def test_aes_cbc_pkcs7_round_trip(plain: bytes, key: bytes, iv: bytes) -> None:
    encrypted = aes_cbc_pkcs7_encrypt(key, iv, plain)
    assert len(encrypted) % 16 == 0 and len(encrypted) > len(plain)
    assert aes_cbc_pkcs7_decrypt(key, iv, encrypted) == plain


@settings(deadline=None)
@given(
    st.integers(min_value=0, max_value=6)
    .map(lambda n: n * 16)
    .flatmap(lambda n: st.binary(min_size=n, max_size=n))
)
def test_aes_cbc_nopad_round_trip(plain: bytes) -> None:
    key, iv = bytes(range(16)), bytes(16)
    encrypted = aes_cbc_nopad_encrypt(key, iv, plain)
    assert len(encrypted) == len(plain)
    assert aes_cbc_nopad_decrypt(key, iv, encrypted) == plain


def test_aes_errors_are_typed() -> None:
    key, iv = bytes(16), bytes(16)
    with pytest.raises(CryptoError, match="padding"):
        aes_cbc_pkcs7_decrypt(key, iv, aes_cbc_nopad_encrypt(key, iv, b"\x00" * 16))
    with pytest.raises(CryptoError, match="multiple of 16"):
        aes_cbc_pkcs7_decrypt(key, iv, b"\x00" * 15)
    with pytest.raises(CryptoError, match="multiple of 16"):
        aes_cbc_nopad_encrypt(key, iv, b"abc")
    with pytest.raises(CryptoError, match="AES key"):
        aes_cbc_pkcs7_encrypt(b"short", iv, b"x")
    with pytest.raises(CryptoError, match="IV"):
        aes_cbc_pkcs7_encrypt(key, b"short", b"x")
