"""The virtual chip's access control and secure messaging, APDU by APDU."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.identity.chip import bac
from simulator.identity.chip.apdu import CommandApdu, ResponseApdu
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.errors import ChipError, ChipImageError
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.lds import EF_COM_FID, dg_fid, parse_ef_com
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import DocumentSigner
from simulator.identity.chip.reader import ChipReader
from simulator.identity.chip.sm import SecureChannel

h = bytes.fromhex
SELECT_APP = h("00A4040C07A0000002471001")
SELECT_EF_COM = h("00A4020C02011E")


def sw(response: bytes) -> int:
    return int.from_bytes(response[-2:], "big")


def open_session(chip: VirtualChip, key: MrzKey) -> SecureChannel:
    """Run BAC by hand and return the reader's secure channel."""
    assert sw(chip.transceive(SELECT_APP)) == 0x9000
    challenge = chip.transceive(h("0084000008"))
    assert sw(challenge) == 0x9000 and len(challenge) == 10
    keys = bac.KeyPair.from_mrz_key(key)
    rnd_ifd, k_ifd = bytes(range(8)), bytes(range(16, 32))
    data = bac.terminal_command(keys, challenge[:8], rnd_ifd, k_ifd)
    answer = chip.transceive(CommandApdu(0, 0x82, 0, 0, data, 0x28).to_bytes())
    assert sw(answer) == 0x9000
    return SecureChannel.from_session(bac.terminal_finish(keys, answer[:-2], challenge[:8], rnd_ifd, k_ifd))


def secure(chip: VirtualChip, channel: SecureChannel, command: CommandApdu) -> ResponseApdu:
    return channel.unprotect_response(chip.transceive(channel.protect_command(command).to_bytes()))


def test_files_refused_before_bac(genuine: ChipImage) -> None:
    chip = VirtualChip(genuine)
    assert sw(chip.transceive(SELECT_EF_COM)) == 0x6A82  # application not selected yet
    assert sw(chip.transceive(h("0084000008"))) == 0x6985
    assert sw(chip.transceive(SELECT_APP)) == 0x9000
    assert sw(chip.transceive(SELECT_EF_COM)) == 0x6982
    assert sw(chip.transceive(h("00B0000004"))) == 0x6982
    assert sw(chip.transceive(h("00B0810004"))) == 0x6982  # short-EF read of DG1
    assert sw(chip.transceive(h("0CB0000004"))) == 0x6982  # SM without a session


