"""Tampered, expired, forged or foreign evidence fails its own validator, over HTTP."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from cryptography.hazmat.primitives import serialization
from PIL import Image

from mocks.biometry.app import create_app
from mocks.biometry.documents.admin_client import DocumentTrustAdmin
from mocks.biometry.documents.trust import seeded_csca
from mocks.framework import AdminClient, AdminError, RunningServer, serve_in_thread
from simulator.identity.chip.forgery import AttackerKit, Forgery, forge
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import create_csca, issue_document_signer
from simulator.identity.documents.capture import capture
from simulator.identity.documents.glyphs import text_mask
from simulator.identity.documents.layout import LAYOUTS, DocumentKind
from simulator.identity.documents.render import RENDER_PX_PER_MM, id_card_data, passport_data, render_person
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td1_lines
from simulator.identity.people import generate_person

from .conftest import DocApi, Evidence, failed, read_files, validators

S = RENDER_PX_PER_MM
ID_PAPER = (226, 236, 240)
PASSPORT_PAPER = (240, 234, 222)


def _px(mm: float) -> int:
    return round(mm * S)


def _photo(page: Image.Image, seed: int) -> bytes:
    return capture(page, random.Random(seed), strength=0.3)


def _reprint(
    page: Image.Image, x_mm: float, y_mm: float, pitch_mm: float, char: str, paper: tuple[int, int, int]
) -> None:
    """Scrape one character cell off the page and print another character in it."""
    x0, y0 = _px(x_mm), _px(y_mm)
    page.paste(paper, (x0, y0 + 2, _px(x_mm + pitch_mm), _px(y_mm + pitch_mm) - 2))
    page.paste((22, 24, 34), (x0, y0), text_mask(char, pitch_mm * S))


def test_edited_mrz_digit_fails_its_check_digits(api: DocApi, evidence: Evidence) -> None:
    page = evidence.pages[DocumentKind.ID_BACK].copy()
    line2 = td1_lines(id_card_data(evidence.person).mrz)[1]
    new = "9" if line2[3] != "9" else "8"  # a digit of the birth date
    f = LAYOUTS[DocumentKind.ID_BACK].mrz_lines[1]
    _reprint(page, f.x + 3 * f.pitch, f.y, f.pitch, new, ID_PAPER)
    inv = api.create()
    api.page(inv, "ID_CARD", "FRONT", evidence.photos[DocumentKind.ID_FRONT])
    api.page(inv, "ID_CARD", "BACK", _photo(page, 21))
    result = api.result(inv)
    bad = failed(result)
    assert bad["mrz_birth_date_check_digit"] == "birth_date_check_digit"
    assert bad["mrz_composite_check_digit"] == "composite_check_digit"
    assert "mrz_document_number_check_digit" not in bad and "mrz_found" not in bad
    assert result["verdict"] == "REJECTED" and result["computedVerdict"] == "REJECTED"
    assert {r["validator"] for r in result["rejectReasons"]} == set(bad)
    assert validators(result)["mrz_composite_check_digit"]["category"] == "DATA"


def test_reprinted_number_on_the_front_disagrees_with_the_back(api: DocApi, evidence: Evidence) -> None:
    page = evidence.pages[DocumentKind.ID_FRONT].copy()
    f = LAYOUTS[DocumentKind.ID_FRONT].field("document_number")
    old = evidence.person.id_card_number[2]
    _reprint(page, f.x + 2 * f.pitch, f.y, f.pitch, "7" if old != "7" else "4", ID_PAPER)
    inv = api.create()
    api.page(inv, "ID_CARD", "FRONT", _photo(page, 22))
    api.page(inv, "ID_CARD", "BACK", evidence.photos[DocumentKind.ID_BACK])
    result = api.result(inv)
    bad = failed(result)
    assert bad["printed_vs_mrz"] == "viz_mrz_mismatch"
    assert "document_number" in validators(result)["printed_vs_mrz"]["message"]
    assert "mrz_composite_check_digit" not in bad  # the MRZ itself is intact


@pytest.fixture(scope="module")
def swapped_portrait_photo(evidence: Evidence) -> bytes:
    """The passport page with another person's printed photo pasted over the portrait."""
    other = generate_person(4711, 4, "cs_CZ")
    donor = render_person(DocumentKind.PASSPORT, other, portrait_jpeg(other.client_number))
    page = evidence.pages[DocumentKind.PASSPORT].copy()
    box = LAYOUTS[DocumentKind.PASSPORT].portrait
    assert box is not None
    area = (_px(box.x), _px(box.y), _px(box.x + box.w), _px(box.y + box.h))
    page.paste(donor.crop(area), area[:2])
    return _photo(page, 23)


