"""Machine Readable Zone (ICAO Doc 9303 Parts 3–5): check digits, and later generation and parsing."""

from __future__ import annotations

_WEIGHTS = (7, 3, 1)


def char_value(char: str) -> int:
    """Numeric value of one MRZ character: digits as themselves, A–Z as 10–35, the filler '<' as 0."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"not an MRZ character: {char!r}")


def check_digit(field: str) -> str:
    """Doc 9303 Part 3 §4.9 check digit: weights 7, 3, 1 repeating, sum modulo 10."""
    total = sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field))
    return str(total % 10)
