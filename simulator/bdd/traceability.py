"""Which scenarios check which rule: the features' tags joined to ``features/rules.toml``.

Used by the suite's own tests (every rule needs a positive and a negative scenario, every feature
area its ``.feature`` file, every rule tag a known rule) and usable by reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pytest_bdd.parser import FeatureParser

from reports.rules import Rule

__all__ = ["AREA_FILES", "FEATURES_DIR", "ScenarioTags", "coverage_problems", "scenario_tags"]

FEATURES_DIR = Path(__file__).resolve().parents[2] / "features"

#: Feature area (as in the rules file) → its feature file.
AREA_FILES: dict[str, str] = {
    "status check": "status_check.feature", "OTP": "otp.feature", "documents": "documents.feature",
    "chip": "chip.feature", "biometry and liveness": "biometry_liveness.feature",
    "activation code": "activation_code.feature", "device activation": "device_activation.feature",
    "PIN and SCA": "pin_sca.feature", "limits and expiry": "limits_expiry.feature",
    "faults": "faults.feature",
}

_RULE_TAG = re.compile(r"RX-\d{2}")
_STEP_TAG = re.compile(r"step-(\d+)")


@dataclass(frozen=True)
class ScenarioTags:
    """One scenario's file, name and tags (its own, its feature's and its examples')."""

    file: str
    name: str
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def rules(self) -> set[str]:
        return {t for t in self.tags if _RULE_TAG.fullmatch(t)}

    @property
    def steps(self) -> set[int]:
        return {int(m.group(1)) for t in self.tags if (m := _STEP_TAG.fullmatch(t))}


def scenario_tags(directory: Path = FEATURES_DIR) -> list[ScenarioTags]:
    """Every scenario of every ``.feature`` file under ``directory``."""
    found: list[ScenarioTags] = []
    for path in sorted(directory.rglob("*.feature")):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for name, scenario in feature.scenarios.items():
            tags = set(feature.tags) | set(scenario.tags)
            for examples in getattr(scenario, "examples", []) or []:
                tags |= set(getattr(examples, "tags", ()) or ())
            found.append(ScenarioTags(str(path.relative_to(directory)), name, frozenset(tags)))
    return found


def coverage_problems(rules: tuple[Rule, ...], scenarios: list[ScenarioTags],
                      directory: Path = FEATURES_DIR) -> list[str]:
    """What is missing, in words: a rule without a positive or negative scenario, an unknown rule
    tag, a scenario with no rule or neither polarity, an area without its feature file."""
    problems: list[str] = []
    known = {rule.id for rule in rules}
    for rule in rules:
        tagged = [s for s in scenarios if rule.id in s.rules]
        for polarity in ("positive", "negative"):
            if not any(polarity in s.tags for s in tagged):
                problems.append(f"{rule.id} has no @{polarity} scenario")
    for scenario in scenarios:
        where = f"{scenario.file}: {scenario.name!r}"
        if not scenario.rules:
            problems.append(f"{where} names no rule")
        for unknown in sorted(scenario.rules - known):
            problems.append(f"{where} is tagged with unknown rule {unknown}")
        if not ({"positive", "negative"} & scenario.tags):
            problems.append(f"{where} is neither @positive nor @negative")
        if not scenario.steps:
            problems.append(f"{where} has no @step-N tag")
    for area in {rule.area for rule in rules}:
        file = AREA_FILES.get(area)
        if file is None or not (directory / file).is_file():
            problems.append(f"area {area!r} has no feature file")
    return problems
