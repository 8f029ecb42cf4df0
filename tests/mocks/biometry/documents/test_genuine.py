"""Genuine evidence passes over HTTP: ID card front and back, passport page, chip with passive auth."""

from __future__ import annotations

import base64

from simulator.identity.chip.lds import portrait_from_dg2
from simulator.identity.documents.layout import DocumentKind

from .conftest import DocApi, Evidence, failed, read_files, validators


def test_genuine_id_card_front_and_back_is_accepted(api: DocApi, evidence: Evidence) -> None:
    inv = api.create(
        customerId="client-1", expected=evidence.expected(documentNumber=evidence.person.id_card_number)
    )
    front = api.page(inv, "ID_CARD", "FRONT", evidence.photos[DocumentKind.ID_FRONT])
    assert front.status_code == 201, front.text
    assert front.json()["detected"] == {"documentType": "ID_CARD", "side": "FRONT"}
    assert front.json()["portraitFound"] is True
    back = api.page(inv, "ID_CARD", "BACK", evidence.photos[DocumentKind.ID_BACK])
    assert back.json()["extractedData"]["documentNumber"] == evidence.person.id_card_number
    result = api.result(inv)
    assert failed(result) == {}
    assert result["verdict"] == "ACCEPTED" and result["forced"] is False and result["rejectReason"] is None
    names = set(validators(result))
    assert {
        "document_complete",
        "mrz_found",
        "mrz_composite_check_digit",
        "not_expired",
        "printed_vs_mrz",
        "portrait_present",
        "security_pattern",
        "portrait_integrity",
        "data_matches_expected",
    } <= names
    assert not any(name.startswith("chip_") for name in names)
    data = result["extractedData"]
    assert data["source"] == "MRZ" and data["documentType"] == "ID_CARD"
    assert data["surname"] == evidence.person.family_name.upper()
    assert data["birthDate"] == evidence.person.date_of_birth.isoformat()
    assert result["portrait"] == {"available": True, "source": "DOCUMENT"}
    portrait = api.portrait(inv)
    assert portrait.status_code == 200 and portrait.json()["source"] == "DOCUMENT"
    assert base64.b64decode(portrait.json()["data"]).startswith(b"\xff\xd8")


def test_genuine_passport_page_is_accepted(api: DocApi, evidence: Evidence) -> None:
    inv = api.create(expected=evidence.expected(documentNumber=evidence.person.passport_number))
    assert api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT]).status_code == 201
    result = api.result(inv)
    assert failed(result) == {}
    assert "mrz_optional_data_check_digit" in validators(result)
    assert result["extractedData"]["documentType"] == "PASSPORT"
    assert result["extractedData"]["documentNumber"] == evidence.person.passport_number


def test_chip_with_valid_passive_authentication_gives_the_dg2_portrait(
    api: DocApi, evidence: Evidence
) -> None:
    inv = api.create(expected=evidence.expected())
    assert api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT]).status_code == 201
    chip = api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    assert chip.status_code == 200, chip.text
    assert chip.json()["chip"]["mrz"] == list(evidence.passport_lines)
    result = api.result(inv)
    assert failed(result) == {}
    checks = validators(result)
    assert checks["chip_passive_authentication"]["passed"] and checks["chip_vs_document"]["passed"]
    assert checks["chip_portrait_match"]["score"] >= checks["chip_portrait_match"]["threshold"] == 55
    assert result["extractedData"]["source"] == "CHIP"
    assert result["portrait"] == {"available": True, "source": "CHIP_DG2"}
    portrait = api.portrait(inv).json()
    assert portrait["source"] == "CHIP_DG2"
    assert base64.b64decode(portrait["data"]) == portrait_from_dg2(evidence.chip.data_group(2) or b"")


def test_chip_alone_is_enough(api: DocApi, evidence: Evidence) -> None:
    inv = api.create(expected=evidence.expected())
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    result = api.result(inv)
    assert failed(result) == {}
    assert validators(result)["document_complete"]["message"] == "complete: chip"
    assert "security_pattern" not in validators(result)
    assert result["portrait"]["source"] == "CHIP_DG2"
