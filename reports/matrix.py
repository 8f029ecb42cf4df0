"""The rule × scenario matrix: for each conformance rule, which scenarios checked it and how they ended.

A rule counts as covered only when it has been shown both to *allow* the flow (a positive scenario)
and to *refuse* a violation (a scenario tagged ``@negative``), and each of those has actually passed:
a rule checked only by skipped scenarios has not been checked.  Any failed scenario makes its rules
failing, whatever else passed, because one failure is a real non-conformance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from .artifacts import ScenarioResult
from .rules import Rule

__all__ = ["Matrix", "RuleRow", "RuleStatus", "build_matrix"]

_RULE_TAG = re.compile(r"RX-\d+", re.IGNORECASE)


class RuleStatus(Enum):
    """How a rule stands after the run."""

    PASSING = "covered & passing"
    FAILING = "failing"
    UNCOVERED = "uncovered"


@dataclass(frozen=True)
class RuleRow:
    """One rule's line of the matrix."""

    rule: Rule
    positive: tuple[ScenarioResult, ...]
    negative: tuple[ScenarioResult, ...]
    status: RuleStatus
    gaps: tuple[str, ...]

    @property
    def scenarios(self) -> tuple[ScenarioResult, ...]:
        return self.positive + self.negative


@dataclass(frozen=True)
class Matrix:
    """Every rule in file order, plus the scenarios that name no rule or an unknown one."""

    rows: tuple[RuleRow, ...]
    untraced: tuple[ScenarioResult, ...]
    unknown_tags: dict[str, tuple[ScenarioResult, ...]]

    def count(self, status: RuleStatus) -> int:
        return sum(1 for row in self.rows if row.status is status)


def _rule_ids(scenario: ScenarioResult) -> list[str]:
    return [tag.upper() for tag in scenario.clean_tags if _RULE_TAG.fullmatch(tag)]


def _side_gaps(side: str, scenarios: Sequence[ScenarioResult]) -> list[str]:
    if not scenarios:
        return [f"no {side} scenario"]
    if not any(s.outcome == "passed" for s in scenarios):
        return [f"no passing {side} scenario ({len(scenarios)} skipped)"] if all(
            s.outcome == "skipped" for s in scenarios) else [f"no passing {side} scenario"]
    return []


def _row(rule: Rule, scenarios: Sequence[ScenarioResult]) -> RuleRow:
    positive = tuple(s for s in scenarios if not s.is_negative)
    negative = tuple(s for s in scenarios if s.is_negative)
    gaps = _side_gaps("positive", positive) + _side_gaps("negative", negative)
    failed = [s for s in scenarios if s.outcome == "failed"]
    if failed:
        status = RuleStatus.FAILING
        gaps = [f"{len(failed)} scenario{'s' if len(failed) > 1 else ''} failed", *gaps]
    else:
        status = RuleStatus.UNCOVERED if gaps else RuleStatus.PASSING
    return RuleRow(rule=rule, positive=positive, negative=negative, status=status, gaps=tuple(gaps))


def build_matrix(rules: Sequence[Rule], scenarios: Iterable[ScenarioResult]) -> Matrix:
    """Join scenarios to rules through their ``RX-nn`` tags (with or without ``@``, any case)."""
    known = {rule.id for rule in rules}
    by_rule: dict[str, list[ScenarioResult]] = {rule.id: [] for rule in rules}
    unknown: dict[str, list[ScenarioResult]] = {}
    untraced: list[ScenarioResult] = []
    for scenario in scenarios:
        ids = list(dict.fromkeys(_rule_ids(scenario)))
        if not ids:
            untraced.append(scenario)
        for rule_id in ids:
            (by_rule[rule_id] if rule_id in known else unknown.setdefault(rule_id, [])).append(scenario)
    return Matrix(
        rows=tuple(_row(rule, by_rule[rule.id]) for rule in rules),
        untraced=tuple(untraced),
        unknown_tags={tag: tuple(found) for tag, found in sorted(unknown.items())},
    )
