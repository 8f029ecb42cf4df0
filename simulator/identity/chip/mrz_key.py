"""The BAC "MRZ information": document number, date of birth and date of expiry, each with its check digit.

The reader recomputes the check digits itself (with the MRZ module's `check_digit`) rather than trusting
the printed ones, so a key typed by hand and a key taken from printed MRZ lines derive the same seed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.identity.chip.errors import MrzKeyError
from simulator.identity.mrz import check_digit

_MRZ_CHARS = re.compile(r"[A-Z0-9<]*")
_DATE = re.compile(r"[0-9<]{6}")
_SHORT_NUMBER = 9


@dataclass(frozen=True)
class MrzKey:
    """Access-key fields of a document: number (without filler), birth and expiry dates as YYMMDD."""

    document_number: str
    date_of_birth: str
    date_of_expiry: str

    def __post_init__(self) -> None:
        if not self.document_number or not _MRZ_CHARS.fullmatch(self.document_number):
            raise MrzKeyError(f"document number {self.document_number!r} is not made of MRZ characters")
        for name in ("date_of_birth", "date_of_expiry"):
            if not _DATE.fullmatch(getattr(self, name)):
                raise MrzKeyError(f"{name} {getattr(self, name)!r} is not a YYMMDD date")

    def information(self) -> str:
        """Number (padded to nine with '<', or in full when longer) + cd + birth + cd + expiry + cd."""
        number = self.document_number.ljust(_SHORT_NUMBER, "<")
        return (
            number
            + check_digit(number)
            + self.date_of_birth
            + check_digit(self.date_of_birth)
            + self.date_of_expiry
            + check_digit(self.date_of_expiry)
        )

    @classmethod
    def from_mrz_lines(cls, lines: Sequence[str]) -> MrzKey:
        """Take the key fields from TD1 (3x30), TD2 (2x36) or TD3 (2x44) lines, long numbers included."""
        lines = [line.strip() for line in lines]
        shape = (len(lines), *(len(line) for line in lines))
        for line in lines:
            if not _MRZ_CHARS.fullmatch(line):
                raise MrzKeyError(f"MRZ line {line!r} holds characters outside A-Z, 0-9 and '<'")
        if shape == (3, 30, 30, 30):
            number = _full_number(lines[0][5:14], lines[0][14], lines[0][15:30])
            return cls(number, lines[1][0:6], lines[1][8:14])
        if shape in ((2, 36, 36), (2, 44, 44)):
            second = lines[1]
            optional = second[28:35] if shape[1] == 36 else second[28:42]
            number = _full_number(second[0:9], second[9], optional)
            return cls(number, second[13:19], second[21:27])
        raise MrzKeyError(f"MRZ of {len(lines)} lines of lengths {shape[1:]} is not TD1, TD2 or TD3")


def _full_number(field: str, check: str, optional: str) -> str:
    """The document number; a '<' in the check position means it continues in the optional data."""
    if check != "<":
        number = field.rstrip("<")
    else:
        extension = optional.split("<", 1)[0]
        if len(extension) < 2:
            raise MrzKeyError("long document number announced but the optional data does not continue it")
        number = field + extension[:-1]
    if not number:
        raise MrzKeyError("document number is empty")
    return number
