"""Chip checks from the passive-authentication result: PA itself, Active Authentication against the
investigation's own challenge, and DG1 against the printed MRZ."""

from __future__ import annotations

from ..chipdata import dg1_lines
from .base import CHIP, Evidence, Validator

#: Checks of ``verify_passive`` reported under their own validators, not under passive authentication.
_NOT_PA = ("active_authentication", "chip_print")


def chip_validators(ev: Evidence) -> list[Validator]:
    """Passive authentication (headline reason = the verifier's first failure), Active Authentication
    (only with DG15; replayed answers to another challenge fail), DG1 vs the printed MRZ."""
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
