"""Per-check validators of an investigation, each computed from the evidence with a score and threshold.

Scores run 0..100 and a validator passes when ``score >= threshold`` (ZenID's ``Score``/``AcceptScore``).
Yes/no checks score 100 or 0 against a threshold of 100; measured ones (OCR confidence, pattern
correlation) report the measurement so a report can show how close a page came. Each validator is
listed only when its evidence was uploaded (no chip, no chip validators). Codes are stable integers
for clients that key on them; names and reasons are the contract's (see the package docstring).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.identity.chip.errors import ChipError
from simulator.identity.chip.lds import portrait_from_dg2
from simulator.identity.chip.pki import TrustList
from simulator.identity.chip.reader import ChipRead
from simulator.identity.chip.verifier import PassiveAuthResult, verify_passive
from simulator.identity.faces.errors import FaceError
from simulator.identity.faces.matcher import DEFAULT_THRESHOLD, FaceMatcher, FaceTemplate
from simulator.identity.mrz import MrzFormat, MrzResult, transliterate

from .chipdata import dg1_lines
from .extraction import parse_lines
from .pages import front_mismatches, quality_ratio

CHIP = "chip"
FORMAT_FAILURES = (
    "line_count",
    "line_length",
    "invalid_character",
    "invalid_document_code",
    "invalid_issuing_state",
    "invalid_nationality",
    "invalid_sex",
)
DATE_FAILURES = ("invalid_birth_date", "invalid_expiry_date", "birth_date_in_future")
CHECK_DIGITS = (
    "document_number_check_digit",
    "birth_date_check_digit",
    "expiry_date_check_digit",
    "optional_data_check_digit",
    "composite_check_digit",
)
_CODES = {
    "document_complete": 1,
    "page_classification": 2,
    "image_quality": 3,
    "mrz_found": 4,
    "mrz_format": 5,
    "mrz_document_number_check_digit": 6,
    "mrz_birth_date_check_digit": 7,
    "mrz_expiry_date_check_digit": 8,
    "mrz_optional_data_check_digit": 9,
    "mrz_composite_check_digit": 10,
    "mrz_dates_valid": 11,
    "not_expired": 12,
    "printed_vs_mrz": 13,
    "portrait_present": 14,
    "security_pattern": 15,
    "portrait_integrity": 16,
    "data_matches_expected": 17,
    "chip_passive_authentication": 18,
    "chip_active_authentication": 19,
    "chip_vs_document": 20,
    "chip_portrait_match": 21,
}
#: Checks of ``verify_passive`` reported under their own validators, not under passive authentication.
_NOT_PA = ("active_authentication", "chip_print")
IMAGE_QUALITY_THRESHOLD = 45
PATTERN_THRESHOLD = 30
PORTRAIT_PATTERN_THRESHOLD = 25
_MATCHER = FaceMatcher()
PORTRAIT_MATCH_THRESHOLD = round(100 * DEFAULT_THRESHOLD)


@dataclass(frozen=True)
class Validator:
    name: str
    score: int
    threshold: int
    reason: str | None
    message: str
    page_ids: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.score >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": _CODES[self.name],
            "score": self.score,
            "threshold": self.threshold,
            "passed": self.passed,
            "reason": None if self.passed else self.reason,
            "message": self.message,
            "pageIds": list(self.page_ids),
        }


def _yes_no(name: str, failed: Iterable[str], reason: str, ok_message: str, bad_message: str) -> Validator:
    ids = tuple(dict.fromkeys(failed))
    if ids:
        return Validator(name, 0, 100, reason, bad_message, ids)
    return Validator(name, 100, 100, None, ok_message)


@dataclass
class Evidence:
    """Everything a verdict is computed from, decoded once."""

    pages: list[dict[str, Any]]
    chip: ChipRead | None
    expected: dict[str, Any] | None
    at: dt.datetime
    trust: TrustList
    chip_challenge: bytes | None = None
    mrz_sources: list[tuple[str, MrzResult]] = field(default_factory=list)
    passive: PassiveAuthResult | None = None

    @property
    def today(self) -> dt.date:
        return self.at.date()


def _mrz_sources(ev: Evidence) -> list[tuple[str, MrzResult]]:
    sources: list[tuple[str, MrzResult]] = []
    if ev.chip is not None:
        lines = dg1_lines(ev.chip)
        if lines:
            sources.append((CHIP, parse_lines(lines, ev.today)))  # type: ignore[arg-type]
    for page in ev.pages:
        mrz = parse_lines(page.get("mrzLines") or [], ev.today)
        if mrz is not None:
            sources.append((page["pageId"], mrz))
    return sources


def _expects_mrz(page: dict[str, Any]) -> bool:
    detected = page.get("detected") or {}
    return (detected.get("side") or page["side"]) in ("BACK", "DATA_PAGE")


def document_complete(ev: Evidence) -> Validator:
    have: dict[str, set[str]] = {}
    for page in ev.pages:
        have.setdefault(page["documentType"], set()).add(page["side"])
    required = {"ID_CARD": ("FRONT", "BACK"), "PASSPORT": ("DATA_PAGE",)}
    missing = [
        f"{kind} {side}" for kind, sides in have.items() for side in required[kind] if side not in sides
    ]
    if missing:
        return Validator("document_complete", 0, 100, "missing_page", f"missing: {', '.join(missing)}")
    what = ", ".join(sorted(have)) + (" and chip" if ev.chip is not None and have else "")
    return Validator("document_complete", 100, 100, None, f"complete: {what or 'chip'}")


def page_validators(ev: Evidence) -> list[Validator]:
    if not ev.pages:
        return []
    unreadable = [p["pageId"] for p in ev.pages if p["status"] != "READ"]
    mismatched = [p["pageId"] for p in ev.pages if "page_type_mismatch" in p["issues"]]
    if unreadable:
        classification = Validator(
            "page_classification",
            0,
            100,
            "document_not_found",
            "no document page found in the image",
            tuple(unreadable),
        )
    else:
        classification = _yes_no(
            "page_classification",
            mismatched,
            "page_type_mismatch",
            "every page shows what it was declared as",
            "a page shows another document side than declared",
        )
    ratios = [(p["pageId"], quality_ratio(p)) for p in ev.pages if p["status"] == "READ"]
    measured = [(pid, r) for pid, r in ratios if r is not None]
    if measured:
        worst_id, worst = min(measured, key=lambda item: item[1])
        score = max(0, min(100, round(worst * IMAGE_QUALITY_THRESHOLD)))
        page = next(p for p in ev.pages if p["pageId"] == worst_id)
        reason = "mrz_unreadable" if "mrz_unreadable" in page["issues"] else "fields_unreadable"
        quality = Validator(
            "image_quality",
            score,
            IMAGE_QUALITY_THRESHOLD,
            reason,
            f"lowest OCR confidence {worst:.2f} of the reader's floor",
            (worst_id,),
        )
    else:
        quality = Validator(
            "image_quality",
            0,
            IMAGE_QUALITY_THRESHOLD,
            "fields_unreadable",
            "no text could be read",
            tuple(unreadable),
        )
    return [classification, quality]


def mrz_validators(ev: Evidence) -> list[Validator]:
    sources = ev.mrz_sources
    missing = [p["pageId"] for p in ev.pages if _expects_mrz(p) and not p.get("mrzLines")]
    if ev.chip is not None and dg1_lines(ev.chip) is None:
        missing.append(CHIP)
    if not sources:
        return [Validator("mrz_found", 0, 100, "mrz_not_found", "no MRZ on any page or chip", tuple(missing))]
    out = [_yes_no("mrz_found", missing, "mrz_not_found", f"{len(sources)} MRZ read", "an MRZ was not found")]
    parsed = [(sid, mrz) for sid, mrz in sources]
    bad_format = [(sid, f) for sid, mrz in parsed for f in mrz.failures if f in FORMAT_FAILURES]
    out.append(_first_failure("mrz_format", bad_format, "MRZ layout, alphabet and codes are valid"))
    usable = [(sid, mrz) for sid, mrz in parsed if mrz.fields is not None]
    td3 = any(mrz.format is MrzFormat.TD3 for _, mrz in usable)
    for check in CHECK_DIGITS:
        if check == "optional_data_check_digit" and not td3:
            continue
        failed = [sid for sid, mrz in usable if check in mrz.failures]
        out.append(_yes_no(f"mrz_{check}", failed, check, "check digit holds", f"{check} does not hold"))
    bad_dates = [(sid, f) for sid, mrz in usable for f in mrz.failures if f in DATE_FAILURES]
    out.append(_first_failure("mrz_dates_valid", bad_dates, "dates are calendar dates, birth in the past"))
    expired = [sid for sid, mrz in usable if "expired" in mrz.failures]
    expiries = sorted(
        {
            mrz.fields.expiry_date.isoformat()
            for _, mrz in usable
            if mrz.fields is not None and mrz.fields.expiry_date is not None
        }
    )
    out.append(
        _yes_no(
            "not_expired",
            expired,
            "expired",
            f"valid on {ev.today} (expires {', '.join(expiries)})",
            f"expired before {ev.today} (expiry {', '.join(expiries)})",
        )
    )
    return out


def _first_failure(name: str, failures: Sequence[tuple[str, str]], ok: str) -> Validator:
    if not failures:
        return Validator(name, 100, 100, None, ok)
    reasons = ", ".join(dict.fromkeys(f for _, f in failures))
    return Validator(name, 0, 100, failures[0][1], reasons, tuple(dict.fromkeys(s for s, _ in failures)))


def printed_vs_mrz(ev: Evidence) -> Validator | None:
    checked, failed, fields = False, [], []
    for page in ev.pages:
        if (
            page["status"] == "READ"
            and page.get("mrzLines")
            and (page.get("detected") or {}).get("documentType") == "PASSPORT"
        ):
            checked = True
            if page["vizMismatches"]:
                failed.append(page["pageId"])
                fields.extend(page["vizMismatches"])
    fronts = [p for p in ev.pages if p.get("frontReadings")]
    backs = [
        (p["pageId"], parse_lines(p["mrzLines"], ev.today))
        for p in ev.pages
        if (p.get("detected") or {}).get("side") == "BACK" and p.get("mrzLines")
    ]
    for front in fronts:
        for back_id, mrz in backs:
            checked = True
            wrong = front_mismatches(front, mrz) if mrz is not None else ("mrz",)
            if wrong:
                failed.extend([front["pageId"], back_id])
                fields.extend(wrong)
    if not checked:
        return None
    names = ", ".join(dict.fromkeys(fields))
    return _yes_no(
        "printed_vs_mrz",
        failed,
        "viz_mrz_mismatch",
        "printed fields agree with the MRZ",
        f"printed fields differ from the MRZ: {names}",
    )


def _template(jpeg: bytes | None) -> FaceTemplate | None:
    if jpeg is None:
        return None
    try:
        return _MATCHER.extract(jpeg)
    except (FaceError, ValueError, OSError):
        return None


def chip_portrait(chip: ChipRead | None) -> bytes | None:
    """The DG2 image, when DG2 is there and parses."""
    if chip is None or chip.dg2 is None:
        return None
    try:
        return portrait_from_dg2(chip.dg2)
    except ChipError:
        return None


def portrait_validators(ev: Evidence) -> list[Validator]:
    out: list[Validator] = []
    holders = [
        p
        for p in ev.pages
        if (p.get("detected") or {}).get("side") in ("FRONT", "DATA_PAGE")
        or (p["status"] != "READ" and p["side"] in ("FRONT", "DATA_PAGE"))
    ]
    faces = {
        p["pageId"]: _template(base64.b64decode(p["portrait"]) if p.get("portrait") else None)
        for p in holders
    }
    if ev.chip is not None:
        faces[CHIP] = _template(chip_portrait(ev.chip))
    if faces:
        missing = [source for source, face in faces.items() if face is None]
        out.append(
            _yes_no(
                "portrait_present",
                missing,
                "portrait_missing",
                "a face portrait is present",
                "no face portrait found",
            )
        )
    out.extend(_chip_portrait_match(faces))
    patterned = [p for p in ev.pages if p["status"] == "READ"]
    if patterned:
        scores = [(p["pageId"], (p.get("pattern") or {}).get("minTile", 0.0)) for p in patterned]
        worst_id, worst = min(scores, key=lambda item: item[1])
        out.append(
            Validator(
                "security_pattern",
                max(0, round(worst * 100)),
                PATTERN_THRESHOLD,
                "pattern_mismatch",
                f"lowest tile correlation {worst:.2f}",
                (worst_id,),
            )
        )
    framed = [
        (p["pageId"], p["pattern"]["portrait"])
        for p in patterned
        if p.get("pattern") and p["pattern"].get("portrait") is not None
    ]
    if framed:
        worst_id, worst = min(framed, key=lambda item: item[1])
        out.append(
            Validator(
                "portrait_integrity",
                max(0, round(worst * 100)),
                PORTRAIT_PATTERN_THRESHOLD,
                "portrait_pattern_mismatch",
                f"pattern over the portrait correlates {worst:.2f}",
                (worst_id,),
            )
        )
    return out


def _chip_portrait_match(faces: dict[str, FaceTemplate | None]) -> list[Validator]:
    """The printed portrait must show the face in DG2 (a photo swapped on the page fails here)."""
    chip_face = faces.get(CHIP)
    printed = [(source, face) for source, face in faces.items() if source != CHIP and face is not None]
    if chip_face is None or not printed:
        return []
    scored = [(source, _MATCHER.compare_templates(face, chip_face).score) for source, face in printed]
    worst_id, worst = min(scored, key=lambda item: item[1])
    return [
        Validator(
            "chip_portrait_match",
            max(0, round(worst * 100)),
            PORTRAIT_MATCH_THRESHOLD,
            "chip_portrait_mismatch",
            f"printed portrait vs DG2 face similarity {worst:.2f}",
            (worst_id, CHIP),
        )
    ]


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
    return _yes_no(
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


def chip_validators(ev: Evidence) -> list[Validator]:
    if ev.chip is None or ev.passive is None:
        return []
    result = ev.passive
    pa_checks = [c for c in result.checks if c.name not in _NOT_PA]
    failed = [c for c in pa_checks if not c.passed]
    if failed:
        first = failed[0]
        pa = Validator(
            "chip_passive_authentication",
            0,
            100,
            first.reason.value if first.reason else "pa_failed",
            "; ".join(f"{c.name}: {c.detail}" for c in failed),
            (CHIP,),
        )
    else:
        pa = Validator(
            "chip_passive_authentication", 100, 100, None, "; ".join(c.name for c in pa_checks) + " passed"
        )
    out = [pa]
    aa = result.check("active_authentication")
    if aa is not None:
        challenge_ok = ev.chip_challenge is not None and ev.chip.aa_challenge == ev.chip_challenge
        if aa.passed and not challenge_ok:
            out.append(
                Validator(
                    "chip_active_authentication",
                    0,
                    100,
                    "active_authentication_failed",
                    "the chip signed a challenge this investigation did not issue",
                    (CHIP,),
                )
            )
        else:
            out.append(
                Validator(
                    "chip_active_authentication",
                    100 if aa.passed else 0,
                    100,
                    "active_authentication_failed",
                    aa.detail,
                    () if aa.passed else (CHIP,),
                )
            )
    printed = result.check("chip_print")
    if printed is not None:
        out.append(
            Validator(
                "chip_vs_document",
                100 if printed.passed else 0,
                100,
                "chip_print_mismatch",
                printed.detail,
                () if printed.passed else (CHIP,),
            )
        )
    return out


def printed_mrz_for_chip(ev: Evidence) -> list[str] | None:
    """The printed MRZ the chip's DG1 must equal: a page MRZ of the chip's own format."""
    if ev.chip is None:
        return None
    lines = dg1_lines(ev.chip)
    if not lines:
        return None
    for page in ev.pages:
        page_lines = page.get("mrzLines") or []
        if len(page_lines) == len(lines) and all(
            len(a) == len(b) for a, b in zip(page_lines, lines, strict=True)
        ):
            return list(page_lines)
    return None


def run_validators(ev: Evidence) -> list[Validator]:
    """Every validator the evidence allows, in contract order."""
    ev.mrz_sources = _mrz_sources(ev)
    if ev.chip is not None:
        ev.passive = verify_passive(ev.chip, ev.trust, at=ev.at, printed_mrz=printed_mrz_for_chip(ev))
    out = [document_complete(ev), *page_validators(ev), *mrz_validators(ev)]
    for optional in (printed_vs_mrz(ev),):
        if optional is not None:
            out.append(optional)
    out.extend(portrait_validators(ev))
    expected = data_matches_expected(ev)
    if expected is not None:
        out.append(expected)
    out.extend(chip_validators(ev))
    return out
