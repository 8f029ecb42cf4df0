"""``rsim bdd``: tag expressions, the pytest command line, and real runs with their reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from simulator.bdd.artifacts import ARTIFACTS_VAR
from simulator.bdd.command import TagExpressionError, bdd_command, child_environ, pytest_args, tags_to_markers
from simulator.bdd.targets import TARGETS_FILE_VAR


@pytest.mark.parametrize("expression, markers", [
    ("@smoke", "smoke"),
    ("@RX-05 and not @slow", "RX-05 and not slow"),
    ("(@RX-01 or @RX-02) and @negative", "(RX-01 or RX-02) and negative"),
])
def test_tag_expressions_become_marker_expressions(expression: str, markers: str) -> None:
    assert tags_to_markers(expression) == markers


@pytest.mark.parametrize("bad", ["", "   ", "@smoke; rm -rf /", "@a == @b"])
def test_bad_tag_expressions_are_refused(bad: str) -> None:
    with pytest.raises(TagExpressionError):
        tags_to_markers(bad)


@given(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,8}", fullmatch=True), min_size=1, max_size=4))
def test_any_conjunction_of_tags_converts(tags: list[str]) -> None:
    expression = " and ".join(f"@{t}" for t in tags)
    assert tags_to_markers(expression) == " and ".join(tags)


def test_pytest_args_name_reports_workers_and_markers(tmp_path: Path) -> None:
    args = pytest_args(tmp_path, workers="2", tags="@smoke", extra=["-x"])
    assert args[0].endswith("features")
    assert f"--junitxml={tmp_path / 'junit.xml'}" in args
    assert f"--cucumber-json={tmp_path / 'cucumber.json'}" in args
    assert args[args.index("-n") + 1] == "2" and args[args.index("-m") + 1] == "smoke"
    assert args[-1] == "-x"
    assert "-n" not in pytest_args(tmp_path, workers="0")


def test_the_suite_gets_absolute_paths_since_it_runs_in_the_project_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = child_environ({TARGETS_FILE_VAR: " mine.toml ", "HOME": "/h"}, Path("build/bdd"), None)
    assert env[TARGETS_FILE_VAR] == str(tmp_path / "mine.toml")
    assert env[ARTIFACTS_VAR] == str(tmp_path / "build" / "bdd") and env["HOME"] == "/h"
    given = child_environ({TARGETS_FILE_VAR: "mine.toml"}, tmp_path, Path("other.toml"))
    assert given[TARGETS_FILE_VAR] == str(tmp_path / "other.toml"), "--targets wins over the variable"
    assert TARGETS_FILE_VAR not in child_environ({}, tmp_path, None)


def test_a_run_writes_junit_cucumber_artifacts_and_exits_with_pytests_code(tmp_path: Path) -> None:
    # -n 1 runs under xdist, where pytest-bdd's cucumber JSON is empty and the command writes it.
    stale = tmp_path / "scenarios" / "old.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(bdd_command, ["--tags", "@RX-01 and @negative and @smoke", "-n", "1",
                                              "--artifacts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "junit.xml").is_file()
    cucumber = json.loads((tmp_path / "cucumber.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in cucumber] == ["Status check before reactivation"]
    assert [e["name"] for e in cucumber[0]["elements"]] == [
        "A phone whose activation is still active is not offered reactivation"]
    assert {s["result"]["status"] for s in cucumber[0]["elements"][0]["steps"]} == {"passed"}
    scenarios = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "scenarios").glob("*.json")]
    assert not stale.exists(), "artifacts of an earlier run are cleared"
    assert len(scenarios) == 1 and scenarios[0]["outcome"] == "passed"
    assert "RX-01" in scenarios[0]["tags"] and scenarios[0]["exchanges"]


def test_nothing_selected_is_a_failure(tmp_path: Path) -> None:
    result = CliRunner().invoke(bdd_command, ["--tags", "@no-such-tag", "-n", "0",
                                              "--artifacts", str(tmp_path)])
    assert result.exit_code == 5, result.output


def test_workers_must_be_auto_or_a_number(tmp_path: Path) -> None:
    result = CliRunner().invoke(bdd_command, ["-n", "many", "--artifacts", str(tmp_path)])
    assert result.exit_code == 2 and "auto or a number" in result.output


def test_rsim_bdd_runs_every_worker_against_one_shared_stack(tmp_path: Path) -> None:
    tags = "@RX-01 and @smoke or @RX-03 and @positive"
    result = CliRunner().invoke(bdd_command, ["--tags", tags, "-n", "2", "--artifacts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    scenarios = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "scenarios").glob("*.json")]
    assert len(scenarios) == 4 and {s["outcome"] for s in scenarios} == {"passed"}
    stacks = {json.dumps(s["parties"], sort_keys=True) for s in scenarios}
    assert len(stacks) == 1, f"scenarios ran against {len(stacks)} stacks"
    assert len({s["session"] for s in scenarios}) == 4, "each scenario has its own session"
    # The parties' log lines reach the workers through one file (RX-03 reads it for leaked OTPs).
    party_log = (tmp_path / "parties.log").read_text(encoding="utf-8")
    assert "mocks.bank.alert" in party_log, "the bank's alert service logged the SMS it sent"
