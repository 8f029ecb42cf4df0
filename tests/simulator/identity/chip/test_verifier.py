"""Passive authentication: a genuine chip passes every named check; each forgery fails for its reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.errors import PkiError
from simulator.identity.chip.forgery import EXPECTED_REASON, AttackerKit, Forgery, forge, inject_data_group
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.lds import build_dg11
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import (
    CountrySigningCA,
    DocumentSigner,
    TrustList,
    create_csca,
    issue_document_signer,
)
from simulator.identity.chip.reader import ChipRead, read_chip
from simulator.identity.chip.verifier import Reason, read_and_verify, verify_passive

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
ALL_CHECKS = [
    "sod_structure", "lds_structure", "dg_coverage", "dg_hashes", "sod_content_digest", "sod_signature",
    "signer_chain", "signer_validity", "signer_country", "chip_print",
]  # fmt: skip


@pytest.fixture(scope="module")
def genuine_read(genuine: ChipImage, access_key: MrzKey) -> ChipRead:
    return read_chip(VirtualChip(genuine).transceive, access_key)


def test_genuine_chip_passes_every_named_check(
    genuine_read: ChipRead, trust: TrustList, now: dt.datetime
) -> None:
    result = verify_passive(genuine_read, trust, at=now, printed_mrz=TD3)
    assert result.ok and result.reason is None and result.reasons == ()
    assert [check.name for check in result.checks] == ALL_CHECKS
    assert all(check.passed and check.reason is None for check in result.checks)
    summary = result.to_dict()
    assert summary["ok"] is True and len(summary["checks"]) == len(ALL_CHECKS)


def test_chip_with_active_authentication_passes_it(
    genuine_aa: ChipImage, access_key: MrzKey, trust: TrustList, now: dt.datetime
) -> None:
    link = VirtualChip(genuine_aa).transceive
    result, read = read_and_verify(link, access_key, trust, at=now, printed_mrz=TD3)
    assert result.ok
    names = [check.name for check in result.checks]
    assert names == [*ALL_CHECKS[:-1], "active_authentication", "chip_print"]
    assert read is not None and sorted(read.data_groups) == [1, 2, 14, 15]
    assert read.aa_challenge is not None and read.aa_signature is not None and len(read.aa_signature) == 64
    assert ChipRead.from_dict(read.to_dict()) == read


def test_active_authentication_answer_must_match_the_challenge(
    genuine_aa: ChipImage, access_key: MrzKey, trust: TrustList, now: dt.datetime
) -> None:
    read = read_chip(VirtualChip(genuine_aa).transceive, access_key)
    assert read.aa_challenge is not None
    replayed = replace(read, aa_challenge=bytes(a ^ 0xFF for a in read.aa_challenge))
    assert verify_passive(replayed, trust, at=now).reasons == (Reason.ACTIVE_AUTHENTICATION_FAILED,)
    silent = replace(read, aa_signature=b"")
    assert verify_passive(silent, trust, at=now).reasons == (Reason.ACTIVE_AUTHENTICATION_FAILED,)


def test_trust_list_from_pem_file_works_the_same(
    genuine_read: ChipRead, csca: CountrySigningCA, now: dt.datetime, tmp_path: Path
) -> None:
    path = tmp_path / "trust" / "csca.pem"
    path.parent.mkdir()
    TrustList([csca.certificate]).dump_file(path)
    assert path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert verify_passive(genuine_read, TrustList.load_file(path), at=now).ok
    with pytest.raises(PkiError):
        TrustList.load_file(tmp_path / "absent.pem")


@pytest.mark.parametrize("kind", list(Forgery))
def test_every_forgery_fails_for_its_own_reason(
    kind: Forgery,
    genuine_aa: ChipImage,
    access_key: MrzKey,
    kit: AttackerKit,
    trust: TrustList,
    now: dt.datetime,
) -> None:
    forged = forge(kind, genuine_aa, access_key, kit, now=now)
    result, read = read_and_verify(VirtualChip(forged.image).transceive, forged.access_key, trust, at=now)
    assert not result.ok
    assert result.reason is EXPECTED_REASON[kind] is forged.expected_reason
    assert result.reasons == (forged.expected_reason,)  # no other check fails (printed MRZ not given)
    assert (read is None) == (kind is Forgery.WRONG_ACCESS_KEY)


@pytest.mark.parametrize(
    ("kind", "check", "groups"),
    [(Forgery.PORTRAIT_SWAP, "dg_hashes", (2,)), (Forgery.DG1_EDITED, "dg_hashes", (1,)),
     (Forgery.INJECTED_DATA_GROUP, "dg_coverage", (11,))],
)  # fmt: skip
def test_data_group_failures_name_the_group(
    kind: Forgery, check: str, groups: tuple[int, ...], genuine: ChipImage, access_key: MrzKey,
    kit: AttackerKit, trust: TrustList, now: dt.datetime,
) -> None:  # fmt: skip
    forged = forge(kind, genuine, access_key, kit, now=now)
    result, _ = read_and_verify(VirtualChip(forged.image).transceive, access_key, trust, at=now)
    failed = result.check(check)
    assert failed is not None and not failed.passed and failed.data_groups == groups
    assert f"DG{groups[0]}" in failed.detail


def test_edited_dg1_also_contradicts_the_printed_mrz(
    genuine: ChipImage, access_key: MrzKey, kit: AttackerKit, trust: TrustList, now: dt.datetime
) -> None:
    forged = forge(Forgery.DG1_EDITED, genuine, access_key, kit, now=now)
    link = VirtualChip(forged.image).transceive
    result, _ = read_and_verify(link, access_key, trust, at=now, printed_mrz=TD3)
    assert result.reasons == (Reason.DG_HASH_MISMATCH, Reason.CHIP_PRINT_MISMATCH)


def test_genuine_chip_with_another_printed_mrz_is_a_chip_print_mismatch(
    genuine_read: ChipRead, trust: TrustList, now: dt.datetime
) -> None:
    printed = [TD3[0].replace("ERIKSSON", "ERIKSSEN"), TD3[1]]
    result = verify_passive(genuine_read, trust, at=now, printed_mrz=printed)
    assert result.reasons == (Reason.CHIP_PRINT_MISMATCH,)


def test_untrusted_when_the_trust_list_lacks_the_csca(genuine_read: ChipRead, now: dt.datetime) -> None:
    other = create_csca("UTO", not_before=now - dt.timedelta(days=10))
    result = verify_passive(genuine_read, TrustList([other.certificate]), at=now)
    assert result.reasons == (Reason.UNTRUSTED_SIGNER,)
    assert verify_passive(genuine_read, TrustList(), at=now).reason is Reason.UNTRUSTED_SIGNER


def test_check_time_drives_signer_validity(
    genuine_read: ChipRead, trust: TrustList, dsc: DocumentSigner, csca: CountrySigningCA
) -> None:
    before = dsc.certificate.not_valid_before_utc - dt.timedelta(seconds=1)
    assert verify_passive(genuine_read, trust, at=before).reasons == (Reason.SIGNER_NOT_YET_VALID,)
    after = dsc.certificate.not_valid_after_utc + dt.timedelta(seconds=1)
    result = verify_passive(genuine_read, trust, at=after)
    assert result.reasons == (Reason.SIGNER_EXPIRED,)
    assert (result.check("signer_validity") or pytest.fail("missing")).detail.startswith("DSC")
    edge = dsc.certificate.not_valid_after_utc
    assert verify_passive(genuine_read, trust, at=edge).ok
    with pytest.raises(PkiError):
        verify_passive(genuine_read, trust, at=edge.replace(tzinfo=None))


def test_expired_csca_is_reported(now: dt.datetime, portrait: bytes) -> None:
    root = create_csca("UTO", not_before=now - dt.timedelta(days=100), validity=dt.timedelta(days=50))
    signer = issue_document_signer(
        root, not_before=now - dt.timedelta(days=90), validity=dt.timedelta(days=400)
    )
    image = issue_chip(TD3, portrait, signer, signed_at=now - dt.timedelta(days=80))
    read = read_chip(VirtualChip(image).transceive, MrzKey.from_mrz_lines(TD3))
    result = verify_passive(read, TrustList([root.certificate]), at=now)
    assert result.reasons == (Reason.SIGNER_EXPIRED,)
    assert (result.check("signer_validity") or pytest.fail("missing")).detail.startswith("CSCA")


def test_rsa_issuer_verifies(now: dt.datetime, portrait: bytes) -> None:
    root = create_csca("UTO", not_before=now - dt.timedelta(days=10), key_type="rsa")
    signer = issue_document_signer(root, not_before=now - dt.timedelta(days=5), key_type="rsa")
    image = issue_chip(TD3, portrait, signer, signed_at=now)
    read = read_chip(VirtualChip(image).transceive, MrzKey.from_mrz_lines(TD3))
    assert verify_passive(read, TrustList([root.certificate]), at=now, printed_mrz=TD3).ok


def test_structural_failures(genuine_read: ChipRead, trust: TrustList, now: dt.datetime) -> None:
    broken = replace(genuine_read, ef_sod=genuine_read.ef_sod[:-10])
    result = verify_passive(broken, trust, at=now)
    assert result.reasons == (Reason.SOD_MALFORMED,) and [c.name for c in result.checks] == ["sod_structure"]

    no_face = replace(genuine_read, data_groups={1: genuine_read.data_groups[1]})
    result = verify_passive(no_face, trust, at=now)
    assert result.reasons == (Reason.DG_MISSING,)
    assert (result.check("lds_structure") or pytest.fail("missing")).data_groups == (2,)


def test_injected_group_is_caught_even_when_only_the_file_is_read(
    genuine: ChipImage, genuine_read: ChipRead, trust: TrustList, now: dt.datetime
) -> None:
    image = inject_data_group(genuine, 11, build_dg11("MALLORY<<EVE"))
    groups = {**genuine_read.data_groups, 11: image.data_groups()[11]}
    result = verify_passive(replace(genuine_read, data_groups=groups), trust, at=now)
    assert result.reasons == (Reason.DG_NOT_IN_SOD,)


def test_bac_failure_result(genuine: ChipImage, trust: TrustList, now: dt.datetime) -> None:
    result, read = read_and_verify(
        VirtualChip(genuine).transceive, MrzKey("X00000000", "740812", "120415"), trust, at=now
    )
    assert read is None and result.reasons == (Reason.BAC_FAILED,)
    assert [check.name for check in result.checks] == ["bac"]


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_is_reported_not_crashed(
    data: st.DataObject, genuine_read: ChipRead, trust: TrustList, now: dt.datetime
) -> None:
    """Whatever byte of DG1, DG2 or EF.SOD changes, the verifier answers with a result; DG edits fail."""
    target = data.draw(st.sampled_from(["DG1.bin", "DG2.bin", "EF.SOD"]))
    files = genuine_read.files()
    content = bytearray(files[target])
    position = data.draw(st.integers(0, len(content) - 1))
    content[position] ^= data.draw(st.integers(1, 255))
    result = verify_passive(ChipRead.from_files({**files, target: bytes(content)}), trust, at=now)
    assert all(isinstance(check.passed, bool) for check in result.checks)
    if target != "EF.SOD":
        assert not result.ok
