"""Short headless locust runs against a stack on loopback: journeys happen, are reported per step and
per journey, the SLO gates are computed from the run's statistics and set the exit code; the same
locustfile runs distributed (a master and two workers).

The stack runs in this process (threads); locust runs as child processes, as ``rsim load`` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from loadtests.slo import SloThresholds
from loadtests.targets import TargetsSpec
from simulator.load.locust_run import LoadPlan, run_load
from simulator.stack import Stack, StackSettings

LENIENT = SloThresholds(min_journey_success=1.0, max_p95_journey_ms=60_000, max_p95_step_ms=30_000,
                        max_error_ratio=0.0)


@pytest.fixture(scope="module")
def spec() -> Iterator[TargetsSpec]:
    with Stack(StackSettings(free_ports=True, seed=5)) as stack:
        yield TargetsSpec(dict(stack.urls))


def _plan(tmp_path: Path, **changes: object) -> LoadPlan:
    base = {"users": 2, "spawn_rate": 2.0, "run_time": "6s", "seed_pool": 1,
            "persona_mix": "honest-id-card=1,impostor=1", "thresholds": LENIENT, "out": tmp_path}
    base.update(changes)
    return LoadPlan(**base)  # type: ignore[arg-type]


def test_impossible_gate_fails_the_run_while_journeys_pass(spec: TargetsSpec, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    limits = SloThresholds(min_journey_success=1.0, max_p95_journey_ms=0, max_p95_step_ms=30_000,
                           max_error_ratio=0.0)
    # Run from elsewhere than the project's root with a relative output folder, as a user would.
    monkeypatch.chdir(tmp_path)
    result = run_load(_plan(tmp_path, thresholds=limits, out=Path("results")), spec, timeout=120)

    assert result.plan.out == tmp_path / "results", "a relative folder is the caller's, not locust's"
    assert json.loads((tmp_path / "results" / "targets.json").read_text())["wultra"] == spec.urls["wultra"]

    assert result.exit_code == 1, "a failed gate sets the exit code"
    gates = {g["name"]: g for g in result.verdict["gates"]}
    assert not gates["p95 journey time"]["passed"] and gates["p95 journey time"]["observed"] > 0
    assert gates["journey success ratio"]["passed"] and gates["error ratio"]["observed"] == 0
    journeys = {row["name"]: row for row in result.verdict["stats"] if row["type"] == "JOURNEY"}
    steps = {row["name"]: row for row in result.verdict["stats"] if row["type"] == "STEP"}
    assert journeys["honest-id-card"]["requests"] >= 1
    assert sum(row["requests"] for row in journeys.values()) == result.verdict["journeys"]
    assert all(row["failures"] == 0 for row in journeys.values())
    assert "11 PIN set, possession+knowledge signature verified" in steps
    assert steps["01 activation status checked"]["requests"] >= result.verdict["journeys"]
    assert {row["Name"] for row in result.stats if row["Type"] == "STEP"} <= set(steps), "locust's CSV too"
    failures = ET.parse(result.plan.junit).getroot().iter("failure")
    assert [f.get("message") for f in failures] == [gates["p95 journey time"]["detail"]]
    assert result.plan.html.is_file() and result.plan.html.stat().st_size > 1000


def test_distributed_run_with_two_workers(spec: TargetsSpec, tmp_path: Path) -> None:
    result = run_load(_plan(tmp_path, run_time="10s", persona_mix="honest-id-card"), spec, workers=2,
                      timeout=180)

    assert result.exit_code == 0, json.dumps(result.verdict, indent=1)
    workers = result.verdict["workers"]
    assert len(workers) == 2 and all(count >= 1 for count in workers.values()), workers
    assert result.verdict["journeys"] == sum(workers.values()), "the master counts what the workers report"
    warm_up = result.verdict["warm_up"]
    assert set(warm_up["workers"]) == set(workers), "every worker says when its evidence is rendered"
    assert warm_up["held_seconds"] >= max(warm_up["workers"].values()) > 0, \
        "the master's load profile waits for the slowest worker's warm-up (--run-time is load)"
