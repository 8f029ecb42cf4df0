"""Extracted data: the document's fields as the provider reports them (chip DG1 first, then an MRZ
read from a page, then the printed fields of an ID card front)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from simulator.identity.mrz import MrzFormat, MrzResult, parse_mrz

EMPTY: dict[str, Any] = {
    "documentType": None,
    "documentCode": None,
    "issuingState": None,
    "documentNumber": None,
    "surname": None,
    "givenNames": None,
    "nationality": None,
    "birthDate": None,
    "sex": None,
    "expiryDate": None,
    "mrz": [],
    "source": None,
}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def from_mrz(mrz: MrzResult, source: str) -> dict[str, Any]:
    """Fields of a parsed MRZ (``source`` ``CHIP`` or ``MRZ``); empty fields when it did not parse."""
    f = mrz.fields
    if f is None:
        return {**EMPTY, "mrz": list(mrz.lines), "source": source}
    return {
        "documentType": "PASSPORT" if mrz.format is MrzFormat.TD3 else "ID_CARD",
        "documentCode": f.document_code.rstrip("<"),
        "issuingState": f.issuing_state.rstrip("<"),
        "documentNumber": f.document_number,
        "surname": f.primary_identifier,
        "givenNames": f.secondary_identifier,
        "nationality": f.nationality.rstrip("<"),
        "birthDate": _iso(f.birth_date),
        "sex": f.sex,
        "expiryDate": _iso(f.expiry_date),
        "mrz": list(mrz.lines),
        "source": source,
    }


def _viz_date(text: str | None) -> str | None:
    try:
        return datetime.strptime(text or "", "%d.%m.%Y").date().isoformat()
    except ValueError:
        return None


def from_printed(fields: dict[str, str], document_type: str) -> dict[str, Any]:
    """Fields printed on a page without an MRZ (an ID card front), as OCR read them."""
    return {
        **EMPTY,
        "documentType": document_type,
        "issuingState": fields.get("issuing_state"),
        "documentNumber": (fields.get("document_number") or "").replace(" ", "") or None,
        "surname": fields.get("surname"),
        "givenNames": fields.get("given_names"),
        "nationality": fields.get("nationality"),
        "birthDate": _viz_date(fields.get("birth_date")),
        "sex": fields.get("sex"),
        "expiryDate": _viz_date(fields.get("expiry_date")),
        "source": "VIZ",
    }


def parse_lines(lines: Sequence[str], today: date | None = None) -> MrzResult | None:
    """The MRZ of stored lines (``None`` when there are none)."""
    return parse_mrz(list(lines), today) if lines else None


def page_extracted_data(record: dict[str, Any]) -> dict[str, Any]:
    """What one page alone yields."""
    mrz = parse_lines(record.get("mrzLines") or [])
    if mrz is not None:
        return from_mrz(mrz, "MRZ")
    if record.get("fields"):
        detected = record.get("detected") or {}
        return from_printed(record["fields"], detected.get("documentType") or record["documentType"])
    return dict(EMPTY)
