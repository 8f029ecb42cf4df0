"""BAC MRZ information from TD1/TD2/TD3 lines, long document numbers included; 3DES helpers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.identity.chip.errors import MrzKeyError, SecureMessagingError
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.tdes import adjust_parity, pad, unpad


@pytest.mark.parametrize(
    ("lines", "information"),
    [
        (["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
         "L898902C3674081221204159"),
        (["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"],
         "L898902C<369080619406236"),
        (["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
          "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"],
         "D23145890774081221204159"),
        (["I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2",
          "STEVENSON<<PETER<JOHN<<<<<<<<<"],
         "D23145890734934071279507122"),
        (["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
         "D23145890774081221204159"),
        (["I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<", "D23145890<UTO3407127M95071227349<<<8"],
         "D23145890734934071279507122"),
    ],
)  # fmt: skip
def test_mrz_information_of_specimens(lines: list[str], information: str) -> None:
    assert MrzKey.from_mrz_lines(lines).information() == information


def test_pace_example_fields() -> None:
    assert MrzKey("T22000129", "640812", "101031").information() == "T22000129364081251010318"


def test_check_digits_are_recomputed_not_copied() -> None:
    """A printed check digit that is wrong does not leak into the key: the reader computes its own."""
    lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C39UTO7408122F1204159ZE184226B<<<<<10"]
    assert MrzKey.from_mrz_lines(lines).information() == "L898902C3674081221204159"


@pytest.mark.parametrize(
    "lines",
    [["SHORT"], ["P<UTO" + "<" * 39, "l898902c36UTO7408122F1204159ZE184226B<<<<<10"],
     ["I<UTOD23145890<<<<<<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2", "STEVENSON<<PETER<JOHN<<<<<<<<<"]],
)  # fmt: skip
def test_bad_lines_raise_typed_error(lines: list[str]) -> None:
    with pytest.raises(MrzKeyError):
        MrzKey.from_mrz_lines(lines)


def test_bad_fields_raise_typed_error() -> None:
    with pytest.raises(MrzKeyError):
        MrzKey("L898902C3", "7408", "120415")
    with pytest.raises(MrzKeyError):
        MrzKey("", "740812", "120415")


@given(st.binary(max_size=32))
def test_parity_is_odd_and_only_low_bits_change(key: bytes) -> None:
    adjusted = adjust_parity(key)
    assert all(bin(b).count("1") % 2 == 1 for b in adjusted)
    assert all(a & 0xFE == b & 0xFE for a, b in zip(adjusted, key, strict=True))


@given(st.binary(max_size=40))
def test_padding_round_trip(data: bytes) -> None:
    padded = pad(data)
    assert len(padded) % 8 == 0 and len(padded) > len(data)
    assert unpad(padded) == data


@pytest.mark.parametrize("bad", [b"\x00" * 8, b"\x01\x02\x03\x04\x05\x06\x07\x08", b"\x80" + b"\x00" * 8])
def test_missing_padding_is_an_sm_error(bad: bytes) -> None:
    with pytest.raises(SecureMessagingError):
        unpad(bad)
