"""The rule × scenario matrix: a rule passes only with a passing positive and a passing negative scenario."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reports.artifacts import ScenarioResult
from reports.matrix import RuleStatus, build_matrix
from reports.rules import Rule, load_rules

RULES = (
    Rule("RX-01", (1,), "status check", "t1", "p1"),
    Rule("RX-02", (2,), "OTP", "t2", "p2"),
    Rule("RX-03", (2, 3), "OTP", "t3", "p3"),
)


def result(slug: str, *tags: str, outcome: str = "passed") -> ScenarioResult:
    return ScenarioResult(slug=slug, scenario=slug, outcome=outcome, tags=tags)  # type: ignore[arg-type]


def test_rows_follow_the_rules_order_and_split_positive_from_negative() -> None:
    matrix = build_matrix(RULES, [
        result("ok", "RX-02", "smoke"), result("refused", "@RX-02", "@negative"),
        result("both", "rx-01", "RX-02"),
    ])
    assert [row.rule.id for row in matrix.rows] == ["RX-01", "RX-02", "RX-03"]
    rx02 = matrix.rows[1]
    assert [s.slug for s in rx02.positive] == ["ok", "both"]
    assert [s.slug for s in rx02.negative] == ["refused"]
    assert rx02.status is RuleStatus.PASSING and rx02.gaps == ()


def test_a_rule_without_a_negative_or_positive_scenario_is_uncovered() -> None:
    matrix = build_matrix(RULES, [result("pos", "RX-01"), result("neg", "RX-02", "negative")])
    assert matrix.rows[0].status is RuleStatus.UNCOVERED and matrix.rows[0].gaps == ("no negative scenario",)
    assert matrix.rows[1].status is RuleStatus.UNCOVERED and matrix.rows[1].gaps == ("no positive scenario",)
    assert matrix.rows[2].gaps == ("no positive scenario", "no negative scenario")
    assert matrix.count(RuleStatus.UNCOVERED) == 3


def test_skipped_scenarios_do_not_cover_a_rule() -> None:
    matrix = build_matrix(RULES, [
        result("pos", "RX-01", outcome="skipped"), result("neg", "RX-01", "negative"),
    ])
    row = matrix.rows[0]
    assert row.status is RuleStatus.UNCOVERED
    assert row.gaps == ("no passing positive scenario (1 skipped)",)


def test_one_failed_scenario_makes_the_rule_failing() -> None:
    matrix = build_matrix(RULES, [
        result("pos", "RX-03"), result("pos2", "RX-03", outcome="failed"), result("neg", "RX-03", "negative"),
    ])
    row = matrix.rows[2]
    assert row.status is RuleStatus.FAILING and row.gaps == ("1 scenario failed",)
    assert matrix.count(RuleStatus.FAILING) == 1 and matrix.count(RuleStatus.PASSING) == 0


def test_untraced_scenarios_and_unknown_rule_tags_are_kept_apart() -> None:
    matrix = build_matrix(RULES, [result("plain", "smoke"), result("future", "RX-99", "RX-01")])
    assert [s.slug for s in matrix.untraced] == ["plain"]
    assert list(matrix.unknown_tags) == ["RX-99"]
    assert [s.slug for s in matrix.rows[0].positive] == ["future"]


def test_the_project_rules_all_appear() -> None:
    matrix = build_matrix(load_rules(), [])
    assert len(matrix.rows) == 23 and matrix.count(RuleStatus.UNCOVERED) == 23


@given(st.lists(st.tuples(st.sets(st.sampled_from(["RX-01", "RX-02", "RX-03", "negative"])),
                          st.sampled_from(["passed", "failed", "skipped"])), max_size=12))
def test_status_agrees_with_the_definition(specs: list[tuple[set[str], str]]) -> None:
    scenarios = [result(f"s{i}", *sorted(tags), outcome=outcome) for i, (tags, outcome) in enumerate(specs)]
    for row in build_matrix(RULES, scenarios).rows:
        mine = [s for s in scenarios if row.rule.id in s.tags]
        assert len(row.scenarios) == len(mine)
        if any(s.outcome == "failed" for s in mine):
            assert row.status is RuleStatus.FAILING
        elif any(s.outcome == "passed" and "negative" in s.tags for s in mine) and any(
                s.outcome == "passed" and "negative" not in s.tags for s in mine):
            assert row.status is RuleStatus.PASSING
        else:
            assert row.status is RuleStatus.UNCOVERED
