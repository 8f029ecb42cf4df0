"""SLO gates computed from statistics entries, the verdict, and its JUnit file."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadtests.slo import JOURNEY, STEP, EntryStats, SloThresholds, evaluate, percentile


def _entries(journey_failures: int = 0, step_failures: int = 0) -> list[EntryStats]:
    return [
        EntryStats(JOURNEY, "honest-id-card", 80, journey_failures, {900: 70, 1500: 10}),
        EntryStats(JOURNEY, "impostor", 20, 0, {800: 19, 3000: 1}),
        EntryStats(STEP, "01 activation status checked", 100, 0, {10: 100}),
        EntryStats(STEP, "03 identity evidence submitted", 100, step_failures, {300: 90, 1200: 10}),
        EntryStats("GET", "/other", 5, 5, {1: 5}),
    ]


def _gate(verdict: object, name: str) -> object:
    return next(g for g in verdict.gates if g.name == name)  # type: ignore[attr-defined]


def test_healthy_run_passes_every_gate_but_the_slow_step() -> None:
    verdict = evaluate(_entries())
    assert verdict.journeys == 100
    failed = [g.name for g in verdict.gates if not g.passed]
    assert failed == ["p95 step 03 identity evidence submitted"], "10% of step 3 took 1.2 s"
    assert _gate(verdict, "p95 journey time").observed == 1500.0  # merged over both personas
    assert verdict.exit_code == 1
    assert evaluate(_entries(), SloThresholds(max_p95_step_ms=1200)).passed


def test_journey_failures_and_step_errors_fail_their_gates() -> None:
    verdict = evaluate(_entries(journey_failures=2, step_failures=3), SloThresholds(max_p95_step_ms=5000))
    assert _gate(verdict, "journey success ratio").observed == pytest.approx(0.98)
    assert not _gate(verdict, "journey success ratio").passed
    assert _gate(verdict, "error ratio").observed == pytest.approx(3 / 200)
    assert not _gate(verdict, "error ratio").passed
    assert "SLO verdict: FAIL" in verdict.lines()[-1]


def test_run_without_journeys_fails() -> None:
    verdict = evaluate([])
    assert not verdict.passed and verdict.journeys == 0
    assert [g.observed for g in verdict.gates] == [None, None, None]


def test_junit_has_one_testcase_per_gate(tmp_path: Path) -> None:
    verdict = evaluate(_entries(step_failures=50))
    path = tmp_path / "out" / "slo.xml"
    verdict.write_junit(path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [g.name for g in verdict.gates]
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {g.name for g in verdict.gates if not g.passed}
    assert suite.get("failures") == str(len(failed))


@pytest.mark.parametrize("bad", [{"min_journey_success": 1.5}, {"max_error_ratio": -0.1},
                                 {"max_p95_journey_ms": -1}])
def test_thresholds_out_of_range_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SloThresholds(**bad)


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=200), st.floats(0.01, 1.0))
def test_percentile_of_histogram_is_nearest_rank(values: list[int], fraction: float) -> None:
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    ordered = sorted(values)
    rank = max(1, -(-fraction * len(values) // 1))
    assert percentile(histogram, fraction) == ordered[int(rank) - 1]


def test_percentile_of_nothing_is_none() -> None:
    assert percentile({}, 0.95) is None


_entry = st.builds(
    lambda kind, name, n, f, times: EntryStats(kind, name, n, min(f, n), times),
    st.sampled_from([JOURNEY, STEP, "GET"]), st.sampled_from(["a", "b", "01 x", "02 y"]),
    st.integers(0, 500), st.integers(0, 500),
    st.dictionaries(st.integers(0, 10_000), st.integers(1, 50), max_size=5))


@given(st.lists(_entry, max_size=8, unique_by=lambda e: (e.method, e.name)))
def test_gates_follow_from_the_entries(entries: list[EntryStats]) -> None:
    verdict = evaluate(entries)
    steps = [e for e in entries if e.method == STEP]
    assert len(verdict.gates) == 3 + len(steps)
    assert verdict.journeys == sum(e.requests for e in entries if e.method == JOURNEY)
    assert verdict.passed == all(g.passed for g in verdict.gates)
    errors = next(g for g in verdict.gates if g.name == "error ratio")
    runs = sum(e.requests for e in steps)
    assert errors.observed == (sum(e.failures for e in steps) / runs if runs else None)
