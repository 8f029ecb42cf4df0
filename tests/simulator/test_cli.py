"""`rsim demo` end to end through click's runner: a real stack, exit codes, the JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main


def test_demo_reactivates_the_honest_client_over_http_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    result = CliRunner().invoke(main, ["demo", "--seed", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text())
    assert run["ok"] is True and run["persona"] == "honest-id-card" and run["seed"] == 3
    assert [s["number"] for s in run["steps"]] == list(range(1, 12))
    assert all(s["ok"] and s["ms"] > 0 and s["name"] and s["calls"] for s in run["steps"])
    assert len(run["activation_id"]) == 36
    assert "reactivated" in result.output and run["activation_id"] in result.output
    for number in range(1, 12):
        assert f"step {number:>2}" in result.output


def test_demo_exits_non_zero_naming_the_failing_step(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    result = CliRunner().invoke(main, ["demo", "--persona", "already-active", "--json", str(out)])
    assert result.exit_code == 1, result.output
    assert "not reactivated at step 1" in result.output
    run = json.loads(out.read_text())
    assert run["ok"] is False and run["failed_step"] == 1 and run["as_expected"] is True


def test_demo_refuses_an_unknown_persona() -> None:
    result = CliRunner().invoke(main, ["demo", "--persona", "nobody"])
    assert result.exit_code == 2
    assert "honest-id-card" in result.output
