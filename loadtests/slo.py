"""SLO gates: the pass/fail verdict of a load run, computed from its request statistics.

The locustfile fires one ``STEP`` request per journey step (name ``"NN step name"``) and one
``JOURNEY`` request per journey (name = persona, success = the persona ended as it must).  The gates
read those entries only:

* ``journey success ratio`` - successful journeys / journeys, at least ``min_journey_success``
  (a run without a single journey fails this gate: nothing was proven);
* ``p95 journey time`` - over every journey of every persona, at most ``max_p95_journey_ms``;
* ``p95 step NN ...`` - one gate per step seen, at most ``max_p95_step_ms``;
* ``error ratio`` - steps that failed unexpectedly / steps run, at most ``max_error_ratio`` (a
  persona stopped at its expected step is not an error).

Percentiles are computed from the merged response-time histograms (locust's rounded buckets), so the
p95 of all journeys is exact for the buckets, not an average of per-persona p95s.  The verdict is
printed, returned as JSON for ``rsim load`` and written as JUnit XML (one testcase per gate) for CI.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

__all__ = [
    "JOURNEY", "STEP", "EntryStats", "GateResult", "SloThresholds", "SloVerdict", "evaluate", "percentile",
]

JOURNEY = "JOURNEY"
STEP = "STEP"


@dataclass(frozen=True)
class SloThresholds:
    """Gate thresholds; the defaults are the targets the simulator is built to meet."""

    min_journey_success: float = 0.99
    max_p95_journey_ms: float = 2000.0
    max_p95_step_ms: float = 1000.0
    max_error_ratio: float = 0.01

    def __post_init__(self) -> None:
        for name in ("min_journey_success", "max_error_ratio"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a ratio between 0 and 1, got {value}")
        for name in ("max_p95_journey_ms", "max_p95_step_ms"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be ≥ 0 ms, got {getattr(self, name)}")


@dataclass(frozen=True)
class EntryStats:
    """One statistics entry (request type + name): counts and the response-time histogram (ms → n)."""

    method: str
    name: str
    requests: int
    failures: int
    response_times: Mapping[int, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Counts and percentiles (ms, from the histogram), as tables and reports show them."""
        times = self.response_times
        return {"type": self.method, "name": self.name, "requests": self.requests, "failures": self.failures,
                "p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "p99": percentile(times, 0.99),
                "max": float(max(times)) if times else None}


@dataclass(frozen=True)
class GateResult:
    """One gate: what was measured against what was allowed."""

    name: str
    passed: bool
    observed: float | None
    threshold: float
    unit: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "observed": self.observed,
                "threshold": self.threshold, "unit": self.unit, "detail": self.detail}


@dataclass(frozen=True)
class SloVerdict:
    """All gates of a run; it passes when every gate does."""

    gates: tuple[GateResult, ...]
    journeys: int

    @property
    def passed(self) -> bool:
        return all(gate.passed for gate in self.gates)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def lines(self) -> list[str]:
        """The verdict as text, one line per gate, then the overall verdict."""
        out = [f"  {'PASS' if g.passed else 'FAIL'}  {g.name}: {g.detail}" for g in self.gates]
        failed = sum(not g.passed for g in self.gates)
        out.append(f"SLO verdict: {'PASS' if self.passed else 'FAIL'} "
                   f"({len(self.gates) - failed}/{len(self.gates)} gates passed, {self.journeys} journeys)")
        return out

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "journeys": self.journeys, "gates": [g.to_json() for g in self.gates]}

    def write_junit(self, path: Path, suite: str = "rsim-load-slo") -> None:
        """A JUnit XML file with one testcase per gate (a failed gate is a ``<failure>``)."""
        failures = sum(not g.passed for g in self.gates)
        root = ET.Element("testsuites", name=suite, tests=str(len(self.gates)), failures=str(failures))
        node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(self.gates)),
                             failures=str(failures), errors="0", skipped="0")
        for gate in self.gates:
            case = ET.SubElement(node, "testcase", classname=suite, name=gate.name)
            if not gate.passed:
                ET.SubElement(case, "failure", message=gate.detail, type="SloGateFailed").text = gate.detail
            else:
                ET.SubElement(case, "system-out").text = gate.detail
        path.parent.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def percentile(response_times: Mapping[int, int], fraction: float) -> float | None:
    """Nearest-rank percentile of a histogram ``{ms: count}``; ``None`` when it is empty."""
    total = sum(response_times.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for value in sorted(response_times):
        seen += response_times[value]
        if seen >= rank:
            return float(value)
    return float(max(response_times))  # pragma: no cover - unreachable, rank ≤ total


def _merged(entries: Iterable[EntryStats]) -> Counter[int]:
    merged: Counter[int] = Counter()
    for entry in entries:
        merged.update(entry.response_times)
    return merged


def _at_most(name: str, observed: float | None, limit: float, unit: str, what: str) -> GateResult:
    if observed is None:
        return GateResult(name, False, None, limit, unit, f"no {what} measured (limit {limit:g} {unit})")
    passed = observed <= limit
    return GateResult(name, passed, observed, limit, unit,
                      f"{observed:g} {unit} {'≤' if passed else '>'} {limit:g} {unit}")


def evaluate(entries: Iterable[EntryStats], thresholds: SloThresholds | None = None) -> SloVerdict:
    """Compute every gate from the run's statistics entries."""
    limits = thresholds or SloThresholds()
    entries = list(entries)
    journeys = [e for e in entries if e.method == JOURNEY]
    steps = sorted((e for e in entries if e.method == STEP), key=lambda e: e.name)
    gates: list[GateResult] = []

    total = sum(e.requests for e in journeys)
    good = total - sum(e.failures for e in journeys)
    if total:
        ratio = good / total
        ok = ratio >= limits.min_journey_success
        gates.append(GateResult("journey success ratio", ok, ratio, limits.min_journey_success, "ratio",
                                f"{good}/{total} = {ratio:.4f} {'≥' if ok else '<'} "
                                f"{limits.min_journey_success:g}"))
    else:
        gates.append(GateResult("journey success ratio", False, None, limits.min_journey_success, "ratio",
                                "no journey finished"))

    gates.append(_at_most("p95 journey time", percentile(_merged(journeys), 0.95),
                          limits.max_p95_journey_ms, "ms", "journey"))
    for step in steps:
        gates.append(_at_most(f"p95 step {step.name}", percentile(step.response_times, 0.95),
                              limits.max_p95_step_ms, "ms", "step"))

    step_runs = sum(e.requests for e in steps)
    step_errors = sum(e.failures for e in steps)
    if step_runs:
        ratio = step_errors / step_runs
        ok = ratio <= limits.max_error_ratio
        gates.append(GateResult("error ratio", ok, ratio, limits.max_error_ratio, "ratio",
                                f"{step_errors}/{step_runs} = {ratio:.4f} {'≤' if ok else '>'} "
                                f"{limits.max_error_ratio:g}"))
    else:
        gates.append(GateResult("error ratio", False, None, limits.max_error_ratio, "ratio", "no step ran"))
    return SloVerdict(tuple(gates), total)
