"""The HTML conformance report of a BDD run: rule × scenario matrix and one sequence diagram per scenario.

``build_report`` reads the artifacts folder the suite wrote (see :mod:`reports.artifacts`), joins the
scenarios to the rules of ``features/rules.toml``, and writes one self-contained HTML file.  Its
:class:`ReportSummary` is what a CI gate reads: ``ok`` holds only when every rule has a passing
positive and a passing negative scenario, no scenario failed and every artifact could be read.

From a shell (CI)::

    python -m reports.conformance build/bdd build/bdd/conformance.html --selection @smoke --strict

(options: ``--rules FILE``, ``--selection TEXT``, ``--strict``).  It prints the summary and exits 0;
with ``--strict`` it exits 1 unless the summary is ``ok``.  A missing artifacts folder or a broken
rules file exits 2 with the reason.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from .artifacts import Artifacts, ArtifactsNotFoundError, load_artifacts
from .crosscheck import cross_check
from .matrix import RuleStatus, build_matrix
from .rules import DEFAULT_RULES_FILE, RulesFileError, load_rules
from .sequence import DEFAULT_MAX_ARROWS, build_sequence, render_svg
from .template import TEMPLATE

__all__ = ["ReportSummary", "build_report", "main"]

_MARKS = {"passed": "✔", "failed": "✘", "skipped": "–"}
_MAX_ERRORS_LISTED = 10


@dataclass(frozen=True)
class ReportSummary:
    """The run in numbers, and where the HTML went."""

    out_html: Path
    rules_total: int
    rules_passing: int
    rules_failing: int
    rules_uncovered: int
    scenarios_passed: int
    scenarios_failed: int
    scenarios_skipped: int
    artifact_problems: int
    failing_rules: tuple[str, ...] = ()
    uncovered_rules: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Every rule covered and passing, nothing failed, nothing unreadable."""
        return (self.rules_passing == self.rules_total and self.scenarios_failed == 0
                and self.artifact_problems == 0)

    @property
    def verdict(self) -> str:
        return "CONFORMANT" if self.ok else "NOT CONFORMANT"

    def line(self) -> str:
        """One line for a terminal or a CI log."""
        problems = f"; {self.artifact_problems} unusable artifacts" if self.artifact_problems else ""
        return (f"{self.verdict}: rules {self.rules_passing}/{self.rules_total} passing, "
                f"{self.rules_failing} failing, {self.rules_uncovered} uncovered; scenarios "
                f"{self.scenarios_passed} passed, {self.scenarios_failed} failed, "
                f"{self.scenarios_skipped} skipped{problems}")

    def details(self) -> list[str]:
        """Which rules stand in the way, one line per kind (empty when conformant)."""
        return [f"{kind} rules: {', '.join(ids)}" for kind, ids in
                (("failing", self.failing_rules), ("uncovered", self.uncovered_rules)) if ids]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "out_html": str(self.out_html), "ok": self.ok,
                "failing_rules": list(self.failing_rules), "uncovered_rules": list(self.uncovered_rules)}


def _checks(artifacts: Artifacts) -> list[str]:
    """What the run's JUnit and cucumber files say, and what the cross-checks found."""
    lines: list[str] = []
    if artifacts.junit is not None:
        by = Counter(case.outcome for case in artifacts.junit)
        lines.append(f"junit.xml: {len(artifacts.junit)} test cases ({by['passed']} passed, "
                     f"{by['failed']} failed, {by['skipped']} skipped)")
    if artifacts.cucumber is not None:
        lines.append(f"cucumber.json: {len(artifacts.cucumber)} scenarios")
    return lines + list(artifacts.notes)