def test_swapped_portrait_fails_portrait_integrity(api: DocApi, swapped_portrait_photo: bytes) -> None:
    inv = api.create()
    api.page(inv, "PASSPORT", "DATA_PAGE", swapped_portrait_photo)
    result = api.result(inv)
    assert failed(result) == {"portrait_integrity": "portrait_pattern_mismatch"}
    assert result["rejectReason"] == "portrait_pattern_mismatch"
    assert validators(result)["portrait_integrity"]["category"] == "AUTHENTICITY"


def test_swapped_portrait_does_not_match_the_chip_face(
    api: DocApi, evidence: Evidence, swapped_portrait_photo: bytes
) -> None:
    inv = api.create()
    api.page(inv, "PASSPORT", "DATA_PAGE", swapped_portrait_photo)
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    result = api.result(inv)
    assert failed(result) == {
        "portrait_integrity": "portrait_pattern_mismatch",
        "chip_portrait_match": "chip_portrait_mismatch",
    }
    assert validators(result)["chip_passive_authentication"]["passed"]
    assert result["portrait"]["source"] == "CHIP_DG2"  # the chip's face stays the trusted one


def test_expired_document_fails_not_expired_on_the_virtual_clock(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    expiry = passport_data(evidence.person).mrz.expiry_date
    admin = AdminClient(server.url, session=api.http.headers["X-Sim-Session"])
    admin.set_clock(dt.datetime.combine(expiry + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC))
    inv = api.create()
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    result = api.result(inv)
    assert failed(result) == {"not_expired": "expired"}
    assert f"expiry {expiry.isoformat()}" in validators(result)["not_expired"]["message"]


def test_expiry_is_judged_at_submit_time(api: DocApi, evidence: Evidence, server: RunningServer) -> None:
    """Uploaded the day before expiry, submitted the day after: the submit's virtual date decides."""
    expiry = passport_data(evidence.person).mrz.expiry_date
    admin = AdminClient(server.url, session=api.http.headers["X-Sim-Session"])
    admin.set_clock(dt.datetime.combine(expiry - dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC))
    inv = api.create()
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    admin.advance_clock(2 * 86400)
    assert failed(api.result(inv)) == {"not_expired": "expired"}


def test_data_not_matching_the_customer_fails(api: DocApi, evidence: Evidence) -> None:
    inv = api.create(
        expected=evidence.expected(surname="Nováková", birthDate="1990-01-01", documentNumber="XX0000000")
    )
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    result = api.result(inv)
    assert failed(result) == {"data_matches_expected": "data_mismatch"}
    message = validators(result)["data_matches_expected"]["message"]
    assert "surname" in message and "birthDate" in message and "documentNumber" in message
    assert "givenNames" not in message


def test_expected_names_match_across_case_and_diacritics(api: DocApi, evidence: Evidence) -> None:
    person = evidence.person
    inv = api.create(
        expected={"surname": person.family_name.lower(), "givenNames": person.given_names.upper()}
    )
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    assert validators(api.result(inv))["data_matches_expected"]["passed"]


def test_page_declared_as_another_side_fails_classification(api: DocApi, evidence: Evidence) -> None:
    inv = api.create()
    page = api.page(inv, "ID_CARD", "FRONT", evidence.photos[DocumentKind.ID_BACK]).json()
    assert "page_type_mismatch" in page["issues"]
    assert page["detected"] == {"documentType": "ID_CARD", "side": "BACK"}
    result = api.result(inv)
    bad = failed(result)
    assert bad["page_classification"] == "page_type_mismatch"
    assert bad["document_complete"] == "missing_page"


def test_blank_image_is_unreadable_and_rejected(api: DocApi) -> None:
    import io

    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (128, 128, 128)).save(buf, format="JPEG")
    inv = api.create()
    page = api.page(inv, "PASSPORT", "DATA_PAGE", buf.getvalue()).json()
    assert page["status"] == "UNREADABLE" and "document_not_found" in page["issues"]
    result = api.result(inv)
    bad = failed(result)
    assert bad["page_classification"] == "document_not_found"
    assert bad["mrz_found"] == "mrz_not_found"
    assert {validators(result)[name]["category"] for name in ("page_classification", "mrz_found")} == {
        "QUALITY"
    }


