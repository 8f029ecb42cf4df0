"""Active Authentication: DG14/DG15 content, the chip's INTERNAL AUTHENTICATE and clone detection."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simulator.identity.chip import aa
from simulator.identity.chip.apdu import CommandApdu
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.errors import ChipImageError, ForgeryError, LdsError
from simulator.identity.chip.forgery import clone
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.reader import ChipReader
from simulator.identity.chip.sod import parse_sod
from simulator.identity.chip.tlv import encode_tlv

CHALLENGE = bytes.fromhex("0011223344556677")


def test_dg14_announces_ecdsa_active_authentication() -> None:
    dg14 = aa.build_dg14()
    assert dg14[0] == 0x6E
    assert aa.parse_dg14_aa_algorithm(dg14) == aa.ECDSA_PLAIN_SHA256_OID
    with pytest.raises(LdsError):
        aa.parse_dg14_aa_algorithm(b"\x6e\x02\x31\x05")


def test_dg15_round_trip_and_signature() -> None:
    key = aa.new_key()
    public = aa.parse_dg15(aa.build_dg15(key.public_key()))
    assert public.public_numbers() == key.public_key().public_numbers()
    signature = aa.sign_challenge(key, CHALLENGE)
    assert len(signature) == 64 and aa.verify_challenge(public, CHALLENGE, signature)
    assert not aa.verify_challenge(public, CHALLENGE[::-1], signature)
    assert not aa.verify_challenge(aa.new_key().public_key(), CHALLENGE, signature)
    assert not aa.verify_challenge(public, CHALLENGE, signature[:-1])


def test_dg15_errors_are_typed() -> None:
    rsa_spki = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for bad in (b"", b"\x6f\x01\x00", encode_tlv(0x6F, rsa_spki), encode_tlv(0x6E, b"")):
        with pytest.raises(LdsError):
            aa.parse_dg15(bad)


def test_issued_aa_chip_covers_dg14_and_dg15_in_the_sod(genuine_aa: ChipImage) -> None:
    assert genuine_aa.aa_private_key is not None
    assert genuine_aa.ef_sod is not None
    assert set(parse_sod(genuine_aa.ef_sod).dg_hashes) == {1, 2, 14, 15}
    assert ChipImage.from_json(genuine_aa.to_json()) == genuine_aa


def test_internal_authenticate_needs_bac_a_key_and_eight_bytes(
    genuine: ChipImage, genuine_aa: ChipImage, access_key: MrzKey
) -> None:
    chip = VirtualChip(genuine_aa)
    chip.transceive(bytes.fromhex("00A4040C07A0000002471001"))
    assert chip.transceive(CommandApdu(0, 0x88, 0, 0, CHALLENGE, 256).to_bytes()) == b"\x69\x82"

    reader = ChipReader(chip.transceive)
    reader.select_application()
    reader.authenticate(access_key)
    public = aa.parse_dg15(reader.read_file(0x010F))
    assert aa.verify_challenge(public, CHALLENGE, reader.active_authenticate(CHALLENGE))
    assert reader.active_authenticate(CHALLENGE[:4]) == b""  # 6700 inside SM

    plain = ChipReader(VirtualChip(genuine).transceive)
    plain.select_application()
    plain.authenticate(access_key)
    assert plain.active_authenticate(CHALLENGE) == b""  # no AA key: 6D00 inside SM


def test_clone_keeps_files_but_not_the_key(genuine: ChipImage, genuine_aa: ChipImage) -> None:
    copy = clone(genuine_aa)
    assert copy.files == genuine_aa.files and copy.aa_private_key != genuine_aa.aa_private_key
    with pytest.raises(ForgeryError):
        clone(genuine)


def test_broken_aa_key_in_an_image_is_refused(genuine_aa: ChipImage) -> None:
    with pytest.raises(ChipImageError):
        VirtualChip(genuine_aa.with_aa_key(b"\x30\x00"))
