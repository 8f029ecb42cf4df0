"""The end of ``rsim load``: the queueing note explains a journey-time FAIL that arithmetic forces."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from simulator.load.table import print_summary, queueing_note


def _verdict(journeys: int, p95_ms: float, limit_ms: float = 2000.0) -> dict[str, Any]:
    passed = p95_ms <= limit_ms
    gate = {"name": "p95 journey time", "passed": passed, "observed": p95_ms, "threshold": limit_ms,
            "unit": "ms", "detail": f"{p95_ms:.0f} ms {'≤' if passed else '>'} {limit_ms:.0f} ms"}
    return {"passed": passed, "journeys": journeys, "gates": [gate], "stats": []}


def test_a_saturated_closed_loop_is_explained_by_littles_law() -> None:
    # 50 users, no think time, 1,140 journeys in 60 s (19/s): 50 / 19 = 2.63 s per journey.
    note = queueing_note(_verdict(1140, 2600), 60.0, 50, 0.0)
    assert note is not None
    assert "2.63 s per journey" in note and "more than 38 users put even the mean over it" in note


def test_think_time_counts_against_the_queue() -> None:
    # With 1 s of think time the same rate means 1.63 s in journeys: queueing alone is not the cause.
    assert queueing_note(_verdict(1140, 2600), 60.0, 50, 1.0) is not None  # 1.63 >= 0.8 x 2
    assert queueing_note(_verdict(1140, 2600), 60.0, 50, 1.5) is None  # 1.13 s: some step is slow


@pytest.mark.parametrize("verdict, users", [
    (_verdict(1140, 1500), 50),  # the gate passed
    (_verdict(600, 2600), 10),  # 10 / 10 = 1 s on average: a slow step, not the queue
    (_verdict(0, 2600), 50),  # nothing ran
])
def test_no_note_when_the_queue_does_not_explain_it(verdict: dict[str, Any], users: int) -> None:
    assert queueing_note(verdict, 60.0, users, 0.0) is None


def test_the_summary_prints_the_note_only_for_a_known_user_count() -> None:
    console = Console(record=True, width=200)
    print_summary(console, _verdict(1140, 2600), seconds=60.0, users=50)
    assert "Little's law" in console.export_text()
    console = Console(record=True, width=200)
    print_summary(console, _verdict(1140, 2600), seconds=60.0)  # a ramp or spike: users vary
    text = console.export_text()
    assert "SLO verdict: FAIL" in text and "Little's law" not in text