@pytest.fixture(scope="module")
def kit(evidence: Evidence) -> AttackerKit:
    state = passport_data(evidence.person).mrz.issuing_state
    return AttackerKit.create(
        seeded_csca(state), now=dt.datetime.now(dt.UTC), attacker_portrait=portrait_jpeg("mallory")
    )


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (Forgery.PORTRAIT_SWAP, "dg_hash_mismatch"),
        (Forgery.DG1_EDITED, "dg_hash_mismatch"),
        (Forgery.UNTRUSTED_SIGNER, "untrusted_signer"),
        (Forgery.CORRUPT_SIGNATURE, "sod_signature_invalid"),
        (Forgery.EXPIRED_SIGNER, "signer_expired"),
    ],
)
def test_broken_security_object_fails_passive_authentication(
    api: DocApi, evidence: Evidence, kit: AttackerKit, kind: Forgery, reason: str
) -> None:
    forged = forge(
        kind, evidence.chip, MrzKey.from_mrz_lines(evidence.passport_lines), kit, now=dt.datetime.now(dt.UTC)
    )
    inv = api.create()
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    assert api.chip(inv, read_files(forged.image, evidence.passport_lines)).status_code == 200
    result = api.result(inv)
    pa = validators(result)["chip_passive_authentication"]
    assert not pa["passed"] and pa["reason"] == reason
    assert result["verdict"] == "REJECTED"
    # the chip's portrait is not trusted: the document's own portrait is offered instead
    assert result["portrait"]["source"] == "DOCUMENT"


