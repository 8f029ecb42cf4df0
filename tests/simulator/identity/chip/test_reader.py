"""The NFC reader against the virtual chip: full BAC + SM reads, tampering and replay on the link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.errors import (
    BacError,
    ChipImageError,
    ChipStatusError,
    LdsError,
    SecureMessagingError,
)
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.lds import build_dg11, dg_fid, parse_dg1, portrait_from_dg2
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import DocumentSigner
from simulator.identity.chip.reader import ChipRead, ChipReader, read_chip

TD1 = ["I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2", "STEVENSON<<PETER<JOHN<<<<<<<<<"]


def test_full_read_returns_the_files_byte_for_byte(
    genuine: ChipImage, access_key: MrzKey, portrait: bytes
) -> None:
    read = read_chip(VirtualChip(genuine).transceive, access_key)
    assert list(read.files()) == ["EF.COM", "DG1.bin", "DG2.bin", "EF.SOD"]
    assert read.ef_com == genuine.ef_com and read.ef_sod == genuine.ef_sod
    assert read.data_groups == genuine.data_groups()
    assert read.dg1 is not None and parse_dg1(read.dg1)[1].startswith("L898902C36")
    assert read.dg2 is not None and portrait_from_dg2(read.dg2) == portrait


def test_photo_sized_dg2_over_many_chunks(
    dsc: DocumentSigner, now: dt.datetime, jpeg: Callable[..., bytes]
) -> None:
    photo = jpeg((0, 0, 0), size=(120, 140), noise=7)
    assert 15_000 < len(photo) < 30_000
    image = issue_chip(TD1, photo, dsc, signed_at=now)
    chip = VirtualChip(image)
    count = 0

    def link(apdu: bytes) -> bytes:
        nonlocal count
        count += 1
        return chip.transceive(apdu)

    read = read_chip(link, MrzKey.from_mrz_lines(TD1))
    assert read.dg2 is not None and portrait_from_dg2(read.dg2) == photo
    assert count > len(photo) // 0xDF  # really chunked


def test_file_too_large_for_plain_read_binary_is_refused(
    dsc: DocumentSigner, now: dt.datetime, portrait: bytes
) -> None:
    huge = b"\x6b\x83\x00\x80\x00" + bytes(0x8000)
    with pytest.raises(LdsError, match="exceeds"):
        issue_chip(TD1, portrait, dsc, signed_at=now, extra_data_groups={11: huge})


def test_wrong_mrz_is_a_bac_error(genuine: ChipImage, access_key: MrzKey) -> None:
    wrong = MrzKey(access_key.document_number, access_key.date_of_birth, "130415")
    with pytest.raises(BacError, match="6300"):
        read_chip(VirtualChip(genuine).transceive, wrong)


def test_tampered_response_is_detected(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    sent = 0

    def link(apdu: bytes) -> bytes:
        nonlocal sent
        sent += 1
        response = bytearray(chip.transceive(apdu))
        if sent == 6:  # a READ BINARY answer under SM
            response[4] ^= 0x40
        return bytes(response)

    with pytest.raises(SecureMessagingError, match="MAC"):
        read_chip(link, access_key)


def test_tampered_command_is_refused_by_the_chip(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)

    def link(apdu: bytes) -> bytes:
        if apdu[0] == 0x0C:
            apdu = apdu[:-2] + bytes([apdu[-2] ^ 1]) + apdu[-1:]
        return chip.transceive(apdu)

    with pytest.raises(ChipStatusError) as caught:
        read_chip(link, access_key)
    assert caught.value.status_word == 0x6988


def test_replayed_authentication_answer_is_rejected(genuine: ChipImage, access_key: MrzKey) -> None:
    """A man in the middle replays the chip's EXTERNAL AUTHENTICATE answer from an earlier session."""
    recorded: dict[str, bytes] = {}
    first = VirtualChip(genuine)

    def recorder(apdu: bytes) -> bytes:
        response = first.transceive(apdu)
        if apdu[1] == 0x82:
            recorded["answer"] = response
        return response

    ChipReader(recorder).read(access_key)
    second = VirtualChip(genuine)

    def replayer(apdu: bytes) -> bytes:
        response = second.transceive(apdu)
        return recorded["answer"] if apdu[1] == 0x82 else response

    with pytest.raises(BacError):
        ChipReader(replayer).read(access_key)


def test_listed_groups_are_read_missing_ones_skipped_eac_ones_left(
    genuine: ChipImage, access_key: MrzKey
) -> None:
    from simulator.identity.chip.lds import EF_COM_FID, build_ef_com

    image = genuine.with_file(dg_fid(11), build_dg11("ERIKSSON<<ANNA<MARIA"))
    image = image.with_file(dg_fid(3), b"\x63\x00").with_file(EF_COM_FID, build_ef_com([1, 2, 3, 11, 12]))
    read = read_chip(VirtualChip(image).transceive, access_key)
    assert sorted(read.data_groups) == [1, 2, 11]


def test_chip_read_serialization(genuine: ChipImage, access_key: MrzKey) -> None:
    read = read_chip(VirtualChip(genuine).transceive, access_key)
    assert ChipRead.from_dict(read.to_dict()) == read
    assert ChipRead.from_files(read.files()) == read
    with pytest.raises(ChipImageError):
        ChipRead.from_files({"EF.COM": b"", "EF.SOD": b"", "DG01.bin": b""})
    with pytest.raises(ChipImageError):
        ChipRead.from_files({"EF.COM": b""})
    with pytest.raises(ChipImageError):
        ChipRead.from_dict({"EF.COM": "***", "EF.SOD": ""})
