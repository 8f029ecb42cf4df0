"""Traceability: every conformance rule is checked by at least one positive and one negative scenario."""

from __future__ import annotations

from pathlib import Path

from reports.rules import AREAS, load_rules
from simulator.bdd.steps import catalogue
from simulator.bdd.traceability import (
    AREA_FILES,
    FEATURES_DIR,
    ScenarioTags,
    coverage_problems,
    scenario_tags,
)


def test_every_rule_has_a_positive_and_a_negative_scenario() -> None:
    rules = load_rules()
    scenarios = scenario_tags()
    assert len(scenarios) >= 2 * len(rules)
    assert coverage_problems(rules, scenarios) == []


def test_each_area_has_its_feature_file() -> None:
    assert set(AREA_FILES) == set(AREAS)


def test_smoke_gate_covers_every_feature_file() -> None:
    smoke = {s.file for s in scenario_tags() if "smoke" in s.tags}
    assert smoke == set(AREA_FILES.values())


def test_gaps_are_reported_in_words(tmp_path: Path) -> None:
    (tmp_path / "otp.feature").write_text(
        "Feature: OTP\n\n  @RX-02 @positive @step-2\n  Scenario: drawn by the server\n"
        "    Given a bank client\n\n"
        "  @RX-99\n  Scenario: stray\n    Given a bank client\n", encoding="utf-8")
    rules = tuple(r for r in load_rules() if r.id in ("RX-02", "RX-03"))
    problems = coverage_problems(rules, scenario_tags(tmp_path), tmp_path)
    assert "RX-02 has no @negative scenario" in problems
    assert "RX-03 has no @positive scenario" in problems and "RX-03 has no @negative scenario" in problems
    assert "otp.feature: 'stray' is tagged with unknown rule RX-99" in problems
    assert "otp.feature: 'stray' is neither @positive nor @negative" in problems
    assert "otp.feature: 'stray' has no @step-N tag" in problems
    assert "RX-02 has no @positive scenario" not in problems


def test_tags_of_the_feature_count_for_its_scenarios() -> None:
    tagged = ScenarioTags("x.feature", "s", frozenset({"RX-01", "step-1", "step-11", "smoke"}))
    assert tagged.rules == {"RX-01"} and tagged.steps == {1, 11}


def test_the_readme_lists_every_step_phrase() -> None:
    readme = (FEATURES_DIR / "README.md").read_text(encoding="utf-8")
    missing = [p.phrase for p in catalogue() if f"`{p.phrase}`" not in readme]
    assert missing == [], f"features/README.md does not list: {missing}"
