"""The NFC reader: BAC with the MRZ the camera scanned, then DG1/DG2/EF.SOD that pass (or fail)
passive authentication with the issuing CSCA."""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.device.camera import DocumentCamera, DocumentType
from simulator.device.nfc import (
    ChipAccessError,
    ChipEvidence,
    ChipMismatchError,
    ChipReadError,
    NfcReader,
    person_chip,
)
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.forgery import AttackerKit, Forgery, forge
from simulator.identity.chip.lds import portrait_from_dg2
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import (
    CountrySigningCA,
    DocumentSigner,
    TrustList,
    create_csca,
    issue_document_signer,
)
from simulator.identity.chip.verifier import Reason, verify_passive
from simulator.identity.documents.render import id_card_data, passport_data
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td1_lines, td3_lines
from simulator.identity.people import generate_people

NOW = dt.datetime.now(dt.UTC)
ALICE, BOB = generate_people(77, 2)


@pytest.fixture(scope="module")
def issuer() -> Iterator[tuple[CountrySigningCA, DocumentSigner]]:
    csca = create_csca(ALICE.nationality, not_before=NOW - dt.timedelta(days=400))
    yield csca, issue_document_signer(csca, not_before=NOW - dt.timedelta(days=300))


@pytest.fixture(scope="module")
def scanned_mrz() -> list[str]:
    """The passport MRZ as the phone's camera scanned it (on-device OCR, not the data it was drawn from)."""
    camera = DocumentCamera(ALICE, rng=random.Random(5))
    return camera.scan_mrz(camera.photograph(DocumentType.PASSPORT))


def test_scanned_mrz_opens_the_chip_and_passes_passive_authentication(
    issuer: tuple[CountrySigningCA, DocumentSigner], scanned_mrz: list[str]
) -> None:
    csca, signer = issuer
    assert scanned_mrz == list(td3_lines(passport_data(ALICE).mrz))
    evidence = NfcReader().read(person_chip(ALICE, signer), scanned_mrz, require_match=True)
    assert set(evidence.files()) == {"EF.COM", "DG1.bin", "DG2.bin", "EF.SOD"}
    assert evidence.mrz_lines == tuple(scanned_mrz)
    assert evidence.portrait_jpeg == portrait_from_dg2(evidence.files()["DG2.bin"])
    assert evidence.portrait_jpeg[:3] == b"\xff\xd8\xff"
    result = verify_passive(evidence.read, TrustList([csca.certificate]), at=NOW, printed_mrz=scanned_mrz)
    assert result.ok, result.to_dict()
    # and not against a CSCA that did not issue it
    stranger = create_csca(ALICE.nationality, not_before=NOW - dt.timedelta(days=10))
    assert verify_passive(evidence.read, TrustList([stranger.certificate]), at=NOW).reason is \
        Reason.UNTRUSTED_SIGNER


def test_evidence_json_round_trip(
    issuer: tuple[CountrySigningCA, DocumentSigner], scanned_mrz: list[str]
) -> None:
    evidence = NfcReader().read(person_chip(ALICE, issuer[1]), scanned_mrz)
    again = ChipEvidence.from_json(evidence.to_json())
    assert again == evidence
    with pytest.raises(ChipReadError):
        ChipEvidence.from_json({"EF.COM": "AAAA"})
    with pytest.raises(ChipReadError):
        ChipEvidence.from_json({**evidence.to_json(), "DG2.bin": "not base64!"})


def test_id_card_chip_read_with_td1_mrz(issuer: tuple[CountrySigningCA, DocumentSigner]) -> None:
    csca, signer = issuer
    lines = list(td1_lines(id_card_data(ALICE).mrz))
    evidence = NfcReader().read(person_chip(ALICE, signer, document="ID_CARD"), lines)
    assert evidence.matches(lines)
    assert verify_passive(evidence.read, TrustList([csca.certificate]), at=NOW).ok