def test_another_csca_is_trusted_once_added_through_the_admin_api(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    now = dt.datetime.now(dt.UTC)
    state = passport_data(evidence.person).mrz.issuing_state
    other_csca = create_csca(state, not_before=now - dt.timedelta(days=10))
    signer = issue_document_signer(other_csca, not_before=now - dt.timedelta(days=5))
    chip = issue_chip(
        evidence.passport_lines, evidence.portrait, signer, signed_at=now - dt.timedelta(days=1)
    )
    files = read_files(chip, evidence.passport_lines)

    def pa_reason() -> str | None:
        inv = api.create()
        api.chip(inv, files)
        return validators(api.result(inv))["chip_passive_authentication"]["reason"]

    assert pa_reason() == "untrusted_signer"
    trust = _trust_admin(api, server)
    listed = trust.add(other_csca.certificate)
    assert sum(not c["seeded"] for c in listed["certificates"]) == 1
    assert pa_reason() is None
    trust.reset()
    assert pa_reason() == "untrusted_signer"


def test_a_revoked_signer_fails_once_the_crl_is_loaded(
    api: DocApi, evidence: Evidence, kit: AttackerKit, server: RunningServer
) -> None:
    key = MrzKey.from_mrz_lines(evidence.passport_lines)
    forged = forge(Forgery.REVOKED_SIGNER, evidence.chip, key, kit, now=dt.datetime.now(dt.UTC))
    files = read_files(forged.image, evidence.passport_lines)

    def pa_reason() -> str | None:
        inv = api.create()
        api.chip(inv, files)
        return validators(api.result(inv))["chip_passive_authentication"]["reason"]

    assert pa_reason() is None  # without the CRL the signer is simply trusted
    crl_pem = kit.revocations.public_bytes(serialization.Encoding.PEM).decode()
    assert _trust_admin(api, server).add(crl_pem)["crls"] == 1
    assert pa_reason() == "signer_revoked"


def test_dropping_the_seeded_list_untrusts_a_genuine_chip(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    trust = _trust_admin(api, server)
    listed = trust.list()
    assert len(listed["certificates"]) >= 10 and all(c["seeded"] for c in listed["certificates"])
    assert trust.replace(include_seeded=False)["certificates"] == []
    inv = api.create()
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    assert failed(api.result(inv))["chip_passive_authentication"] == "untrusted_signer"


def test_trust_admin_refuses_broken_pem(api: DocApi, server: RunningServer) -> None:
    trust = _trust_admin(api, server)
    for pem in ("not a pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"):
        with pytest.raises(AdminError) as info:
            trust.add(pem)
        assert info.value.status == 400 and "trust list refused" in info.value.body["detail"]
    assert all(c["seeded"] for c in trust.list()["certificates"])  # nothing half-added


def test_trust_admin_needs_the_admin_token(evidence: Evidence) -> None:
    with serve_in_thread(create_app({"admin_token": "s3cret-admin-token"})) as guarded:
        with pytest.raises(AdminError) as info:
            DocumentTrustAdmin(AdminClient(guarded.url)).list()
        assert info.value.status == 401
        assert DocumentTrustAdmin(AdminClient(guarded.url, token="s3cret-admin-token")).list()["certificates"]


def _trust_admin(api: DocApi, server: RunningServer) -> DocumentTrustAdmin:
    return DocumentTrustAdmin(AdminClient(server.url, session=api.http.headers["X-Sim-Session"]))


def test_documents_of_two_people_fail_same_holder(api: DocApi, evidence: Evidence) -> None:
    """No customer record given: the ID card of one person and the passport of another still fail."""
    other = generate_person(4711, 4, "cs_CZ")
    passport = _photo(render_person(DocumentKind.PASSPORT, other, portrait_jpeg(other.client_number)), 24)
    inv = api.create()
    api.page(inv, "ID_CARD", "FRONT", evidence.photos[DocumentKind.ID_FRONT])
    api.page(inv, "ID_CARD", "BACK", evidence.photos[DocumentKind.ID_BACK])
    api.page(inv, "PASSPORT", "DATA_PAGE", passport)
    result = api.result(inv)
    assert failed(result) == {"documents_same_holder": "holder_mismatch"}
    holder = validators(result)["documents_same_holder"]
    assert "surname" in holder["message"] and "birthDate" in holder["message"]
    assert holder["category"] == "DATA" and len(holder["pageIds"]) == 2


def test_id_card_and_passport_of_one_person_pass_together(api: DocApi, evidence: Evidence) -> None:
    inv = api.create(expected=evidence.expected(documentNumber=evidence.person.passport_number))
    api.page(inv, "ID_CARD", "FRONT", evidence.photos[DocumentKind.ID_FRONT])
    api.page(inv, "ID_CARD", "BACK", evidence.photos[DocumentKind.ID_BACK])
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    result = api.result(inv)
    assert failed(result) == {}
    assert validators(result)["documents_same_holder"]["message"] == "all 3 MRZs name the same holder"
    assert result["extractedData"]["source"] == "CHIP"
