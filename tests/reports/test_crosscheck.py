"""Result files against the run's JUnit: lost results are problems, stale ones are set aside."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from reports.artifacts import JunitCase, load_artifacts
from reports.conformance import build_report
from reports.crosscheck import cross_check, junit_nodeid


def _age(root: Path, name: str, seconds: float) -> None:
    """Make a file look ``seconds`` older than it is."""
    path = root / name
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_junit_nodeid_is_the_pytest_node_id() -> None:
    case = JunitCase(classname="features.sub.test_otp", name="test_resend[3.3]", outcome="passed")
    assert junit_nodeid(case) == "features/sub/test_otp.py::test_resend[3.3]"


def test_scenarios_pytest_ran_without_a_result_file_are_problems(write_artifacts: Any,
                                                                 kit: SimpleNamespace) -> None:
    checked = cross_check(load_artifacts(write_artifacts({"a": kit.scenario()}, junit=kit.JUNIT)))
    assert [p.message for p in checked.problems] == [
        "features/test_otp.py::test_wrong_number ran (failed) but left no result file",
        "features/test_chip.py::test_chip ran (skipped) but left no result file",
    ]
    assert [s.slug for s in checked.scenarios] == ["a"] and checked.stale == ()


def test_a_wider_junit_flags_only_scenarios(write_artifacts: Any, kit: SimpleNamespace) -> None:
    document = kit.scenario()
    junit = kit.junit_for([document, {"nodeid": "tests/reports/test_x.py::test_unit", "outcome": "passed"}])
    checked = cross_check(load_artifacts(write_artifacts({"a": document}, junit=junit)))
    assert checked.problems == () and checked.stale == () and len(checked.scenarios) == 1


def test_result_files_of_an_earlier_run_are_set_aside(write_artifacts: Any, kit: SimpleNamespace,
                                                      tmp_path: Path) -> None:
    smoke = kit.scenario("Smoke scenario", tags=["RX-02"])
    old = kit.scenario("Only in the full run", tags=["RX-02", "negative"])
    root = write_artifacts({"smoke": smoke, "old": old}, junit=kit.junit_for([smoke]))
    checked = cross_check(load_artifacts(root))
    assert [s.slug for s in checked.scenarios] == ["smoke"] and checked.problems == ()
    [stale] = checked.stale
    assert stale.path.endswith("old.json") and "not in this run's junit.xml" in stale.message
    # the old negative scenario does not make RX-02 covered
    summary = build_report(root, tmp_path / "r.html")
    assert "RX-02" in summary.uncovered_rules and summary.scenarios_passed == 1
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "1 result files not from this run, not counted" in html


def test_a_junit_older_than_the_results_is_not_used(write_artifacts: Any, kit: SimpleNamespace) -> None:
    smoke = kit.scenario("Smoke scenario")
    root = write_artifacts({"smoke": smoke, "other": kit.scenario("Other")}, junit=kit.junit_for([smoke]))
    _age(root, "junit.xml", 3600)
    checked = cross_check(load_artifacts(root))
    assert len(checked.scenarios) == 2 and checked.stale == () and checked.problems == ()
    assert any("junit.xml is older than the scenario results" in note for note in checked.notes)


def test_a_junit_naming_none_of_the_results_sets_nothing_aside(write_artifacts: Any,
                                                               kit: SimpleNamespace) -> None:
    other = {"nodeid": "features/test_x.py::test_something_else", "outcome": "passed"}
    root = write_artifacts({"a": kit.scenario()}, junit=kit.junit_for([other]))
    checked = cross_check(load_artifacts(root))
    assert len(checked.scenarios) == 1 and checked.stale == ()
    assert [p.message for p in checked.problems] == [
        "features/test_x.py::test_something_else ran (passed) but left no result file"]
    assert any("names none of the scenario result files" in note for note in checked.notes)


def test_cucumber_scenarios_without_results_are_noted(write_artifacts: Any, kit: SimpleNamespace) -> None:
    root = write_artifacts({"a": kit.scenario("Something else")})
    checked = cross_check(load_artifacts(root))
    assert checked.notes == ("1 scenarios in cucumber.json have no result file: "
                             "An honest client gets the OTP by SMS",)
