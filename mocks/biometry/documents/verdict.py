"""From validators to the investigation's result: overall verdict, score, reasons, extracted data and
the trusted portrait; a queued verdict overrides the outcome but never hides what was computed."""

from __future__ import annotations

import base64
from typing import Any

from .checks import CHIP, Evidence, Validator, chip_portrait
from .extraction import EMPTY, from_mrz, from_printed

FORCED_DEFAULT_REASON = "forced_rejection"
VERDICTS = ("ACCEPTED", "REJECTED")


class ForcedVerdictError(ValueError):
    """A queued verdict that is not ``{"verdict": "ACCEPTED"|"REJECTED", "reason"?: str}``."""


def parse_forced(raw: Any) -> tuple[str, str | None]:
    """The verdict and reason of a queued verdict (a bare string is accepted as the verdict)."""
    if isinstance(raw, str):
        raw = {"verdict": raw}
    if not isinstance(raw, dict) or raw.get("verdict") not in VERDICTS:
        raise ForcedVerdictError(
            f"queued document verdict must be {{'verdict': 'ACCEPTED'|'REJECTED'}}, got {raw!r}"
        )
    reason = raw.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ForcedVerdictError("queued verdict reason must be a string")
    return raw["verdict"], reason


def extracted_data(ev: Evidence) -> dict[str, Any]:
    """Chip DG1 first, then the first page MRZ, then printed fields of an ID card front."""
    for sid, mrz in ev.mrz_sources:
        if mrz.fields is not None:
            return from_mrz(mrz, "CHIP" if sid == CHIP else "MRZ")
    for page in ev.pages:
        if page.get("fields") and (page.get("detected") or {}).get("side") == "FRONT":
            return from_printed(page["fields"], "ID_CARD")
    return dict(EMPTY)


def trusted_portrait(ev: Evidence) -> tuple[str, bytes] | None:
    """Chip DG2 when passive authentication passed, else the first portrait cut from a page."""
    if ev.passive is not None and ev.passive.ok:
        dg2 = chip_portrait(ev.chip)
        if dg2 is not None:
            return "CHIP_DG2", dg2
    for page in ev.pages:
        if page.get("portrait"):
            return "DOCUMENT", base64.b64decode(page["portrait"])
    return None


def compose(
    ev: Evidence, validators: list[Validator], forced: Any | None
) -> tuple[dict[str, Any], bytes | None]:
    """The public result and the portrait bytes kept for ``/portrait``."""
    failed = [v for v in validators if not v.passed]
    computed = "REJECTED" if failed else "ACCEPTED"
    reasons = [{"validator": v.name, "reason": v.reason, "message": v.message} for v in failed]
    headline = max(failed, key=lambda v: v.threshold - v.score).reason if failed else None
    verdict = computed
    if forced is not None:
        verdict, forced_reason = parse_forced(forced)
        if verdict == "REJECTED":
            headline = forced_reason or headline or FORCED_DEFAULT_REASON
            if not reasons:
                reasons = [{"validator": "forced", "reason": headline, "message": "verdict queued by a test"}]
        else:
            headline, reasons = None, []
    portrait = trusted_portrait(ev)
    result = {
        "verdict": verdict,
        "forced": forced is not None,
        "computedVerdict": computed,
        "score": min((v.score for v in validators), default=0),
        "rejectReason": headline,
        "rejectReasons": reasons,
        "validators": [v.to_dict() for v in validators],
        "extractedData": extracted_data(ev),
        "portrait": {"available": portrait is not None, "source": portrait[0] if portrait else None},
    }
    return result, portrait[1] if portrait else None
