"""The project's rules file loads, is complete, and broken files are refused with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.rules import AREAS, RulesFileError, load_rules

GOOD = '''
[[rule]]
id = "RX-01"
steps = [1]
area = "status check"
text = "t"
precise = "p"
'''


def test_the_project_rules_are_rx01_to_rx23_in_order() -> None:
    rules = load_rules()
    assert [r.id for r in rules] == [f"RX-{n:02d}" for n in range(1, 24)]
    assert rules[4].tag == "@RX-05"


def test_every_area_has_a_rule_and_every_step_is_governed() -> None:
    rules = load_rules()
    assert {r.area for r in rules} == set(AREAS)
    assert set().union(*(r.steps for r in rules)) == set(range(1, 12))


def test_precise_wording_keeps_the_rules_numbers() -> None:
    """Refinement never drops a limit the design states (5 min, 30 s, 5 attempts, 2 min ...)."""
    by_id = {r.id: r for r in load_rules()}
    assert "300 s" in by_id["RX-05"].precise and "30 s" in by_id["RX-05"].precise
    assert "120 s" in by_id["RX-10"].precise
    assert "5 failed" in by_id["RX-13"].precise
    assert "300 s" in by_id["RX-16"].precise
    assert "8 decimal digits" in by_id["RX-02"].precise


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("x = 1", "no \\[\\[rule\\]\\]"),
        (GOOD.replace('"RX-01"', '"R-1"'), "not of the form"),
        (GOOD.replace("[1]", "[12]"), "step numbers"),
        (GOOD.replace('"status check"', '"weather"'), "unknown area"),
        (GOOD.replace('precise = "p"', ""), "lacks precise"),
        (GOOD.replace('text = "t"', 'text = "  "'), "non-empty"),
        (GOOD + GOOD, "duplicate rule ids: RX-01"),
    ],
)
def test_broken_rules_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError, match=message):
        load_rules(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="cannot read"):
        load_rules(tmp_path / "absent.toml")