def test_wrong_key_gets_6300_and_the_challenge_is_single_use(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    chip.transceive(SELECT_APP)
    challenge = chip.transceive(h("0084000008"))[:8]
    wrong = bac.KeyPair.from_mrz_key(MrzKey("L898902C4", "740812", "120415"))
    data = bac.terminal_command(wrong, challenge, bytes(8), bytes(16))
    assert sw(chip.transceive(CommandApdu(0, 0x82, 0, 0, data, 0x28).to_bytes())) == 0x6300
    right = bac.terminal_command(bac.KeyPair.from_mrz_key(access_key), challenge, bytes(8), bytes(16))
    # The challenge was consumed by the failed attempt: replaying it with the right key does not work.
    assert sw(chip.transceive(CommandApdu(0, 0x82, 0, 0, right, 0x28).to_bytes())) == 0x6985
    assert not chip.authenticated


def test_cryptogram_for_an_old_challenge_is_refused(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    chip.transceive(SELECT_APP)
    old = chip.transceive(h("0084000008"))[:8]
    chip.transceive(h("0084000008"))  # a new challenge replaces the old one
    data = bac.terminal_command(bac.KeyPair.from_mrz_key(access_key), old, bytes(8), bytes(16))
    assert sw(chip.transceive(CommandApdu(0, 0x82, 0, 0, data, 0x28).to_bytes())) == 0x6300


def test_secure_reads_after_bac(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    channel = open_session(chip, access_key)
    assert chip.authenticated
    assert secure(chip, channel, CommandApdu(0, 0xA4, 2, 0x0C, h("011E"))).sw == 0x9000
    head = secure(chip, channel, CommandApdu(0, 0xB0, 0, 0, le=4))
    assert head.sw == 0x9000 and head.data == genuine.files[EF_COM_FID][:4]
    whole = secure(chip, channel, CommandApdu(0, 0xB0, 0, 0, le=256))
    assert whole.data == genuine.files[EF_COM_FID] and whole.sw == 0x6282  # asked for more than the file
    assert parse_ef_com(whole.data).data_groups == (1, 2)
    dg1 = secure(chip, channel, CommandApdu(0, 0xB0, 0x81, 0x00, le=0x20))  # short EF identifier of DG1
    assert dg1.data == genuine.files[dg_fid(1)][:0x20]
    big = secure(chip, channel, CommandApdu(0, 0xA4, 2, 0x0C, h("0102")))
    assert big.sw == 0x9000
    chunk = secure(chip, channel, CommandApdu(0, 0xB0, 0, 0, le=256))
    assert len(chunk.data) == 0xE7 and chunk.sw == 0x9000  # capped so the SM answer fits a short APDU


def test_errors_inside_secure_messaging(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    channel = open_session(chip, access_key)
    assert secure(chip, channel, CommandApdu(0, 0xB0, 0, 0, le=4)).sw == 0x6986  # nothing selected
    assert secure(chip, channel, CommandApdu(0, 0xA4, 2, 0x0C, h("010B"))).sw == 0x6A82  # no DG11
    assert secure(chip, channel, CommandApdu(0, 0xA4, 2, 0x0C, h("01"))).sw == 0x6700
    assert secure(chip, channel, CommandApdu(0, 0xA4, 2, 0x0C, h("011E"))).sw == 0x9000
    assert secure(chip, channel, CommandApdu(0, 0xB0, 0x10, 0x00, le=4)).sw == 0x6B00  # offset beyond file
    assert secure(chip, channel, CommandApdu(0, 0xCA, 0, 0, le=4)).sw == 0x6D00
    assert chip.authenticated


def test_eac_protected_groups_stay_closed(dsc: DocumentSigner, portrait: bytes, now: dt.datetime) -> None:
    mrz = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    image = issue_chip(mrz, portrait, dsc, signed_at=now, extra_data_groups={3: b"\x63\x00"})
    chip = VirtualChip(image)
    channel = open_session(chip, MrzKey.from_mrz_lines(mrz))
    assert secure(chip, channel, CommandApdu(0, 0xA4, 2, 0x0C, h("0103"))).sw == 0x6982


def test_bad_mac_gets_6988_and_ends_the_session(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    channel = open_session(chip, access_key)
    protected = bytearray(channel.protect_command(CommandApdu(0, 0xA4, 2, 0x0C, h("011E"))).to_bytes())
    protected[-3] ^= 0x01  # a bit of the MAC
    assert chip.transceive(bytes(protected)) == h("6988")
    assert not chip.authenticated
    assert sw(chip.transceive(channel.protect_command(CommandApdu(0, 0xB0, 0, 0, le=4)).to_bytes())) == 0x6982


def test_replayed_protected_command_fails(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    channel = open_session(chip, access_key)
    select = channel.protect_command(CommandApdu(0, 0xA4, 2, 0x0C, h("011E"))).to_bytes()
    channel.unprotect_response(chip.transceive(select))
    assert chip.transceive(select) == h("6988")  # the send-sequence counter has moved on


def test_plain_command_ends_secure_messaging(genuine: ChipImage, access_key: MrzKey) -> None:
    chip = VirtualChip(genuine)
    open_session(chip, access_key)
    assert sw(chip.transceive(SELECT_EF_COM)) == 0x6982
    assert not chip.authenticated


@pytest.mark.parametrize(("raw", "word"), [("00", 0x6700), ("00A4040C05A0", 0x6700), ("80A4040C00", 0x6E00),
                                           ("00CA000000", 0x6D00), ("0084000004", 0x6700)])  # fmt: skip
def test_malformed_or_unknown_commands(genuine: ChipImage, raw: str, word: int) -> None:
    chip = VirtualChip(genuine)
    chip.transceive(SELECT_APP)
    assert sw(chip.transceive(h(raw))) == word


def test_chip_image_serialization(genuine: ChipImage, access_key: MrzKey) -> None:
    again = ChipImage.from_json(genuine.to_json())
    assert again == genuine
    assert again.bac_key_seed == bac.key_seed(access_key.information())
    open_session(VirtualChip(again), access_key)
    broken = '{"format": "emrtd-chip-image/1", "files": {"XYZ": "AA=="}, "bac_key_seed": "00"}'
    for bad in ("[]", "{}", broken, "no"):
        with pytest.raises(ChipImageError):
            ChipImage.from_json(bad)


def test_scripted_randomness_makes_the_chip_deterministic(
    genuine: ChipImage, scripted_rng: Callable[..., Callable[[int], bytes]]
) -> None:
    chip = VirtualChip(genuine, rng=scripted_rng(h("0102030405060708")))
    chip.transceive(SELECT_APP)
    assert chip.transceive(h("0084000008")) == h("01020304050607089000")


@settings(max_examples=150, deadline=None)
@given(
    apdus=st.lists(st.binary(max_size=60), max_size=6),
    prefix=st.sampled_from([b"", b"\x00\xa4", b"\x0c\xb0"]),
)
def test_arbitrary_apdus_always_get_a_status_word(
    apdus: list[bytes], prefix: bytes, genuine: ChipImage, access_key: MrzKey
) -> None:
    chip = VirtualChip(genuine)
    if prefix == b"\x0c\xb0":
        open_session(chip, access_key)
    for apdu in apdus:
        response = chip.transceive(prefix + apdu)
        assert len(response) >= 2


@settings(max_examples=150, deadline=None)
@given(answers=st.lists(st.binary(max_size=40), min_size=1, max_size=8))
def test_reader_facing_a_garbage_chip_raises_only_typed_errors(
    answers: list[bytes], access_key: MrzKey
) -> None:
    queue = list(answers)

    def link(apdu: bytes) -> bytes:
        return queue.pop(0) if queue else b"\x6a\x82"

    with pytest.raises(ChipError):
        ChipReader(link).read(access_key)
