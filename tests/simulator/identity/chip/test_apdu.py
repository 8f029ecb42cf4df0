"""Command/response APDU encoding in all ISO cases, and typed errors on inconsistent lengths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.identity.chip.apdu import CommandApdu, ResponseApdu
from simulator.identity.chip.errors import ApduError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00A4040C07A0000002471001", CommandApdu(0, 0xA4, 4, 0x0C, bytes.fromhex("A0000002471001"))),
        ("0084000008", CommandApdu(0, 0x84, 0, 0, le=8)),
        ("00B0000000", CommandApdu(0, 0xB0, 0, 0, le=256)),
        ("00B00000", CommandApdu(0, 0xB0, 0, 0)),
        ("0088000002AABB00", CommandApdu(0, 0x88, 0, 0, b"\xaa\xbb", 256)),
        ("00B0000000012C", CommandApdu(0, 0xB0, 0, 0, le=300)),
    ],
)
def test_parse_known_cases(raw: str, expected: CommandApdu) -> None:
    parsed = CommandApdu.parse(bytes.fromhex(raw))
    assert parsed == expected
    assert parsed.to_bytes() == bytes.fromhex(raw)


@given(
    header=st.tuples(*[st.integers(0, 255)] * 4),
    data=st.binary(max_size=600),
    le=st.none() | st.integers(1, 0x10000),
)
def test_round_trip(header: tuple[int, int, int, int], data: bytes, le: int | None) -> None:
    command = CommandApdu(*header, data=data, le=le)
    assert CommandApdu.parse(command.to_bytes()) == command


@pytest.mark.parametrize(
    "raw", ["00A4", "00A4040C05A000", "00A4040C02A0000000", "00B000000001", "00B0000000000000"]
)
def test_inconsistent_lengths_raise(raw: str) -> None:
    with pytest.raises(ApduError):
        CommandApdu.parse(bytes.fromhex(raw))


def test_response_split_and_minimum_size() -> None:
    response = ResponseApdu.parse(bytes.fromhex("60145F019000"))
    assert response == ResponseApdu(bytes.fromhex("60145F01"), 0x9000) and response.ok
    assert not ResponseApdu.parse(b"\x69\x82").ok
    with pytest.raises(ApduError):
        ResponseApdu.parse(b"\x90")


def test_field_ranges_checked() -> None:
    with pytest.raises(ApduError):
        CommandApdu(0x100, 0, 0, 0)
    with pytest.raises(ApduError):
        CommandApdu(0, 0, 0, 0, le=0)
