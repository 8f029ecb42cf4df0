"""MRZ checks on every MRZ the evidence holds (chip DG1 and the pages): found, layout, each check
digit, dates, and expiry against the virtual date of the submit."""

from __future__ import annotations

from typing import Any

from simulator.identity.mrz import MrzFormat, MrzResult

from ..chipdata import dg1_lines
from ..extraction import parse_lines
from .base import CHIP, Evidence, Validator, first_failure, yes_no

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


def mrz_sources(ev: Evidence) -> list[tuple[str, MrzResult]]:
    """Every MRZ of the evidence, chip DG1 first, parsed against the submit's virtual date."""
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


def mrz_validators(ev: Evidence) -> list[Validator]:
    """One validator per MRZ check, each failing when any MRZ source fails it (``pageIds`` say which)."""
    sources = ev.mrz_sources
    missing = [p["pageId"] for p in ev.pages if _expects_mrz(p) and not p.get("mrzLines")]
    if ev.chip is not None and dg1_lines(ev.chip) is None:
        missing.append(CHIP)
    if not sources:
        return [Validator("mrz_found", 0, 100, "mrz_not_found", "no MRZ on any page or chip", tuple(missing))]
    out = [yes_no("mrz_found", missing, "mrz_not_found", f"{len(sources)} MRZ read", "an MRZ was not found")]
    parsed = [(sid, mrz) for sid, mrz in sources]
    bad_format = [(sid, f) for sid, mrz in parsed for f in mrz.failures if f in FORMAT_FAILURES]
    out.append(first_failure("mrz_format", bad_format, "MRZ layout, alphabet and codes are valid"))
    usable = [(sid, mrz) for sid, mrz in parsed if mrz.fields is not None]
    td3 = any(mrz.format is MrzFormat.TD3 for _, mrz in usable)
    for check in CHECK_DIGITS:
        if check == "optional_data_check_digit" and not td3:
            continue
        failed = [sid for sid, mrz in usable if check in mrz.failures]
        out.append(yes_no(f"mrz_{check}", failed, check, "check digit holds", f"{check} does not hold"))
    bad_dates = [(sid, f) for sid, mrz in usable for f in mrz.failures if f in DATE_FAILURES]
    out.append(first_failure("mrz_dates_valid", bad_dates, "dates are calendar dates, birth in the past"))
    expired = [sid for sid, mrz in usable if "expired" in mrz.failures]
    expiries = sorted(
        {
            mrz.fields.expiry_date.isoformat()
            for _, mrz in usable
            if mrz.fields is not None and mrz.fields.expiry_date is not None
        }
    )
    out.append(
        yes_no(
            "not_expired",
            expired,
            "expired",
            f"valid on {ev.today} (expires {', '.join(expiries)})",
            f"expired before {ev.today} (expiry {', '.join(expiries)})",
        )
    )
    return out
