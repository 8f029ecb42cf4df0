"""What every check shares: the :class:`Validator` result, the :class:`Evidence` it is computed from,
and the stable codes of the contract.

Scores run 0..100 and a validator passes when ``score >= threshold`` (ZenID's ``Score``/``AcceptScore``).
Yes/no checks score 100 or 0 against a threshold of 100; measured ones (OCR confidence, pattern
correlation, face similarity) report the measurement so a report can show how close a page came.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.identity.chip.pki import TrustList
from simulator.identity.chip.reader import ChipRead
from simulator.identity.chip.verifier import PassiveAuthResult
from simulator.identity.mrz import MrzResult

#: Source id of the chip in ``pageIds`` (pages use their own ids).
CHIP = "chip"

CODES = {
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
    "documents_same_holder": 22,
}


#: What kind of problem a failing check means (spec: keep "unreadable", "looks forged" and "data
#: invalid" apart - a client asks for a better photo, stops, or tells the user, respectively).
QUALITY, AUTHENTICITY, DATA = "QUALITY", "AUTHENTICITY", "DATA"
CATEGORIES = {
    QUALITY: ("document_complete", "page_classification", "image_quality", "mrz_found", "portrait_present"),
    DATA: (
        "mrz_format",
        "mrz_document_number_check_digit",
        "mrz_birth_date_check_digit",
        "mrz_expiry_date_check_digit",
        "mrz_optional_data_check_digit",
        "mrz_composite_check_digit",
        "mrz_dates_valid",
        "not_expired",
        "data_matches_expected",
        "documents_same_holder",
    ),
    AUTHENTICITY: (
        "printed_vs_mrz",
        "security_pattern",
        "portrait_integrity",
        "chip_passive_authentication",
        "chip_active_authentication",
        "chip_vs_document",
        "chip_portrait_match",
    ),
}
CATEGORY_OF = {name: category for category, names in CATEGORIES.items() for name in names}


@dataclass(frozen=True)
class Validator:
    """One check's outcome as the API reports it."""

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
            "code": CODES[self.name],
            "category": CATEGORY_OF[self.name],
            "score": self.score,
            "threshold": self.threshold,
            "passed": self.passed,
            "reason": None if self.passed else self.reason,
            "message": self.message,
            "pageIds": list(self.page_ids),
        }


def yes_no(name: str, failed: Iterable[str], reason: str, ok_message: str, bad_message: str) -> Validator:
    """A pass/fail check: 0 with ``reason`` naming the failing sources when ``failed`` is not empty."""
    ids = tuple(dict.fromkeys(failed))
    if ids:
        return Validator(name, 0, 100, reason, bad_message, ids)
    return Validator(name, 100, 100, None, ok_message)


def first_failure(name: str, failures: Sequence[tuple[str, str]], ok: str) -> Validator:
    """A pass/fail check over ``(source, failure name)`` pairs; the first failure is the reason."""
    if not failures:
        return Validator(name, 100, 100, None, ok)
    reasons = ", ".join(dict.fromkeys(f for _, f in failures))
    return Validator(name, 0, 100, failures[0][1], reasons, tuple(dict.fromkeys(s for s, _ in failures)))


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
