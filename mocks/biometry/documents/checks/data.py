"""The documents' data against the customer's record, and against each other (one holder)."""

from __future__ import annotations

from simulator.identity.mrz import transliterate

from .base import Evidence, Validator, yes_no


def name_key(text: str | None) -> str:
    """A name in the MRZ's form, components separated by spaces (``Müller-Lüdenscheidt`` →
    ``MUELLER LUEDENSCHEIDT``), as ``split_name`` gives them back from the MRZ."""
    return transliterate(text or "").replace("<", " ")


def data_matches_expected(ev: Evidence) -> Validator | None:
    """Surname, given names and birth date on every MRZ (chip and pages) and the document number on one
    of them must be the customer's; ``None`` when the investigation carries no expected data."""
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
            or name_matches(expected["surname"], f.primary_identifier, f.name_truncated),
            "givenNames": expected.get("givenNames") is None
            or name_matches(expected["givenNames"], f.secondary_identifier, f.name_truncated),
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


def name_matches(expected: str, mrz_value: str, truncated: bool) -> bool:
    """Whether a name as the bank holds it (any case, diacritics, hyphens) is the MRZ's name component;
    a truncated MRZ name field (Doc 9303 §4.6) only has to be a prefix of it."""
    want = name_key(expected)
    return want == mrz_value or (truncated and bool(mrz_value) and want.startswith(mrz_value))


def _same_name(a: str, b: str, truncated: bool) -> bool:
    return a == b or (truncated and bool(a) and bool(b) and (a.startswith(b) or b.startswith(a)))


def documents_same_holder(ev: Evidence) -> Validator | None:
    """Every MRZ of the investigation (chip, passport page, ID card back) names one holder: an ID card
    and a passport of two people is a mix-up or a fraud even when no customer record was given.
    ``None`` with fewer than two MRZs."""
    parsed = [(sid, mrz.fields) for sid, mrz in ev.mrz_sources if mrz.fields is not None]
    if len(parsed) < 2:
        return None
    ref_id, ref = parsed[0]
    wrong: list[str] = []
    ids: list[str] = []
    for sid, f in parsed[1:]:
        truncated = ref.name_truncated or f.name_truncated
        checks = {
            "surname": _same_name(ref.primary_identifier, f.primary_identifier, truncated),
            "givenNames": _same_name(ref.secondary_identifier, f.secondary_identifier, truncated),
            "birthDate": ref.birth_date_raw == f.birth_date_raw,
            "sex": ref.sex == f.sex,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            wrong.extend(bad)
            ids.extend((ref_id, sid))
    return yes_no(
        "documents_same_holder",
        ids,
        "holder_mismatch",
        f"all {len(parsed)} MRZs name the same holder",
        f"the documents name different holders: {', '.join(dict.fromkeys(wrong))}",
    )
