"""The conformance suite's fixtures and reporting hooks.

* **Targets** - every party not named in ``RSIM_TARGETS`` / ``RSIM_*_URL`` is started as a mock on
  loopback (free ports).  ``rsim bdd`` starts them once and names them by URL, so all xdist workers
  share one stack (:mod:`simulator.bdd.shared_stack`); plain ``pytest features`` starts one stack per
  pytest process (no stack outlives a crashed run).  Scenarios are isolated by their own
  ``X-Sim-Session`` either way.
* **Steps** - the reusable step library of :mod:`simulator.bdd.steps`.
* **Artifacts** - after each scenario, ``$RSIM_BDD_ARTIFACTS/scenarios/<slug>.json`` (default
  ``build/bdd``) with its result, steps and the mocks' journal entries of its session.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.bdd.artifacts import (
    Outcome,
    ScenarioArtifact,
    StepRecord,
    artifacts_dir,
    collect_exchanges,
    write_artifact,
)
from simulator.bdd.context import ScenarioContext, session_name
from simulator.bdd.shared_stack import PARTY_LOG_VAR, suite_stack_settings
from simulator.bdd.steps import step_fixtures
from simulator.bdd.targets import TargetsConfig, load_targets
from simulator.stack import Stack

globals().update(step_fixtures())

RULE_COUNT = 23
_INFO = pytest.StashKey[dict[str, Any]]()


def pytest_configure(config: pytest.Config) -> None:
    for number in range(1, RULE_COUNT + 1):
        config.addinivalue_line("markers", f"RX-{number:02d}: checks conformance rule RX-{number:02d}")
    for number in range(1, 12):
        config.addinivalue_line("markers", f"step-{number}: concerns step {number} of the flow")
    for name, text in (("positive", "the rule holds for a conforming party"),
                       ("negative", "a violation or bad input is refused"),
                       ("smoke", "the fast release gate"), ("slow", "takes several seconds")):
        config.addinivalue_line("markers", f"{name}: {text}")


def _read_text(path: str | None) -> str:
    """The parties' log file of a shared stack (``rsim bdd``), empty when there is none."""
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


@pytest.fixture(scope="session")
def targets_config() -> TargetsConfig:
    return load_targets()


@pytest.fixture(scope="session")
def parties(targets_config: TargetsConfig) -> Iterator[dict[str, str]]:
    """Every party's base URL: the real ones as configured, the rest started here."""
    with Stack(suite_stack_settings(targets_config)) as stack:
        yield dict(stack.urls)


@pytest.fixture
def ctx(request: pytest.FixtureRequest, parties: dict[str, str], targets_config: TargetsConfig,
        caplog: pytest.LogCaptureFixture) -> Iterator[ScenarioContext]:
    """The scenario's context; at teardown its exchanges are taken from the journals, then its
    session is reset at every mock.  Log lines of the parties embedded in this process are kept
    (``answers["log_text"]``) so rules about secrets in logs can be checked."""
    context = ScenarioContext(session=session_name(request.node.nodeid), urls=dict(parties),
                              config=targets_config)
    caplog.set_level(logging.DEBUG)
    party_log = os.environ.get(PARTY_LOG_VAR)
    context.answers["log_text"] = lambda: caplog.text + _read_text(party_log)
    info = request.node.stash.setdefault(_INFO, {})
    info["session"], info["parties"] = context.session, dict(parties)
    context.fast_sms()
    try:
        yield context
    finally:
        mocked = [(party, context.admin(party)) for party in context.mocked_parties()]
        info["exchanges"] = collect_exchanges(mocked, context.session)
        for party, rule_id in context.answers.get("faults", []):
            context.admin(party).remove_faults(rule_id)
        for _party, admin in mocked:
            admin.reset(context.session)
        context.close()


# ---------------------------------------------------------------------------------- artifacts


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    info = request.node.stash.setdefault(_INFO, {})
    tags = sorted(set(scenario.tags) | set(getattr(feature, "tags", ())))
    info.update(feature=feature.name, scenario=scenario.name, tags=tags, uri=feature.rel_filename,
                line=scenario.line_number, done=[],
                planned=[(step.keyword, step.name, step.line_number) for step in scenario.steps])


def pytest_bdd_after_step(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    request.node.stash.setdefault(_INFO, {}).setdefault("done", []).append("passed")


def pytest_bdd_step_error(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    request.node.stash.setdefault(_INFO, {}).setdefault("done", []).append("failed")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    info = item.stash.setdefault(_INFO, {})
    info.setdefault("started", time.time())
    info.setdefault("reports", []).append(report)
    if report.when == "teardown" and "scenario" in info:
        write_artifact(artifacts_dir(), _artifact(item, info))


def _artifact(item: pytest.Item, info: dict[str, Any]) -> ScenarioArtifact:
    reports: list[pytest.TestReport] = info["reports"]
    failed = next((r for r in reports if r.failed), None)
    skipped = next((r for r in reports if r.skipped), None)
    outcome: Outcome = "failed" if failed else "skipped" if skipped else "passed"
    failure = None
    if failed is not None:
        crash = getattr(failed.longrepr, "reprcrash", None)
        failure = str(getattr(crash, "message", None) or failed.longreprtext)
    elif skipped is not None and isinstance(skipped.longrepr, tuple):
        failure = str(skipped.longrepr[2])
    done: list[str] = info.get("done", [])
    steps = [StepRecord(keyword, name, _step_outcome(done[i]) if i < len(done) else "skipped", line)
             for i, (keyword, name, line) in enumerate(info.get("planned", []))]
    return ScenarioArtifact(
        nodeid=item.nodeid, feature=info["feature"], scenario=info["scenario"], tags=info["tags"],
        outcome=outcome, failure=failure, duration_s=sum(r.duration for r in reports),
        session=info.get("session", ""), parties=info.get("parties", {}), steps=steps,
        exchanges=info.get("exchanges", []), uri=info.get("uri", ""), line=info.get("line", 0),
    )


def _step_outcome(seen: str) -> Outcome:
    return "failed" if seen == "failed" else "passed"
