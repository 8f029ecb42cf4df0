"""Byte encodings shared by the protocol: strict Base64 and length-prefixed joins.

PowerAuth puts Base64 (standard alphabet, with padding) everywhere on the wire; decoding must be
strict so that garbage raises a typed error instead of silently dropping characters.
"""

from __future__ import annotations

import binascii
import struct
from collections.abc import Iterable

from simulator.encoding import b64decode_strict, b64encode_text
from simulator.powerauth.errors import EncodingError, PowerAuthError


def b64encode(data: bytes) -> str:
    """Standard Base64 with padding, as text."""
    return b64encode_text(data)


def b64decode(
    value: str | bytes,
    *,
    what: str = "value",
    length: int | None = None,
    error: type[PowerAuthError] = EncodingError,
) -> bytes:
    """Decode strict standard Base64; raise ``error`` naming ``what`` on bad input or wrong length."""
    if isinstance(value, str):
        try:
            raw = value.encode("ascii")
        except UnicodeEncodeError as exc:
            raise error(f"{what} is not Base64 (non-ASCII characters)") from exc
    elif isinstance(value, bytes | bytearray):
        raw = bytes(value)
    else:
        raise error(f"{what} must be a Base64 string, got {type(value).__name__}")
    try:
        decoded = b64decode_strict(raw)
    except (binascii.Error, ValueError) as exc:
        raise error(f"{what} is not valid Base64: {exc}") from exc
    if length is not None and len(decoded) != length:
        raise error(f"{what} must decode to {length} bytes, got {len(decoded)}")
    return decoded


def lv(data: bytes | None) -> bytes:
    """``LV(x)``: 4-byte big-endian length then x; ``LV(None)`` is four zero bytes."""
    if data is None:
        return b"\x00\x00\x00\x00"
    return struct.pack(">I", len(data)) + data


def join_lv(items: Iterable[bytes | None]) -> bytes:
    """Concatenate ``LV(item)`` for every item (Java ``ByteUtils.concatWithSizes``)."""
    return b"".join(lv(item) for item in items)


def be64(value: int) -> bytes:
    """Signed 64-bit big-endian integer (Java ``long``)."""
    try:
        return struct.pack(">q", value)
    except struct.error as exc:
        raise EncodingError(f"{value} does not fit a signed 64-bit integer") from exc
