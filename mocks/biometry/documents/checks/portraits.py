"""Portrait and pattern checks: a face on every portrait, the data-seeded pattern over the page and
over the printed photo, and the printed face against the chip's DG2 face."""

from __future__ import annotations

import base64

from simulator.identity.chip.errors import ChipError
from simulator.identity.chip.lds import portrait_from_dg2
from simulator.identity.chip.reader import ChipRead
from simulator.identity.documents.reader import PATTERN_TILE_MIN, PORTRAIT_PATTERN_MIN
from simulator.identity.faces.errors import FaceError
from simulator.identity.faces.matcher import DEFAULT_THRESHOLD, FaceMatcher, FaceTemplate

from .base import CHIP, Evidence, Validator, yes_no

#: The reader's own operating points, as scores: a tile or portrait below them does not correlate.
PATTERN_THRESHOLD = round(100 * PATTERN_TILE_MIN)
PORTRAIT_PATTERN_THRESHOLD = round(100 * PORTRAIT_PATTERN_MIN)

_MATCHER = FaceMatcher()
PORTRAIT_MATCH_THRESHOLD = round(100 * DEFAULT_THRESHOLD)


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
    """A findable face on every portrait (printed and DG2), printed vs chip face, and the pattern
    correlations the reader measured over the page and over the printed photo."""
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
            yes_no(
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
