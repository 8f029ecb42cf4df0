"""Cucumber JSON built from scenario artifacts (pytest-bdd writes none under xdist)."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.bdd.artifacts import ScenarioArtifact, StepRecord, write_artifact
from simulator.bdd.cucumber import cucumber_from_artifacts, write_cucumber_if_empty


def _artifact(tmp_path: Path, nodeid: str, outcome: str, uri: str = "otp.feature") -> None:
    steps = [StepRecord("Given", "a bank client", "passed", 5),
             StepRecord("Then", "the client is verified", "failed" if outcome == "failed" else "passed", 6)]
    write_artifact(tmp_path, ScenarioArtifact(
        nodeid=nodeid, feature="The one-time password", scenario=f"S {nodeid}", tags=["RX-05", "negative"],
        outcome=outcome, failure="RX-05: boom" if outcome == "failed" else None, duration_s=2.0,  # type: ignore[arg-type]
        session="s", parties={}, steps=steps, uri=uri, line=4))


def test_features_group_scenarios_and_failed_steps_carry_the_message(tmp_path: Path) -> None:
    _artifact(tmp_path, "a", "passed")
    _artifact(tmp_path, "b", "failed")
    _artifact(tmp_path, "c", "passed", uri="chip.feature")
    (tmp_path / "scenarios" / "broken.json").write_text("{half", encoding="utf-8")
    built = cucumber_from_artifacts(tmp_path)
    assert sorted(f["uri"] for f in built) == ["chip.feature", "otp.feature"]
    otp = next(f for f in built if f["uri"] == "otp.feature")
    assert len(otp["elements"]) == 2
    failed = next(e for e in otp["elements"] if e["name"] == "S b")
    assert [t["name"] for t in failed["tags"]] == ["@RX-05", "@negative"]
    last = failed["steps"][-1]
    assert last["result"] == {"status": "failed", "duration": 1_000_000_000, "error_message": "RX-05: boom"}
    assert last["keyword"] == "Then " and last["line"] == 6


def test_only_an_empty_file_is_replaced(tmp_path: Path) -> None:
    _artifact(tmp_path, "a", "passed")
    target = tmp_path / "cucumber.json"
    target.write_text("[]", encoding="utf-8")
    assert write_cucumber_if_empty(tmp_path) is True
    assert json.loads(target.read_text(encoding="utf-8"))[0]["elements"]
    target.write_text('[{"name": "from pytest-bdd"}]', encoding="utf-8")
    assert write_cucumber_if_empty(tmp_path) is False
    assert json.loads(target.read_text(encoding="utf-8")) == [{"name": "from pytest-bdd"}]
