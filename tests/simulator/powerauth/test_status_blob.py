"""Status blob layout, encryption round trip, typed errors and counter resynchronisation."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.counter import ctr_data_hash, iterate_ctr_data, next_ctr_data
from simulator.powerauth.errors import StatusBlobError
from simulator.powerauth.kdf import ZERO_IV
from simulator.powerauth.status_blob import (
    ActivationStatus,
    CounterSync,
    StatusBlob,
    build_status_blob,
    decrypt_status_blob,
    encrypt_status_blob,
    status_blob_iv,
    synchronize_counter,
)

KEY = bytes(range(16))
byte = st.integers(min_value=0, max_value=255)
b16 = st.binary(min_size=16, max_size=16)


def test_status_numbers() -> None:
    assert [s.value for s in ActivationStatus] == [1, 2, 3, 4, 5]
    assert ActivationStatus.PENDING_COMMIT == 2 and ActivationStatus.REMOVED == 5


@settings(deadline=None)
@given(
    status=st.sampled_from(list(ActivationStatus)),
    ctr=st.integers(min_value=0, max_value=10**6),
    failed=byte,
    max_failed=byte,
    look_ahead=st.integers(min_value=1, max_value=64),
    ctr_data=b16,
    key=b16,
    challenge=b16,
    nonce=b16,
)
def test_build_encrypt_decrypt_parse(
    status: ActivationStatus,
    ctr: int,
    failed: int,
    max_failed: int,
    look_ahead: int,
    ctr_data: bytes,
    key: bytes,
    challenge: bytes,
    nonce: bytes,
) -> None:
    blob = build_status_blob(
        status=status,
        transport_key=key,
        ctr_data=ctr_data,
        ctr=ctr,
        failed_attempts=failed,
        max_failed_attempts=max_failed,
        ctr_look_ahead=look_ahead,
    )
    encrypted = encrypt_status_blob(blob, key, challenge, nonce)
    assert len(encrypted) == 32
    parsed = decrypt_status_blob(encrypted, key, challenge, nonce)
    assert parsed == blob
    assert parsed.to_bytes() == blob.to_bytes()
    assert parsed.ctr_byte == ctr & 0xFF
    assert parsed.ctr_data_hash == ctr_data_hash(key, ctr_data)
    assert parsed.to_bytes()[:4] == b"\xde\xc0\xde\xd1"


def test_legacy_zero_iv() -> None:
    assert status_blob_iv(KEY, None, None) == ZERO_IV
    blob = build_status_blob(status=ActivationStatus.ACTIVE, transport_key=KEY, ctr_data=bytes(16), ctr=0)
    assert decrypt_status_blob(encrypt_status_blob(blob, KEY, None, None), KEY, None, None) == blob


def test_wrong_key_or_nonce_gives_typed_error() -> None:
    challenge, nonce = os.urandom(16), os.urandom(16)
    blob = build_status_blob(status=ActivationStatus.BLOCKED, transport_key=KEY, ctr_data=bytes(16), ctr=7)
    encrypted = encrypt_status_blob(blob, KEY, challenge, nonce)
    with pytest.raises(StatusBlobError, match="magic"):
        decrypt_status_blob(encrypted, bytes(16), challenge, nonce)
    with pytest.raises(StatusBlobError, match="magic"):
        decrypt_status_blob(encrypted, KEY, challenge, os.urandom(16))


@pytest.mark.parametrize(
    ("encrypted", "challenge", "nonce", "message"),
    [
        (bytes(31), bytes(16), bytes(16), "32 bytes"),
        (bytes(48), bytes(16), bytes(16), "32 bytes"),
        ("!!!", bytes(16), bytes(16), "Base64"),
        (bytes(32), bytes(15), bytes(16), "16 bytes"),
        (bytes(32), bytes(16), None, "16 bytes"),
    ],
    ids=["truncated", "too-long", "bad-base64", "short-challenge", "missing-nonce"],
)
def test_decrypt_rejects_bad_input(
    encrypted: bytes | str, challenge: bytes | None, nonce: bytes | None, message: str
) -> None:
    with pytest.raises(StatusBlobError, match=message):
        decrypt_status_blob(encrypted, KEY, challenge, nonce)


def test_parse_rejects_bad_plaintext() -> None:
    good = build_status_blob(
        status=ActivationStatus.ACTIVE, transport_key=KEY, ctr_data=bytes(16), ctr=1
    ).to_bytes()
    with pytest.raises(StatusBlobError, match="magic"):
        StatusBlob.from_bytes(b"\x00" + good[1:])
    with pytest.raises(StatusBlobError, match="magic"):
        StatusBlob.from_bytes(good[:3] + b"\xd0" + good[4:])
    with pytest.raises(StatusBlobError, match="unknown activation status"):
        StatusBlob.from_bytes(good[:4] + b"\x09" + good[5:])
    with pytest.raises(StatusBlobError, match="32 bytes"):
        StatusBlob.from_bytes(good[:20])
    assert StatusBlob.from_bytes(good[:3] + b"\xdf" + good[4:]).format_version == 0xDF


def test_field_ranges() -> None:
    with pytest.raises(StatusBlobError):
        build_status_blob(
            status=ActivationStatus.ACTIVE, transport_key=KEY, ctr_data=bytes(16), ctr=0, failed_attempts=256
        )


def _blob(ctr_data: bytes, ctr_byte: int, look_ahead: int = 20) -> StatusBlob:
    return StatusBlob(ActivationStatus.ACTIVE, 3, 3, ctr_byte, 0, 5, look_ahead, ctr_data_hash(KEY, ctr_data))


def test_counter_sync_in_step() -> None:
    ctr = os.urandom(16)
    result = synchronize_counter(_blob(ctr, 10), KEY, ctr, 10)
    assert result.outcome is CounterSync.OK and result.ctr_data == ctr


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=19), byte)
def test_counter_sync_server_ahead_adopts_server_counter(steps: int, start: int) -> None:
    local = bytes(16)
    server = list(iterate_ctr_data(local, steps + 1))[steps]
    result = synchronize_counter(_blob(server, (start + steps) & 0xFF), KEY, local, start)
    assert result.outcome is CounterSync.UPDATED
    assert result.ctr_data == server and result.ctr_byte == (start + steps) & 0xFF
    assert result.hash_distance == steps


def test_counter_sync_client_ahead() -> None:
    server = bytes(16)
    local = next_ctr_data(next_ctr_data(server))
    assert synchronize_counter(_blob(server, 0), KEY, local, 2).outcome is CounterSync.OK
    assert synchronize_counter(_blob(server, 0), KEY, local, 15).outcome is CounterSync.CALCULATE_SIGNATURE
    assert synchronize_counter(_blob(server, 0), KEY, local, 25).outcome is CounterSync.INVALID


def test_counter_sync_deadlock_and_bad_look_ahead() -> None:
    local, unrelated = bytes(16), b"\x01" * 16
    assert synchronize_counter(_blob(unrelated, 0), KEY, local, 0).outcome is CounterSync.INVALID
    with pytest.raises(StatusBlobError, match="ctrLookAhead"):
        synchronize_counter(_blob(local, 0, look_ahead=0), KEY, local, 0)
