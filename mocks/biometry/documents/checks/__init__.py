"""Per-check validators of an investigation, each computed from the evidence with a score and threshold.

Each validator is listed only when its evidence was uploaded (no chip, no chip validators). Modules:
:mod:`.base` (result type, evidence, codes), :mod:`.pages`, :mod:`.mrz`, :mod:`.portraits`,
:mod:`.data`, :mod:`.chip`; :func:`run_validators` runs them in the contract's order.
"""

from __future__ import annotations

from simulator.identity.chip.verifier import verify_passive

from .base import CHIP, CODES, Evidence, Validator
from .chip import chip_validators, printed_mrz_for_chip
from .data import data_matches_expected, documents_same_holder
from .mrz import mrz_sources, mrz_validators
from .pages import document_complete, page_validators, printed_vs_mrz
from .portraits import chip_portrait, portrait_validators

__all__ = ["CHIP", "CODES", "Evidence", "Validator", "chip_portrait", "run_validators"]


def run_validators(ev: Evidence) -> list[Validator]:
    """Every validator the evidence allows, in contract order."""
    ev.mrz_sources = mrz_sources(ev)
    if ev.chip is not None:
        ev.passive = verify_passive(ev.chip, ev.trust, at=ev.at, printed_mrz=printed_mrz_for_chip(ev))
    out = [document_complete(ev), *page_validators(ev), *mrz_validators(ev)]
    out.extend(v for v in (printed_vs_mrz(ev),) if v is not None)
    out.extend(portrait_validators(ev))
    out.extend(v for v in (data_matches_expected(ev), documents_same_holder(ev)) if v is not None)
    out.extend(chip_validators(ev))
    return out
