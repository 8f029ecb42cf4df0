"""How many SMS segments a body needs: GSM-7 (160 / 153 septets) or UCS-2 (70 / 67 code units).

A body is GSM-7 when every character is in the GSM 03.38 basic set or its extension table (extension
characters cost two septets, the escape plus the character).  Anything else forces UCS-2 for the
whole message, counted in UTF-16 code units (an emoji costs two).  Concatenated messages lose room
to the user data header, hence 153 and 67 per segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["SegmentInfo", "count_segments"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
CONCATENATED = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class SegmentInfo:
    """The encoding chosen for a body, its length in that encoding's units and its segment count."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int


def _gsm7_septets(body: str) -> int | None:
    septets = 0
    for char in body:
        if char in GSM7_BASIC:
            septets += 1
        elif char in GSM7_EXTENSION:
            septets += 2
        else:
            return None
    return septets


def count_segments(body: str) -> SegmentInfo:
    """Encoding and segment count of ``body`` (an empty body still occupies one segment)."""
    septets = _gsm7_septets(body)
    if septets is not None:
        encoding: Literal["GSM-7", "UCS-2"] = "GSM-7"
        units = septets
    else:
        encoding = "UCS-2"
        units = len(body.encode("utf-16-be")) // 2
    if units <= SINGLE[encoding]:
        return SegmentInfo(encoding, units, 1)
    per = CONCATENATED[encoding]
    return SegmentInfo(encoding, units, -(-units // per))
