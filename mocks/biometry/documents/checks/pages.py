"""Checks on the uploaded pages themselves: the set is complete, each page shows what it was declared
as and could be read, and the printed fields agree with the MRZ."""

from __future__ import annotations

from ..extraction import parse_lines
from ..pages import front_mismatches, quality_ratio
from .base import Evidence, Validator, yes_no

#: A page exactly at the reader's confidence floor scores this; below it a character is a guess.
IMAGE_QUALITY_THRESHOLD = 45


def document_complete(ev: Evidence) -> Validator:
    """Every declared document has all its sides (RX-06: ID card front and back, passport data page);
    a chip alone is complete evidence too."""
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
    """Classification (declared vs detected side) and OCR quality, scored against the reader's floor
    so that 45 means "exactly at the confidence below which a character is a guess"."""
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
        classification = yes_no(
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


def printed_vs_mrz(ev: Evidence) -> Validator | None:
    """Printed fields against the MRZ: on the passport page itself, and an ID card front against the
    MRZ on its back (the pair must belong together); ``None`` when no such pair was uploaded."""
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
    return yes_no(
        "printed_vs_mrz",
        failed,
        "viz_mrz_mismatch",
        "printed fields agree with the MRZ",
        f"printed fields differ from the MRZ: {names}",
    )
