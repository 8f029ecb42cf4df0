"""The 32-byte activation status blob: layout, encryption, and the device's counter resync.

Layout: magic ``DE C0 DE D1`` (last byte = format version 0xD1–0xDF), status, currentVersion,
upgradeVersion, 5 reserved bytes (random on the server), ctrByte, failedAttempts,
maxFailedAttempts, ctrLookAhead, ctrDataHash (16 B). From 3.1 it is AES-128-CBC/NoPadding under
``KEY_TRANSPORT`` with ``IV = KDF_INTERNAL(KDF(KEY_TRANSPORT, 3000), challenge ‖ nonce)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum, IntEnum

from simulator.powerauth.codec import b64decode
from simulator.powerauth.counter import ctr_data_hash, hash_counter_distance, next_ctr_data
from simulator.powerauth.errors import CryptoError, StatusBlobError
from simulator.powerauth.kdf import ZERO_IV, aes_cbc_nopad_decrypt, aes_cbc_nopad_encrypt, kdf, kdf_internal
from simulator.powerauth.keys import INDEX_TRANSPORT_IV

BLOB_LENGTH = 32
MAGIC = b"\xde\xc0\xde"
FORMAT_VERSION_MIN = 0xD1
FORMAT_VERSION_MAX = 0xDF
CHALLENGE_LENGTH = 16
NONCE_LENGTH = 16
MAX_LOOK_AHEAD = 64


class ActivationStatus(IntEnum):
    """Activation states as numbered in the blob (and by the server)."""

    CREATED = 1
    PENDING_COMMIT = 2
    ACTIVE = 3
    BLOCKED = 4
    REMOVED = 5


@dataclass(frozen=True, slots=True)
class StatusBlob:
    """The parsed plaintext status blob."""

    status: ActivationStatus
    current_version: int
    upgrade_version: int
    ctr_byte: int
    failed_attempts: int
    max_failed_attempts: int
    ctr_look_ahead: int
    ctr_data_hash: bytes
    reserved: bytes = field(default=bytes(5), compare=False)
    format_version: int = FORMAT_VERSION_MIN

    def __post_init__(self) -> None:
        for name in (
            "current_version",
            "upgrade_version",
            "ctr_byte",
            "failed_attempts",
            "max_failed_attempts",
            "ctr_look_ahead",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 0xFF:
                raise StatusBlobError(f"status blob field {name} must be a byte, got {value!r}")
        if not FORMAT_VERSION_MIN <= self.format_version <= FORMAT_VERSION_MAX:
            raise StatusBlobError(f"status blob format version {self.format_version:#x} is not 0xD1-0xDF")
        if len(self.ctr_data_hash) != 16 or len(self.reserved) != 5:
            raise StatusBlobError("status blob ctrDataHash must be 16 bytes and reserved 5 bytes")
        try:
            object.__setattr__(self, "status", ActivationStatus(self.status))
        except ValueError as exc:
            raise StatusBlobError(f"unknown activation status {self.status!r}") from exc

    def to_bytes(self) -> bytes:
        """The 32-byte plaintext."""
        return (
            MAGIC
            + bytes([self.format_version, self.status, self.current_version, self.upgrade_version])
            + self.reserved
            + bytes([self.ctr_byte, self.failed_attempts, self.max_failed_attempts, self.ctr_look_ahead])
            + self.ctr_data_hash
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusBlob:
        """Parse a decrypted blob; wrong length, magic or status raise :class:`StatusBlobError`."""
        if len(data) != BLOB_LENGTH:
            raise StatusBlobError(f"status blob must be {BLOB_LENGTH} bytes, got {len(data)}")
        if data[:3] != MAGIC or not FORMAT_VERSION_MIN <= data[3] <= FORMAT_VERSION_MAX:
            raise StatusBlobError("status blob magic mismatch (wrong transport key, challenge or nonce?)")
        return cls(
            status=data[4],  # type: ignore[arg-type]  # validated in __post_init__
            current_version=data[5],
            upgrade_version=data[6],
            reserved=data[7:12],
            ctr_byte=data[12],
            failed_attempts=data[13],
            max_failed_attempts=data[14],
            ctr_look_ahead=data[15],
            ctr_data_hash=data[16:32],
            format_version=data[3],
        )


def build_status_blob(
    *,
    status: ActivationStatus,
    transport_key: bytes,
    ctr_data: bytes,
    ctr: int,
    failed_attempts: int = 0,
    max_failed_attempts: int = 5,
    ctr_look_ahead: int = 20,
    current_version: int = 3,
    upgrade_version: int = 3,
) -> StatusBlob:
    """What the server reports: ``ctrByte = CTR & 0xFF`` and the hash of its ``CTR_DATA``."""
    return StatusBlob(
        status=status,
        current_version=current_version,
        upgrade_version=upgrade_version,
        ctr_byte=ctr & 0xFF,
        failed_attempts=failed_attempts,
        max_failed_attempts=max_failed_attempts,
        ctr_look_ahead=ctr_look_ahead,
        ctr_data_hash=ctr_data_hash(transport_key, ctr_data),
        reserved=os.urandom(5),
    )


def status_blob_iv(transport_key: bytes, challenge: bytes | None, nonce: bytes | None) -> bytes:
    """``KDF_INTERNAL(KDF(KEY_TRANSPORT, 3000), challenge ‖ nonce)``; zero IV for legacy (no challenge)."""
    if challenge is None and nonce is None:
        return ZERO_IV
    if challenge is None or nonce is None or len(challenge) != CHALLENGE_LENGTH or len(nonce) != NONCE_LENGTH:
        raise StatusBlobError("status blob challenge and nonce must both be 16 bytes")
    try:
        return kdf_internal(kdf(transport_key, INDEX_TRANSPORT_IV), challenge + nonce)
    except CryptoError as exc:
        raise StatusBlobError(str(exc)) from exc


def encrypt_status_blob(
    blob: StatusBlob, transport_key: bytes, challenge: bytes | None, nonce: bytes | None
) -> bytes:
    """``AES-128-CBC/NoPadding(KEY_TRANSPORT, IV, blob)``, 32 bytes."""
    iv = status_blob_iv(transport_key, challenge, nonce)
    try:
        return aes_cbc_nopad_encrypt(transport_key, iv, blob.to_bytes())
    except CryptoError as exc:
        raise StatusBlobError(str(exc)) from exc


def decrypt_status_blob(
    encrypted: bytes | str, transport_key: bytes, challenge: bytes | None, nonce: bytes | None
) -> StatusBlob:
    """Decrypt (bytes or the Base64 from the wire) and parse a status blob."""
    if isinstance(encrypted, str):
        encrypted = b64decode(encrypted, what="encryptedStatusBlob", error=StatusBlobError)
    if len(encrypted) != BLOB_LENGTH:
        raise StatusBlobError(f"encrypted status blob must be {BLOB_LENGTH} bytes, got {len(encrypted)}")
    iv = status_blob_iv(transport_key, challenge, nonce)
    try:
        plain = aes_cbc_nopad_decrypt(transport_key, iv, encrypted)
    except CryptoError as exc:
        raise StatusBlobError(str(exc)) from exc
    return StatusBlob.from_bytes(plain)


class CounterSync(Enum):
    """Outcome of the device comparing its counter with the blob (SDK ``trySynchronizeCounter``)."""

    OK = "ok"
    CALCULATE_SIGNATURE = "calculate_signature"
    UPDATED = "updated"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class CounterSyncResult:
    """What the device should do, and its counter afterwards."""

    outcome: CounterSync
    ctr_data: bytes
    ctr_byte: int
    hash_distance: int


def synchronize_counter(
    blob: StatusBlob, transport_key: bytes, local_ctr_data: bytes, local_ctr_byte: int
) -> CounterSyncResult:
    """Compare the device counter with the server's and adopt the server's when it is ahead."""
    look_ahead = blob.ctr_look_ahead
    if not 0 < look_ahead <= MAX_LOOK_AHEAD:
        raise StatusBlobError(f"ctrLookAhead {look_ahead} is outside 1..{MAX_LOOK_AHEAD}")
    hash_distance = hash_counter_distance(transport_key, local_ctr_data, blob.ctr_data_hash, look_ahead)
    byte_distance = (local_ctr_byte - blob.ctr_byte) & 0xFF
    if byte_distance > 0x7F:
        byte_distance -= 0x100
    if hash_distance == 0 and byte_distance == 0:
        return CounterSyncResult(CounterSync.OK, local_ctr_data, local_ctr_byte, 0)
    if byte_distance > 0 and hash_distance < 0:
        if byte_distance > look_ahead:
            outcome = CounterSync.INVALID
        elif byte_distance > look_ahead // 2:
            outcome = CounterSync.CALCULATE_SIGNATURE
        else:
            outcome = CounterSync.OK
        return CounterSyncResult(outcome, local_ctr_data, local_ctr_byte, hash_distance)
    if hash_distance > 0 and -byte_distance == hash_distance:
        ctr = local_ctr_data
        for _ in range(hash_distance):
            ctr = next_ctr_data(ctr)
        return CounterSyncResult(CounterSync.UPDATED, ctr, blob.ctr_byte, hash_distance)
    return CounterSyncResult(CounterSync.INVALID, local_ctr_data, local_ctr_byte, hash_distance)
