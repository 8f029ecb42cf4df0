"""Signature normalisation, computation for every factor combination and server verification."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.counter import iterate_ctr_data, next_ctr_data
from simulator.powerauth.errors import SignatureFormatError
from simulator.powerauth.signature import (
    OFFLINE_APP_SECRET,
    Factor,
    SignatureFormat,
    SignatureKeys,
    SignatureType,
    check_signature_format,
    compute_offline_signature,
    compute_signature,
    normalize_get_query,
    request_data,
    signature_base_string,
    signature_components,
    signature_data,
    verify_signature,
)
from simulator.powerauth.versions import ProtocolVersion

b16 = st.binary(min_size=16, max_size=16)
KEYS = SignatureKeys(b"P" * 16, b"K" * 16, b"B" * 16)


def test_signature_type_factors_and_parsing() -> None:
    assert SignatureType.POSSESSION_KNOWLEDGE_BIOMETRY.factors == (
        Factor.POSSESSION,
        Factor.KNOWLEDGE,
        Factor.BIOMETRY,
    )
    assert SignatureType.parse("POSSESSION_BIOMETRY") is SignatureType.POSSESSION_BIOMETRY
    with pytest.raises(SignatureFormatError):
        SignatureType.parse("possession_pin")


def test_format_for_version() -> None:
    assert SignatureFormat.for_version("3.0") is SignatureFormat.DECIMAL
    for version in ("3.1", "3.2", ProtocolVersion.V3_3):
        assert SignatureFormat.for_version(version) is SignatureFormat.BASE64
    with pytest.raises(SignatureFormatError):
        SignatureFormat.for_version("2.1")


def test_request_data_layout() -> None:
    nonce = base64.b64encode(bytes(16)).decode()
    data = request_data("post", "/pa/activation/remove", nonce, b'{"a":1}')
    expected = "POST&" + base64.b64encode(b"/pa/activation/remove").decode() + "&" + nonce + "&"
    expected += base64.b64encode(b'{"a":1}').decode()
    assert data == expected.encode()
    assert request_data("GET", "/x", bytes(16), b"").endswith(b"&")
    assert signature_base_string(data, "c2VjcmV0") == data + b"&c2VjcmV0"
    assert (
        signature_data("post", "/pa/activation/remove", nonce, b'{"a":1}', "c2VjcmV0") == data + b"&c2VjcmV0"
    )


def test_get_query_normalisation() -> None:
    assert normalize_get_query("b=2&a=3&a=1&c=x%20y") == b"a=1&a=3&b=2&c=x%20y"
    assert normalize_get_query({"z": "é", "a": ""}) == b"a=&z=%C3%A9"


def test_component_algorithm_matches_reference_code() -> None:
    import hashlib
    import hmac

    def h(key: bytes, msg: bytes) -> bytes:
        return hmac.new(key, msg, hashlib.sha256).digest()

    ctr, data = os.urandom(16), b"data"
    keys = [b"1" * 16, b"2" * 16, b"3" * 16]
    components = signature_components(keys, ctr, data)
    p, k, b = (h(key, ctr) for key in keys)
    assert components[0] == h(p, data)
    assert components[1] == h(h(k, k), data)
    assert components[2] == h(h(b, h(k, b)), data)


@settings(max_examples=60, deadline=None)
@given(
    signature_type=st.sampled_from(list(SignatureType)),
    fmt=st.sampled_from(list(SignatureFormat)),
    ctr=b16,
    data=st.binary(max_size=200),
    keys=st.tuples(b16, b16, b16),
)
def test_sign_verify_round_trip(
    signature_type: SignatureType, fmt: SignatureFormat, ctr: bytes, data: bytes, keys: tuple[bytes, ...]
) -> None:
    factor_keys = SignatureKeys(*keys)
    signature = compute_signature(factor_keys, signature_type, ctr, data, fmt)
    count = len(signature_type.factors)
    if fmt is SignatureFormat.DECIMAL:
        assert len(signature) == 9 * count - 1
    else:
        assert len(base64.b64decode(signature)) == 16 * count
    match = verify_signature(signature, factor_keys, signature_type, ctr, data, fmt)
    assert match is not None
    assert match.offset == 0 and match.matched_ctr_data == ctr and match.next_ctr_data == next_ctr_data(ctr)
    assert verify_signature(signature, factor_keys, signature_type, ctr, data + b"x", fmt) is None


@pytest.mark.parametrize("fmt", list(SignatureFormat))
def test_look_ahead_window_returns_matched_counter(fmt: SignatureFormat) -> None:
    server_ctr = os.urandom(16)
    counters = list(iterate_ctr_data(server_ctr, 25))
    data = b"POST&x&y&z&secret"
    for offset in (0, 5, 19):
        signature = compute_signature(KEYS, "possession_knowledge", counters[offset], data, fmt)
        match = verify_signature(signature, KEYS, "possession_knowledge", server_ctr, data, fmt)
        assert match is not None and match.offset == offset
        assert match.next_ctr_data == counters[offset + 1]
    beyond = compute_signature(KEYS, "possession_knowledge", counters[20], data, fmt)
    assert verify_signature(beyond, KEYS, "possession_knowledge", server_ctr, data, fmt) is None


def test_wrong_knowledge_key_fails() -> None:
    ctr, data = os.urandom(16), b"d"
    signature = compute_signature(KEYS, SignatureType.POSSESSION_KNOWLEDGE, ctr, data)
    wrong_pin = SignatureKeys(KEYS.possession, b"X" * 16)
    assert verify_signature(signature, wrong_pin, SignatureType.POSSESSION_KNOWLEDGE, ctr, data) is None
    # Possession part alone still matches: components are independent per factor prefix.
    assert signature_components([KEYS.possession], ctr, data)[0][16:] == base64.b64decode(signature)[:16]


def test_offline_signature_is_decimal_with_length() -> None:
    ctr = os.urandom(16)
    data = signature_base_string(
        request_data("POST", "/operation/authorize/offline", bytes(16), b"x"), "offline"
    )
    assert OFFLINE_APP_SECRET == "offline"
    for length in range(4, 9):
        signature = compute_offline_signature(KEYS, "possession_knowledge", ctr, data, length)
        parts = signature.split("-")
        assert len(parts) == 2 and all(len(p) == length and p.isdigit() for p in parts)
        match = verify_signature(signature, KEYS, "possession_knowledge", ctr, data, SignatureFormat.DECIMAL)
        assert match is not None
    with pytest.raises(SignatureFormatError):
        compute_offline_signature(KEYS, "possession", ctr, data, 3)


@pytest.mark.parametrize(
    ("signature", "signature_type", "fmt"),
    [
        ("123", SignatureType.POSSESSION, SignatureFormat.DECIMAL),
        ("12345678-12345678", SignatureType.POSSESSION, SignatureFormat.DECIMAL),
        ("12345678-1234", SignatureType.POSSESSION_KNOWLEDGE, SignatureFormat.DECIMAL),
        ("abcdefgh", SignatureType.POSSESSION, SignatureFormat.DECIMAL),
        ("not base64!", SignatureType.POSSESSION, SignatureFormat.BASE64),
        (base64.b64encode(bytes(16)).decode(), SignatureType.POSSESSION_KNOWLEDGE, SignatureFormat.BASE64),
        (base64.b64encode(bytes(15)).decode(), SignatureType.POSSESSION, SignatureFormat.BASE64),
    ],
    ids=[
        "short-decimal",
        "too-many-parts",
        "mixed-lengths",
        "letters",
        "bad-base64",
        "wrong-count",
        "truncated",
    ],
)
def test_malformed_signatures_are_typed_errors(
    signature: str, signature_type: SignatureType, fmt: SignatureFormat
) -> None:
    with pytest.raises(SignatureFormatError):
        check_signature_format(signature, signature_type, fmt)
    with pytest.raises(SignatureFormatError):
        verify_signature(signature, KEYS, signature_type, bytes(16), b"d", fmt)


def test_missing_key_and_bad_counter() -> None:
    with pytest.raises(SignatureFormatError, match="biometry"):
        compute_signature(SignatureKeys(b"P" * 16), "possession_biometry", bytes(16), b"d")
    with pytest.raises(SignatureFormatError, match="ctrData"):
        compute_signature(KEYS, "possession", bytes(15), b"d")
