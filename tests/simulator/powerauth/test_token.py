"""Token digest: formula per version, verification and timestamp window."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.errors import TokenError
from simulator.powerauth.token import check_token_timestamp, compute_token_digest, verify_token_digest

SECRET, NONCE = bytes(range(16)), bytes(range(16, 32))


def test_digest_formula_per_version() -> None:
    ts = 1_700_000_000_123
    v32 = hmac.new(SECRET, NONCE + b"&1700000000123&3.2", hashlib.sha256).digest()
    v31 = hmac.new(SECRET, NONCE + b"&1700000000123", hashlib.sha256).digest()
    assert compute_token_digest(SECRET, NONCE, ts, "3.2") == v32
    assert compute_token_digest(SECRET, NONCE, str(ts), "3.1") == v31
    assert compute_token_digest(SECRET, NONCE, ts, "3.0") == v31
    assert compute_token_digest(SECRET, NONCE, ts, "3.3") != v32


@settings(deadline=None)
@given(
    st.binary(min_size=16, max_size=16),
    st.binary(min_size=16, max_size=16),
    st.integers(min_value=0, max_value=2**53),
    st.sampled_from(["3.0", "3.1", "3.2", "3.3"]),
)
def test_compute_verify_round_trip(secret: bytes, nonce: bytes, ts: int, version: str) -> None:
    digest = compute_token_digest(secret, nonce, ts, version)
    assert verify_token_digest(
        base64.b64encode(secret).decode(),
        base64.b64encode(nonce).decode(),
        ts,
        version,
        base64.b64encode(digest).decode(),
    )
    assert not verify_token_digest(secret, nonce, ts + 1, version, digest)


@pytest.mark.parametrize(
    "args",
    [
        (bytes(15), NONCE, 1, "3.3"),
        (SECRET, "@@@", 1, "3.3"),
        (SECRET, NONCE, "-5", "3.3"),
        (SECRET, NONCE, True, "3.3"),
        (SECRET, NONCE, 1, "2.0"),
    ],
    ids=["short-secret", "bad-nonce-base64", "negative-timestamp", "bool-timestamp", "unknown-version"],
)
def test_bad_input_is_typed(args: tuple) -> None:
    with pytest.raises(TokenError):
        compute_token_digest(*args)


def test_truncated_digest_is_typed() -> None:
    with pytest.raises(TokenError):
        verify_token_digest(SECRET, NONCE, 1, "3.3", bytes(31))


def test_timestamp_window() -> None:
    now = 10_000_000_000
    check_token_timestamp(now - 7_200_000, now)
    check_token_timestamp(now + 1_800_000, now)
    with pytest.raises(TokenError, match="too old"):
        check_token_timestamp(now - 7_200_001, now)
    with pytest.raises(TokenError, match="future"):
        check_token_timestamp(now + 1_800_001, now)
