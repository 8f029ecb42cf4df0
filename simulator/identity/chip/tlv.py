"""BER-TLV as ICAO Doc 9303 uses it: multi-byte tags, definite lengths up to four length octets.

Every LDS file is one TLV, SM data objects are TLVs and the reader needs the announced length of a file
from its first bytes, so this module is the single place that knows the encoding rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from simulator.identity.chip.errors import TlvError, TlvTruncatedError

_MAX_LENGTH_OCTETS = 4


@dataclass(frozen=True)
class Tlv:
    """One decoded data object: its tag as an integer (``0x5F1F``) and its value bytes."""

    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        """Bit 0x20 of the first tag byte marks a value that is itself a sequence of TLVs."""
        return bool(encode_tag(self.tag)[0] & 0x20)

    def children(self) -> list[Tlv]:
        """The nested data objects of a constructed TLV."""
        return decode_all(self.value)

    def child(self, tag: int) -> Tlv:
        """The first direct child with ``tag``; `TlvError` when there is none."""
        for item in self.children():
            if item.tag == tag:
                return item
        raise TlvError(f"tag {self.tag:X} has no child with tag {tag:X}")

    def encode(self) -> bytes:
        """The BER-TLV bytes of this object."""
        return encode_tlv(self.tag, self.value)


def encode_tag(tag: int) -> bytes:
    """Bytes of a tag number such as ``0x61`` or ``0x5F1F``, checking that they form a valid BER tag."""
    if tag < 0:
        raise TlvError(f"negative tag {tag}")
    raw = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    if len(raw) == 1:
        if raw[0] & 0x1F == 0x1F:
            raise TlvError(f"tag {tag:02X} announces a multi-byte tag but has one byte")
        return raw
    if raw[0] & 0x1F != 0x1F:
        raise TlvError(f"tag {tag:X}: the first byte of a multi-byte tag must have its low five bits set")
    for position, byte in enumerate(raw[1:], start=1):
        last = position == len(raw) - 1
        if bool(byte & 0x80) == last:
            raise TlvError(f"tag {tag:X}: bit 8 marks continuation on every subsequent byte but the last")
    return raw


def encode_length(length: int) -> bytes:
    """Definite length: one byte below 0x80, else ``81``..``84`` followed by the big-endian length."""
    if length < 0:
        raise TlvError(f"negative length {length}")
    if length < 0x80:
        return bytes([length])
    size = (length.bit_length() + 7) // 8
    if size > _MAX_LENGTH_OCTETS:
        raise TlvError(f"length {length} needs more than {_MAX_LENGTH_OCTETS} length octets")
    return bytes([0x80 | size]) + length.to_bytes(size, "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    """Tag, length and value of one data object."""
    return encode_tag(tag) + encode_length(len(value)) + value


def decode_tag(data: bytes, offset: int = 0) -> tuple[int, int]:
    """Read a tag at ``offset``; returns the tag number and the offset just after it."""
    if offset >= len(data):
        raise TlvTruncatedError(f"no tag byte at offset {offset}")
    first = data[offset]
    end = offset + 1
    if first & 0x1F == 0x1F:
        while True:
            if end >= len(data):
                raise TlvTruncatedError(f"multi-byte tag starting at offset {offset} is cut short")
            byte = data[end]
            end += 1
            if not byte & 0x80:
                break
            if end - offset > 4:
                raise TlvError(f"tag at offset {offset} is longer than four bytes")
    return int.from_bytes(data[offset:end], "big"), end


def decode_length(data: bytes, offset: int) -> tuple[int, int]:
    """Read a definite length at ``offset``; returns the length and the offset of the value."""
    if offset >= len(data):
        raise TlvTruncatedError(f"no length byte at offset {offset}")
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    size = first & 0x7F
    if size == 0:
        raise TlvError(f"indefinite length at offset {offset} is not allowed in the LDS")
    if size > _MAX_LENGTH_OCTETS:
        raise TlvError(f"length at offset {offset} uses {size} length octets (at most {_MAX_LENGTH_OCTETS})")
    end = offset + 1 + size
    if end > len(data):
        raise TlvTruncatedError(f"length octets at offset {offset} are cut short")
    return int.from_bytes(data[offset + 1 : end], "big"), end


def decode_tlv(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """Decode the data object at ``offset``; returns it and the offset just after it."""
    tag, value_start = decode_tag(data, offset)
    length, value_start = decode_length(data, value_start)
    end = value_start + length
    if end > len(data):
        raise TlvTruncatedError(
            f"tag {tag:X} announces {length} value bytes but only {len(data) - value_start} follow"
        )
    return Tlv(tag, bytes(data[value_start:end])), end


def iter_tlvs(data: bytes) -> Iterator[Tlv]:
    """Decode consecutive data objects filling ``data`` exactly."""
    offset = 0
    while offset < len(data):
        item, offset = decode_tlv(data, offset)
        yield item


def decode_all(data: bytes) -> list[Tlv]:
    """All consecutive data objects of ``data`` (empty bytes give an empty list)."""
    return list(iter_tlvs(data))


def decode_one(data: bytes) -> Tlv:
    """Exactly one data object; trailing bytes are an error (an LDS file is one TLV)."""
    item, end = decode_tlv(data, 0)
    if end != len(data):
        raise TlvError(f"{len(data) - end} bytes follow the data object with tag {item.tag:X}")
    return item


def total_length(header: bytes) -> int:
    """Whole length (tag + length + value) of the TLV whose first bytes are ``header``.

    A reader calls this on the first few bytes of a file to know how much more to read.
    """
    _, value_start = decode_tag(header, 0)
    length, value_start = decode_length(header, value_start)
    return value_start + length
