"""The document's data against the customer's record the investigation was opened with."""

from __future__ import annotations

from simulator.identity.mrz import transliterate

from .base import Evidence, Validator, yes_no


def _name_key(text: str | None) -> str:
    return transliterate(text or "").replace("<", " ")


def data_matches_expected(ev: Evidence) -> Validator | None:
    expected = ev.expected
    if not expected or not any(expected.values()):
        return None
    wrong: list[str] = []
    ids: list[str] = []
    numbers: set[str] = set()
    for sid, mrz in ev.mrz_sources:
        f = mrz.fields
        if f is None:
            continue
        numbers.add(f.document_number)
        checks = {
            "surname": expected.get("surname") is None
            or _surname_ok(expected["surname"], f.primary_identifier, f.name_truncated),
            "givenNames": expected.get("givenNames") is None
            or _given_ok(expected["givenNames"], f.secondary_identifier, f.name_truncated),
            "birthDate": expected.get("birthDate") is None
            or (f.birth_date is not None and f.birth_date.isoformat() == expected["birthDate"]),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            wrong.extend(bad)
            ids.append(sid)
    if not numbers:
        return Validator("data_matches_expected", 0, 100, "data_mismatch", "no document data to compare")
    number = expected.get("documentNumber")
    if number is not None and number.upper().replace(" ", "") not in numbers:
        wrong.append("documentNumber")
        ids.extend(sid for sid, mrz in ev.mrz_sources if mrz.fields is not None)
    return yes_no(
        "data_matches_expected",
        ids,
        "data_mismatch",
        "document data match the customer's record",
        f"document data differ from the customer's record: {', '.join(dict.fromkeys(wrong))}",
    )


def _surname_ok(expected: str, mrz_value: str, truncated: bool) -> bool:
    want, got = _name_key(expected), mrz_value
    return want == got or (truncated and want.startswith(got))


def _given_ok(expected: str, mrz_value: str, truncated: bool) -> bool:
    want, got = _name_key(expected), mrz_value
    return want == got or ((truncated or not got) and want.startswith(got))
