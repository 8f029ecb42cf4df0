"""Loading a BDD run's artifacts: good files become typed records, broken ones are listed, nothing crashes."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.artifacts import (
    ArtifactProblem,
    ArtifactsNotFoundError,
    ScenarioResult,
    load_artifacts,
    load_scenario,
)


def test_a_good_scenario_file_becomes_typed_records(write_artifacts: Any, kit: SimpleNamespace) -> None:
    root = write_artifacts({"otp-honest": kit.scenario(tags=["@RX-02", "step-2", "negative"])})
    artifacts = load_artifacts(root)
    assert artifacts.problems == ()
    [result] = artifacts.scenarios
    assert result.slug == "otp-honest" and result.outcome == "passed" and result.feature == "OTP"
    assert result.clean_tags == ("RX-02", "step-2", "negative") and result.is_negative
    assert result.parties["bank"] == kit.PARTIES["bank"]
    assert [s.keyword for s in result.steps] == ["Given", "When", "Then"]
    first = result.exchanges[0]
    assert (first.party, first.id, first.method, first.path) == ("wultra", "1", "POST", kit.START)
    assert first.status == 200
    assert [c.url for c in first.outbound] == [kit.PARTIES["bank"] + "/user/lookup",
                                              kit.PARTIES["bank"] + "/otp/send"]
    assert [e.party for e in result.exchanges] == ["wultra", "bank", "bank", "sms-gateway", "sms-gateway"]


def test_an_outline_run_is_titled_with_its_examples_row() -> None:
    base = ScenarioResult(slug="a", scenario="Phone may reactivate", outcome="passed",
                          nodeid="features/test_features.py::test_phone_may_reactivate[BLOCKED-3.3]")
    assert base.example == "BLOCKED-3.3" and base.title == "Phone may reactivate [BLOCKED-3.3]"
    plain = ScenarioResult(slug="b", scenario="Plain", outcome="passed", nodeid="f.py::test_plain")
    assert plain.example == "" and plain.title == "Plain"


def test_junit_and_cucumber_are_read(write_artifacts: Any, kit: SimpleNamespace) -> None:
    artifacts = load_artifacts(write_artifacts({"a": kit.scenario()}, junit=kit.JUNIT))
    assert artifacts.junit is not None and artifacts.cucumber is not None
    assert [c.outcome for c in artifacts.junit] == ["passed", "failed", "skipped"]
    assert artifacts.junit[1].message == "AssertionError: SMS went to +420600000000"
    [cucumber] = artifacts.cucumber
    assert cucumber.tags == ("@RX-02",) and cucumber.outcome == "failed"


@pytest.mark.parametrize(("text", "reason"), [
    ('{"scenario": "x", "outcome": "pass', "not valid JSON"),
    ("[1, 2]", "not an object"),
    ('{"outcome": "passed"}', "scenario is missing"),
    ('{"scenario": "x", "outcome": "exploded"}', "outcome 'exploded' is not one of"),
    ('{"scenario": "x", "outcome": "passed", "tags": "RX-01"}', "tags is not a list"),
    ('{"scenario": "x", "outcome": "passed", "parties": {"bank": 7}}', "parties must map"),
])
def test_a_broken_scenario_file_is_listed_with_its_reason(write_artifacts: Any, kit: SimpleNamespace,
                                                            text: str, reason: str) -> None:
    root = write_artifacts({"good": kit.scenario(), "broken": text})
    artifacts = load_artifacts(root)
    assert [s.slug for s in artifacts.scenarios] == ["good"]
    [problem] = artifacts.problems
    assert problem.path.endswith("broken.json") and reason in problem.message


def test_a_file_that_is_not_utf8_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"scenario": "\xe9t\xe9", "outcome": "passed"}')
    problem = load_scenario(path)
    assert isinstance(problem, ArtifactProblem) and "not UTF-8" in problem.message


def test_bad_entries_are_dropped_and_named_but_the_scenario_is_kept(tmp_path: Path,
                                                                     kit: SimpleNamespace) -> None:
    calls = [{"method": "POST"}, kit.call("bank", "POST", "/x", 200)]
    document = kit.scenario(exchanges=[
        kit.exchange("wultra", 1, "POST", kit.START, 200, calls),
        {"party": "bank", "method": "POST", "path": "/otp/send", "status": "teapot"},
        "not an exchange",
        kit.exchange("bank", 3, "POST", "/otp/send", 999),
        {"party": "biometry", "id": None, "method": None, "path": None, "status": None, "outbound": [],
         "error": "journal unavailable: connection refused"},
    ])
    document["steps"].append({"keyword": "Then"})
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = load_scenario(path)
    assert isinstance(result, ScenarioResult)
    assert len(result.exchanges) == 1 and len(result.exchanges[0].outbound) == 1
    assert len(result.steps) == 3
    assert any("outbound call #1 dropped: url is missing" in p for p in result.problems)
    assert any("exchange #2 dropped: status 'teapot'" in p for p in result.problems)
    assert any("exchange #3 dropped: exchange #3 is not an object" in p for p in result.problems)
    assert any("exchange #4 dropped: status 999" in p for p in result.problems)
    assert any("step #4 dropped: name is missing" in p for p in result.problems)
    assert "exchange #5 dropped: method is missing (biometry: journal unavailable: connection refused)" in (
        result.problems)


def test_missing_folder_is_a_typed_error_and_empty_folder_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ArtifactsNotFoundError, match="no artifacts folder"):
        load_artifacts(tmp_path / "nowhere")
    artifacts = load_artifacts(tmp_path)
    assert artifacts.scenarios == () and artifacts.junit is None and artifacts.cucumber is None
    assert [p.message for p in artifacts.problems] == ["no scenario result files"]


def test_broken_junit_and_cucumber_are_listed(write_artifacts: Any, kit: SimpleNamespace) -> None:
    root = write_artifacts({"a": kit.scenario()}, junit="<testsuites><testcase", cucumber='{"no": "list"}')
    artifacts = load_artifacts(root)
    assert artifacts.junit is None and artifacts.cucumber is None
    messages = {Path(p.path).name: p.message for p in artifacts.problems}
    assert "not well-formed XML" in messages["junit.xml"]
    assert messages["cucumber.json"] == "not a list of features"


def test_slugs_stay_unique_and_safe_for_anchors(write_artifacts: Any, kit: SimpleNamespace) -> None:
    files = {"a b": kit.scenario(), "a-b": kit.scenario(), "a&b": kit.scenario()}
    artifacts = load_artifacts(write_artifacts(files))
    slugs = [s.slug for s in artifacts.scenarios]
    assert len(set(slugs)) == 3 and all(set(slug) <= set("ab-23") for slug in slugs)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_keys = st.sampled_from(["scenario", "outcome", "tags", "steps", "exchanges", "parties", "failure",
                         "duration_s", "session", "nodeid", "feature"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(_keys, _json, max_size=8) | _json)
def test_any_json_document_loads_or_is_reported(tmp_path: Path, document: object) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert isinstance(load_scenario(path), ScenarioResult | ArtifactProblem)
