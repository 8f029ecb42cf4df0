"""Cross-checks of the per-scenario result files against the run's JUnit and cucumber files.

The result files are written one per scenario, as each ends; JUnit XML is written by pytest once, at
the end of the run.  Comparing the two catches the two ways the report could mislead:

* **lost results** - pytest ran a scenario but no result file exists (a worker died while writing):
  the report cannot vouch for that scenario, so it is an unusable artifact;
* **stale results** - a result file of a scenario this run did not run (the folder still holds an
  earlier, wider run): it must not count as coverage, so it is set aside and listed.

Both need a JUnit file of *this* run; one older than the newest result file (the suite ran without
``--junitxml`` this time) is not used, and the report says so.  Cucumber JSON, keyed only by scenario
name, gives a note, not a verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .artifacts import ArtifactProblem, Artifacts, JunitCase, ScenarioResult

__all__ = ["cross_check", "junit_nodeid"]

#: File-system timestamps are coarse on some systems; a JUnit file this much older still counts.
_MTIME_SLACK_S = 2.0


def junit_nodeid(case: JunitCase) -> str:
    """A JUnit case's pytest node id: ``features.test_x`` + ``test_y`` → ``features/test_x.py::test_y``."""
    return f"{case.classname.replace('.', '/')}.py::{case.name}"


def _mtime(path: str | Path) -> float | None:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return None


def _junit_is_current(artifacts: Artifacts) -> bool:
    junit_time = _mtime(artifacts.directory / "junit.xml")
    newest = max((t for s in artifacts.scenarios if (t := _mtime(s.source)) is not None), default=None)
    return junit_time is not None and (newest is None or junit_time + _MTIME_SLACK_S >= newest)


def _scenario_cases(cases: Sequence[JunitCase], scenarios: Sequence[ScenarioResult]) -> dict[str, JunitCase]:
    """JUnit cases of the scenario modules (or of ``features``), by node id - not a wider run's unit tests."""
    modules = {s.nodeid.split("::", 1)[0] for s in scenarios if s.nodeid}
    found: dict[str, JunitCase] = {}
    for case in cases:
        nodeid = junit_nodeid(case)
        if nodeid.split("::", 1)[0] in modules or case.classname.split(".", 1)[0] == "features":
            found[nodeid] = case
    return found


def _against_junit(artifacts: Artifacts, cases: Sequence[JunitCase]) -> Artifacts:
    ran = _scenario_cases(cases, artifacts.scenarios)
    have = {s.nodeid for s in artifacts.scenarios}
    lost = [ArtifactProblem(str(artifacts.directory / "junit.xml"),
                            f"{nodeid} ran ({case.outcome}) but left no result file")
            for nodeid, case in ran.items() if nodeid not in have]
    current = [s for s in artifacts.scenarios if s.nodeid in ran]
    if not current and artifacts.scenarios:
        note = "junit.xml names none of the scenario result files; they were not checked against it"
        return replace(artifacts, problems=(*artifacts.problems, *lost), notes=(*artifacts.notes, note))
    stale = tuple(
        ArtifactProblem(s.source or s.slug,
                        f"{s.nodeid or s.scenario} is not in this run's junit.xml (from an earlier run?)")
        for s in artifacts.scenarios if s.nodeid not in ran
    )
    return replace(artifacts, scenarios=tuple(current), problems=(*artifacts.problems, *lost), stale=stale)


def _against_cucumber(artifacts: Artifacts) -> tuple[str, ...]:
    if artifacts.cucumber is None:
        return ()
    missing = Counter(c.name for c in artifacts.cucumber) - Counter(s.scenario for s in artifacts.scenarios)
    if not missing:
        return ()
    return (f"{sum(missing.values())} scenarios in cucumber.json have no result file: "
            f"{', '.join(sorted(missing))}",)


def cross_check(artifacts: Artifacts) -> Artifacts:
    """The artifacts with lost results added to the problems and stale results set aside."""
    checked = artifacts
    if artifacts.junit is not None:
        if _junit_is_current(artifacts):
            checked = _against_junit(artifacts, artifacts.junit)
        else:
            note = "junit.xml is older than the scenario results (not written by this run); not compared"
            checked = replace(artifacts, notes=(*artifacts.notes, note))
    return replace(checked, notes=checked.notes + _against_cucumber(checked))
