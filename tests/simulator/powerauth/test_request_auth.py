"""Whole-request signing and token headers, device side to server side."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.counter import next_ctr_data
from simulator.powerauth.errors import SignatureFormatError
from simulator.powerauth.headers import AuthorizationHeader, TokenHeader
from simulator.powerauth.keys import DerivedKeys
from simulator.powerauth.request_auth import (
    ClientCounter,
    sign_request,
    token_header,
    verify_request,
    verify_token_header,
)
from simulator.powerauth.signature import SignatureKeys, SignatureType
from simulator.powerauth.token import check_token_timestamp

APP_KEY = "GlnZarYuYxQf9XNQYcKSvA=="
APP_SECRET = "X4Y+OoARCjZ3il+ogr67+w=="
ACT_ID = "27b1692e-b467-4708-9ad1-c84eec83fc0a"
DERIVED = DerivedKeys.from_master_secret(bytes(range(16)))
KEYS = SignatureKeys(DERIVED.possession, DERIVED.knowledge, DERIVED.biometry)


@settings(max_examples=40, deadline=None)
@given(
    version=st.sampled_from(["3.0", "3.1", "3.2", "3.3"]),
    signature_type=st.sampled_from(list(SignatureType)),
    body=st.binary(max_size=100),
    skipped=st.integers(min_value=0, max_value=5),
)
def test_sign_then_verify_through_the_header_text(
    version: str, signature_type: SignatureType, body: bytes, skipped: int
) -> None:
    server_ctr = os.urandom(16)
    counter = ClientCounter(server_ctr)
    for _ in range(skipped):  # signatures the server never saw
        counter.advance()
    header = sign_request(
        version=version,
        activation_id=ACT_ID,
        application_key=APP_KEY,
        application_secret=APP_SECRET,
        keys=KEYS,
        signature_type=signature_type,
        counter=counter,
        method="POST",
        uri_id="/pa/signature/validate",
        body=body,
    )
    assert counter.ctr_byte == skipped + 1
    received = AuthorizationHeader.parse(header.format())
    match = verify_request(
        received,
        application_secret=APP_SECRET,
        keys=KEYS,
        ctr_data=server_ctr,
        method="POST",
        uri_id="/pa/signature/validate",
        body=body,
    )
    assert match is not None and match.offset == skipped
    assert match.next_ctr_data == counter.ctr_data
    tampered = verify_request(
        received,
        application_secret=APP_SECRET,
        keys=KEYS,
        ctr_data=server_ctr,
        method="POST",
        uri_id="/pa/signature/validate",
        body=body + b"!",
    )
    assert tampered is None


def test_decimal_signature_for_3_0() -> None:
    header = sign_request(
        version="3.0",
        activation_id=ACT_ID,
        application_key=APP_KEY,
        application_secret=APP_SECRET,
        keys=KEYS,
        signature_type="possession_knowledge",
        counter=ClientCounter(bytes(16)),
        method="GET",
        uri_id="/x",
        body=b"",
    )
    assert len(header.signature) == 17 and header.signature[8] == "-"


def test_counter_state() -> None:
    counter = ClientCounter(bytes(16), 255)
    counter.advance()
    assert counter.ctr_byte == 0 and counter.ctr_data == next_ctr_data(bytes(16))
    with pytest.raises(SignatureFormatError):
        ClientCounter(bytes(3))


def test_token_header_round_trip() -> None:
    secret, now = os.urandom(16), 1_750_000_000_000
    header = token_header(version="3.3", token_id=ACT_ID, token_secret=secret, now_ms=now)
    received = TokenHeader.parse(header.format())
    assert verify_token_header(received, secret)
    assert not verify_token_header(received, os.urandom(16))
    check_token_timestamp(received.timestamp, now)