def test_another_persons_chip_refuses_the_key(
    issuer: tuple[CountrySigningCA, DocumentSigner], scanned_mrz: list[str]
) -> None:
    with pytest.raises(ChipAccessError, match="refused"):
        NfcReader().read(person_chip(BOB, issuer[1]), scanned_mrz)
    with pytest.raises(ChipAccessError, match="no BAC key"):
        NfcReader().read(person_chip(ALICE, issuer[1]), ["NOT AN MRZ"])


@pytest.mark.parametrize("kind", [Forgery.PORTRAIT_SWAP, Forgery.DG1_EDITED, Forgery.UNTRUSTED_SIGNER])
def test_tampered_chip_is_read_but_fails_passive_authentication(
    issuer: tuple[CountrySigningCA, DocumentSigner], scanned_mrz: list[str], kind: Forgery
) -> None:
    """The phone passes the tampered chip on; the server's passive authentication names the forgery."""
    csca, signer = issuer
    genuine = person_chip(ALICE, signer).image
    kit = AttackerKit.create(csca, now=NOW, attacker_portrait=portrait_jpeg("mallory"))
    forged = forge(kind, genuine, MrzKey.from_mrz_lines(scanned_mrz), kit, now=NOW)
    evidence = NfcReader().read(VirtualChip(forged.image), scanned_mrz)
    result = verify_passive(evidence.read, TrustList([csca.certificate]), at=NOW)
    assert not result.ok and forged.expected_reason in result.reasons
    if kind is Forgery.DG1_EDITED:
        with pytest.raises(ChipMismatchError):
            NfcReader().read(VirtualChip(forged.image), scanned_mrz, require_match=True)


def test_tag_lost_mid_read_is_a_typed_error(
    issuer: tuple[CountrySigningCA, DocumentSigner], scanned_mrz: list[str]
) -> None:
    chip = person_chip(ALICE, issuer[1])
    calls = {"n": 0}

    def flaky(apdu: bytes) -> bytes:
        calls["n"] += 1
        if calls["n"] > 8:
            return b"\x69\x88"  # SM data objects incorrect: the chip dropped the session
        return chip.transceive(apdu)

    with pytest.raises(ChipReadError):
        NfcReader().read(flaky, scanned_mrz)
    # a new NFC session on the same chip works again
    assert NfcReader().read(chip, scanned_mrz).matches(scanned_mrz)


def test_unknown_document_has_no_chip(issuer: tuple[CountrySigningCA, DocumentSigner]) -> None:
    with pytest.raises(ValueError, match="no chip"):
        person_chip(ALICE, issuer[1], document="DRIVING_LICENSE")


def test_active_authentication_signs_the_verifiers_challenge(
    issuer: tuple[CountrySigningCA, DocumentSigner], scanned_mrz: list[str]
) -> None:
    csca, signer = issuer
    chip = person_chip(ALICE, signer, active_authentication=True)
    challenge = bytes(range(8))
    evidence = NfcReader().read(chip, scanned_mrz, aa_challenge=challenge)
    assert evidence.read.aa_challenge == challenge and evidence.read.aa_signature
    assert "AA.challenge" in evidence.to_json()
    assert verify_passive(evidence.read, TrustList([csca.certificate]), at=NOW).ok
    with pytest.raises(ValueError, match="8 bytes"):
        NfcReader().read(chip, scanned_mrz, aa_challenge=b"short")


@given(st.dictionaries(st.sampled_from(["EF.COM", "EF.SOD", "DG1.bin", "DG2.bin", "DG7.bin", "x"]),
                       st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()) | st.integers(),
                       max_size=6))
def test_evidence_from_any_json_is_evidence_or_a_read_error(files: dict[str, object]) -> None:
    """Random files never crash the parser with anything but ChipReadError."""
    try:
        evidence = ChipEvidence.from_json(files)
    except ChipReadError:
        return
    assert evidence.read.dg1 is not None and evidence.mrz_lines
