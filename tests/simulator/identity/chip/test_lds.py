"""LDS files: Doc 9303-10 examples, build -> parse round trips, malformed files give `LdsError`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.identity.chip.errors import LdsError
from simulator.identity.chip.lds import (
    EfCom,
    FaceImage,
    build_dg1,
    build_dg2,
    build_dg11,
    build_ef_com,
    build_face_record,
    data_group_number,
    dg_fid,
    fid_to_dg,
    parse_dg1,
    parse_dg2,
    parse_ef_com,
    parse_face_record,
    portrait_from_dg2,
)

TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
DG1_TD2 = "614B5F1F48" + "".join(TD2).encode().hex()


def test_ef_com_matches_the_worked_example() -> None:
    ef_com = build_ef_com([2, 1], lds_version="0106", unicode_version="040000")
    assert ef_com == bytes.fromhex("60145F0104303130365F36063034303030305C026175")
    assert parse_ef_com(ef_com) == EfCom("0106", "040000", (1, 2))


def test_dg1_matches_the_td2_example_and_parses_back() -> None:
    assert build_dg1(TD2) == bytes.fromhex(DG1_TD2)
    assert parse_dg1(bytes.fromhex(DG1_TD2)) == TD2


@pytest.mark.parametrize(
    "lines",
    [["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"],
     ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]],
)  # fmt: skip
def test_dg1_round_trip_td1_td3(lines: list[str]) -> None:
    dg1 = build_dg1(lines)
    assert len(dg1) - 5 == sum(len(line) for line in lines)
    assert parse_dg1(dg1) == lines


@pytest.mark.parametrize("lines", [["ABC"], ["P<UTO" + "a" * 39, "L" * 44], ["X" * 30, "Y" * 30]])
def test_dg1_refuses_non_mrz(lines: list[str]) -> None:
    with pytest.raises(LdsError):
        build_dg1(lines)


def test_dg2_structure_and_portrait_round_trip(jpeg: Callable[..., bytes]) -> None:
    image = jpeg((10, 200, 30))
    face = FaceImage(image=image, width=120, height=160, gender=2)
    dg2 = build_dg2(face)
    # 75 L { 7F61 L { 02 01 01, 7F60 L { A1 0C 80 02 0101 87 02 0101 88 02 0008, 5F2E L record } } }
    assert dg2[0] == 0x75
    assert bytes.fromhex("020101") in dg2[:16]
    assert bytes.fromhex("A10C800201018702010188020008") in dg2
    assert bytes.fromhex("5F2E") in dg2 and b"FAC\x00010\x00" in dg2
    assert parse_dg2(dg2) == [face]
    assert portrait_from_dg2(dg2) == image
    assert data_group_number(dg2) == 2


def test_face_record_header_fields() -> None:
    record = build_face_record([FaceImage(image=b"\xff\xd8JPEG", width=480, height=640)])
    assert record[:8] == b"FAC\x00010\x00"
    assert int.from_bytes(record[8:12], "big") == len(record) == 14 + 20 + 12 + 6
    assert int.from_bytes(record[12:14], "big") == 1
    assert int.from_bytes(record[14:18], "big") == 20 + 12 + 6
    info = record[34:46]
    assert info[0] == 1 and info[1] == 0  # full frontal, JPEG
    assert int.from_bytes(info[2:4], "big") == 480 and int.from_bytes(info[4:6], "big") == 640


@given(
    images=st.lists(st.binary(min_size=1, max_size=64), min_size=1, max_size=3),
    size=st.tuples(st.integers(1, 0xFFFF), st.integers(1, 0xFFFF)),
    gender=st.sampled_from([0, 1, 2, 0xFF]),
)
def test_face_record_round_trip(images: list[bytes], size: tuple[int, int], gender: int) -> None:
    faces = [FaceImage(image=i, width=size[0], height=size[1], gender=gender) for i in images]
    assert parse_face_record(build_face_record(faces)) == faces


@settings(max_examples=200)
@given(st.binary(max_size=80))
def test_garbage_never_crashes_parsers(data: bytes) -> None:
    for parser in (parse_ef_com, parse_dg1, parse_dg2, parse_face_record):
        with contextlib.suppress(LdsError):
            parser(data)


@given(data=st.data())
def test_truncated_dg2_is_an_lds_error(data: st.DataObject) -> None:
    dg2 = build_dg2(FaceImage(image=b"\xff\xd8" + bytes(50), width=2, height=2))
    cut = data.draw(st.integers(0, len(dg2) - 1))
    with pytest.raises(LdsError):
        parse_dg2(dg2[:cut])


def test_dg2_with_only_a_39794_record_is_reported() -> None:
    from simulator.identity.chip.tlv import encode_tlv

    template = encode_tlv(0xA1, b"") + encode_tlv(0x7F2E, b"\x30\x00")
    dg2 = encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x02, b"\x01") + encode_tlv(0x7F60, template)))
    with pytest.raises(LdsError, match="39794"):
        parse_dg2(dg2)


def test_file_identifiers() -> None:
    assert [dg_fid(n) for n in (1, 2, 11, 16)] == [0x0101, 0x0102, 0x010B, 0x0110]
    assert fid_to_dg(0x0102) == 2 and fid_to_dg(0x011E) is None and fid_to_dg(0x011D) is None
    with pytest.raises(LdsError):
        dg_fid(17)


def test_dg11_and_ef_com_errors() -> None:
    dg11 = build_dg11("SMITH<<JOHN<J")
    assert dg11.startswith(bytes.fromhex("6B")) and bytes.fromhex("5C025F0E5F0E0D") in dg11
    with pytest.raises(LdsError):
        build_dg11("Smith")
    with pytest.raises(LdsError):
        parse_ef_com(bytes.fromhex("60095F0102303101005C01FF"))
    with pytest.raises(LdsError):
        build_ef_com([1], lds_version="1.8")
