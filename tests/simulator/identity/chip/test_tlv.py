"""BER-TLV: known encodings, hypothesis round trips, truncation and malformed input give typed errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.identity.chip.errors import TlvError, TlvTruncatedError
from simulator.identity.chip.tlv import (
    Tlv,
    decode_all,
    decode_one,
    decode_tlv,
    encode_length,
    encode_tag,
    encode_tlv,
    total_length,
)

EF_COM = bytes.fromhex("60145F0104303130365F36063034303030305C026175")


@st.composite
def tags(draw: st.DrawFn) -> int:
    """Valid BER tags of one to three bytes."""
    size = draw(st.integers(1, 3))
    if size == 1:
        return draw(st.integers(0, 0xFF).filter(lambda b: b & 0x1F != 0x1F))
    first = draw(st.integers(0, 0xFF)) | 0x1F
    middle = [draw(st.integers(0x80, 0xFF)) for _ in range(size - 2)]
    last = draw(st.integers(0x00, 0x7F))
    return int.from_bytes(bytes([first, *middle, last]), "big")


def test_ef_com_example_decodes_into_its_objects() -> None:
    item = decode_one(EF_COM)
    assert item.tag == 0x60 and item.constructed
    assert [(c.tag, c.value) for c in item.children()] == [
        (0x5F01, b"0106"),
        (0x5F36, b"040000"),
        (0x5C, b"\x61\x75"),
    ]
    assert item.encode() == EF_COM
    assert item.child(0x5C).value == b"\x61\x75"
    assert not item.child(0x5C).constructed


@pytest.mark.parametrize(
    ("length", "encoded"),
    [(0, "00"), (0x7F, "7F"), (0x80, "8180"), (0xFF, "81FF"), (0x100, "820100"), (0x1439, "821439"),
     (0x10000, "83010000"), (0x1000000, "8401000000")],
)  # fmt: skip
def test_length_forms(length: int, encoded: str) -> None:
    assert encode_length(length) == bytes.fromhex(encoded)
    data = b"\x04" + bytes.fromhex(encoded)
    assert total_length(data) == len(data) + length


def test_multi_byte_tags_encode_big_endian() -> None:
    assert encode_tag(0x5F1F) == b"\x5f\x1f"
    assert encode_tag(0x7F61) == b"\x7f\x61"
    assert encode_tag(0x9F8101) == b"\x9f\x81\x01"


@pytest.mark.parametrize("tag", [0x1F, 0x5F, 0x5F81, 0x6001, -1, 0x9F0101])
def test_invalid_tags_are_refused(tag: int) -> None:
    with pytest.raises(TlvError):
        encode_tag(tag)


@given(tag=tags(), value=st.binary(max_size=300))
def test_round_trip(tag: int, value: bytes) -> None:
    encoded = encode_tlv(tag, value)
    assert decode_one(encoded) == Tlv(tag, value)
    assert total_length(encoded[:8]) == len(encoded)


@given(items=st.lists(st.tuples(tags(), st.binary(max_size=40)), max_size=6))
def test_sequence_round_trip(items: list[tuple[int, bytes]]) -> None:
    encoded = b"".join(encode_tlv(tag, value) for tag, value in items)
    assert [(item.tag, item.value) for item in decode_all(encoded)] == items


@given(tag=tags(), value=st.binary(min_size=1, max_size=300), data=st.data())
def test_every_strict_prefix_is_a_truncation_error(tag: int, value: bytes, data: st.DataObject) -> None:
    encoded = encode_tlv(tag, value)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    with pytest.raises(TlvTruncatedError):
        decode_one(encoded[:cut])


@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_or_raise_a_tlv_error(data: bytes) -> None:
    try:
        items = decode_all(data)
    except TlvError:
        return
    # Re-encoding uses minimal lengths, so it is never longer and decodes to the same objects.
    encoded = b"".join(item.encode() for item in items)
    assert len(encoded) <= len(data)
    assert decode_all(encoded) == items


def test_trailing_bytes_and_indefinite_length_are_errors() -> None:
    with pytest.raises(TlvError, match="follow"):
        decode_one(EF_COM + b"\x00")
    with pytest.raises(TlvError, match="indefinite"):
        decode_tlv(b"\x30\x80\x00\x00")
    with pytest.raises(TlvError, match="length octets"):
        decode_tlv(b"\x04\x85\x00\x00\x00\x00\x01\x00")
    with pytest.raises(TlvTruncatedError):
        total_length(b"\x75\x82\x14")
