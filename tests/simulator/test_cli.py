"""`rsim demo` end to end through click's runner: exit code, JSON shape, every step reported."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main
from simulator.offline_journey import run_offline_journey


def test_demo_runs_all_eleven_steps_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    result = CliRunner().invoke(main, ["demo", "--seed", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text())
    assert run["ok"] is True
    assert run["seed"] == 3
    assert [s["number"] for s in run["steps"]] == list(range(1, 12))
    assert all(s["ok"] and s["ms"] >= 0 for s in run["steps"])
    assert len(run["activation_id"]) == 36
    assert "reactivated" in result.output


def test_offline_journey_stops_at_the_failing_step(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A presence check that fails must stop the run at step 7 and report it."""
    from simulator.identity.faces.liveness import LivenessResult

    monkeypatch.setattr(
        "simulator.offline_journey.check_presence",
        lambda *a, **k: LivenessResult(False, "face_mismatch", {}),
    )
    run = run_offline_journey(seed=2)
    assert not run.ok
    assert [s.number for s in run.steps] == list(range(1, 8))
    assert not run.steps[-1].ok and "face_mismatch" in run.steps[-1].detail
