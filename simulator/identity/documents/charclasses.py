"""Which characters each printed position may hold — the field-type knowledge the OCR uses for repair.

Doc 9303 fixes the type of every MRZ position (dates and check digits are numeric, state codes and
names alphabetic); the visual zone's fields are typed by the layout. Restricting each cell's candidate
templates accordingly is the "field-type repair" production MRZ readers apply after OCR, moved before
the decision so that a numeric position can only ever be read as a digit.
"""

from __future__ import annotations

from simulator.identity.mrz import MrzFormat

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
ALNUM = LETTERS + DIGITS
F = "<"


def _spec(*parts: tuple[int, str]) -> list[str]:
    out: list[str] = []
    for count, chars in parts:
        out.extend([chars] * count)
    return out


MRZ_CLASSES: dict[MrzFormat, tuple[list[str], ...]] = {
    MrzFormat.TD1: (
        _spec((2, LETTERS + F), (3, LETTERS + F), (9, ALNUM + F), (1, DIGITS + F), (15, ALNUM + F)),
        _spec(
            (6, DIGITS + F),
            (1, DIGITS),
            (1, "MF<"),
            (6, DIGITS + F),
            (1, DIGITS),
            (3, LETTERS + F),
            (11, ALNUM + F),
            (1, DIGITS),
        ),
        _spec((30, LETTERS + F)),
    ),
    MrzFormat.TD3: (
        _spec((2, LETTERS + F), (3, LETTERS + F), (39, LETTERS + F)),
        _spec(
            (9, ALNUM + F),
            (1, DIGITS),
            (3, LETTERS + F),
            (6, DIGITS + F),
            (1, DIGITS),
            (1, "MF<"),
            (6, DIGITS + F),
            (1, DIGITS),
            (14, ALNUM + F),
            (1, DIGITS + F),
            (1, DIGITS),
        ),
    ),
}

_NAME = LETTERS + "- "
_DATE = _spec((2, DIGITS), (1, "."), (2, DIGITS), (1, "."), (4, DIGITS))

#: Character classes of machine-read visual-zone fields; a space in a class allows a blank cell.
VIZ_CLASSES: dict[str, list[str]] = {
    "issuing_state": _spec((3, LETTERS + " ")),
    "surname": _spec((40, _NAME)),
    "given_names": _spec((40, _NAME)),
    "sex": ["MFX"],
    "nationality": _spec((3, LETTERS + " ")),
    "birth_date": _DATE,
    "expiry_date": _DATE,
    "issue_date": _DATE,
    "document_number": _spec((9, ALNUM + " ")),
    "authority": _spec((40, LETTERS + DIGITS + " -./")),
}


def viz_classes(name: str, max_chars: int) -> list[str]:
    """Classes for the first ``max_chars`` positions of field ``name``."""
    return VIZ_CLASSES[name][:max_chars]