def _environment() -> Environment:
    return Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def build_report(artifacts_dir: Path, out_html: Path, rules_path: Path | None = None, *,
                 max_arrows: int = DEFAULT_MAX_ARROWS, selection: str | None = None) -> ReportSummary:
    """Write the report of the run in ``artifacts_dir`` to ``out_html`` and return its summary.

    ``selection`` names the subset the run was limited to (``"@smoke"``), shown on the page so that
    rules the subset does not exercise are read as "not in this run" rather than as a gap of the suite.

    Raises :class:`~reports.artifacts.ArtifactsNotFoundError` when the folder does not exist and
    :class:`~reports.rules.RulesFileError` when the rules file is unusable; anything wrong *inside*
    the artifacts is shown in the report and counted in ``artifact_problems`` instead.
    """
    rules = load_rules(rules_path or DEFAULT_RULES_FILE)
    artifacts = cross_check(load_artifacts(artifacts_dir))
    matrix = build_matrix(rules, artifacts.scenarios)
    outcomes = Counter(s.outcome for s in artifacts.scenarios)
    summary = ReportSummary(
        out_html=out_html, rules_total=len(rules), rules_passing=matrix.count(RuleStatus.PASSING),
        rules_failing=matrix.count(RuleStatus.FAILING), rules_uncovered=matrix.count(RuleStatus.UNCOVERED),
        scenarios_passed=outcomes["passed"], scenarios_failed=outcomes["failed"],
        scenarios_skipped=outcomes["skipped"], artifact_problems=len(artifacts.problems),
        failing_rules=tuple(r.rule.id for r in matrix.rows if r.status is RuleStatus.FAILING),
        uncovered_rules=tuple(r.rule.id for r in matrix.rows if r.status is RuleStatus.UNCOVERED),
    )
    ordered = sorted(artifacts.scenarios, key=lambda s: (s.feature, s.scenario, s.slug))
    scenarios = []
    for s in ordered:
        diagram = build_sequence(s.exchanges, s.parties, max_arrows=max_arrows)
        errors = [f"{a.source} → {a.target}: {a.label}" for a in diagram.arrows if a.failed]
        scenarios.append({
            "scenario": s, "errors": errors[:_MAX_ERRORS_LISTED],
            "more_errors": len(errors) - _MAX_ERRORS_LISTED,
            "svg": Markup(render_svg(diagram, id_prefix=f"m-{s.slug}")),  # built by ElementTree: text escaped
        })
    html = _environment().from_string(TEMPLATE).render(
        summary=summary, matrix=matrix, scenarios=scenarios, problems=artifacts.problems,
        stale=artifacts.stale,
        failed=[s for s in ordered if s.outcome == "failed"], checks=_checks(artifacts), mark=_MARKS,
        selection=selection, artifacts_dir=str(artifacts_dir), rule_ids={rule.id for rule in rules},
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    )
    out_html.parent.mkdir(parents=True, exist_ok=True)
    partial = out_html.with_name(out_html.name + ".part")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, out_html)  # a reader never sees half a report
    return summary


@click.command(name="conformance")
@click.argument("artifacts_dir", type=click.Path(path_type=Path))
@click.argument("out_html", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Rules file (default: features/rules.toml).")
@click.option("--selection", default=None, help="The subset the run was limited to, e.g. '@smoke' (shown).")
@click.option("--strict", is_flag=True, help="Exit 1 unless every rule is covered and passing.")
def conformance_command(artifacts_dir: Path, out_html: Path, rules_path: Path | None, selection: str | None,
                        strict: bool) -> None:
    """Render the HTML conformance report of a BDD run's artifacts."""
    try:
        summary = build_report(artifacts_dir, out_html, rules_path, selection=selection)
    except (ArtifactsNotFoundError, RulesFileError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    click.echo(summary.line())
    for line in summary.details():
        click.echo(line)
    click.echo(f"report: {summary.out_html}")
    if strict and not summary.ok:
        raise SystemExit(1)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m reports.conformance``; returns the exit code."""
    try:
        conformance_command.main(args=list(argv) if argv is not None else None,
                                 prog_name="python -m reports.conformance", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.ClickException as exc:
        exc.show()
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
