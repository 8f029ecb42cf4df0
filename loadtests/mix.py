"""The persona mix of a load run: which clients come to the app, in what proportions.

Written as ``"honest-id-card=8,impostor=1,otp-typo=1"`` (weights are non-negative numbers, at least
one positive; a bare name counts 1) - the form the ``--persona-mix`` option and ``RSIM_PERSONA_MIX``
take.  Drawing is seeded by the caller's ``random.Random``, so a run's sequence of personas can be
reproduced.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass

from simulator.journey.personas import PERSONAS, Persona, persona

__all__ = ["DEFAULT_MIX", "MixError", "PersonaMix", "parse_mix"]

#: Mostly honest clients, with the two most common ways a journey is rightly refused.
DEFAULT_MIX = "honest-id-card=8,impostor=1,otp-typo=1"


class MixError(ValueError):
    """The persona mix is malformed (unknown persona, bad weight, nothing to draw)."""


@dataclass(frozen=True)
class PersonaMix:
    """Personas with their relative weights (in the order written)."""

    entries: tuple[tuple[Persona, float], ...]

    def __post_init__(self) -> None:
        if not self.entries or not any(weight > 0 for _, weight in self.entries):
            raise MixError("the persona mix needs at least one persona with a positive weight")

    @property
    def personas(self) -> tuple[Persona, ...]:
        """Personas that can be drawn (positive weight)."""
        return tuple(who for who, weight in self.entries if weight > 0)

    def share(self, name: str) -> float:
        """The expected fraction of journeys run by persona ``name``."""
        total = sum(weight for _, weight in self.entries)
        return sum(weight for who, weight in self.entries if who.name == name) / total

    def draw(self, rng: random.Random) -> Persona:
        """One persona, with probability proportional to its weight."""
        cumulative = list(itertools.accumulate(weight for _, weight in self.entries))
        point = rng.random() * cumulative[-1]
        index = bisect.bisect_right(cumulative, point)
        return self.entries[min(index, len(self.entries) - 1)][0]

    def __str__(self) -> str:
        return ",".join(f"{who.name}={weight:g}" for who, weight in self.entries)


def _weight(text: str, name: str) -> float:
    try:
        weight = float(text)
    except ValueError:
        raise MixError(f"weight of {name!r} must be a number, got {text!r}") from None
    if not math.isfinite(weight) or weight < 0:
        raise MixError(f"weight of {name!r} must be a finite number ≥ 0, got {text!r}")
    return weight


def parse_mix(text: str) -> PersonaMix:
    """``"name=weight,..."`` → :class:`PersonaMix`; raises :class:`MixError` with the reason."""
    entries: dict[str, float] = {}
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        name, sep, weight_text = item.partition("=")
        name = name.strip()
        weight = _weight(weight_text.strip(), name) if sep else 1.0
        if name in entries:
            raise MixError(f"persona {name!r} appears twice in the mix")
        entries[name] = weight
    known = {p.name for p in PERSONAS}
    unknown = [name for name in entries if name not in known]
    if unknown:
        raise MixError(f"unknown persona {', '.join(map(repr, unknown))} in the mix; "
                       f"known: {', '.join(sorted(known))}")
    return PersonaMix(tuple((persona(name), weight) for name, weight in entries.items()))
