"""The report on real journals: an honest journey on an embedded stack, written by the suite's own writer.

This is the contract between the suite (``simulator.bdd.artifacts``) and the report, checked on what
the mocks really journal: Wultra's calls to the bank nest under the phone's request, the bank's text
message nests under Wultra's ``/otp/send``, and nothing of the bank is drawn as if the phone called it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mocks.framework import AdminClient
from reports.artifacts import load_artifacts
from reports.conformance import build_report
from reports.sequence import DEVICE, build_sequence
from simulator.bdd.artifacts import ScenarioArtifact, StepRecord, collect_exchanges, write_artifact
from simulator.journey.personas import persona
from simulator.journey.runner import run_journey
from simulator.journey.world import Targets
from simulator.stack import Stack, StackSettings

SESSION = "report-honest-id-card"
# the phone reads its SMS inbox at once instead of waiting for a simulated carrier
QUICK_CARRIER = {"sendSeconds": 0.0, "deliverSeconds": 0.0}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("bdd")
    with Stack(StackSettings(free_ports=True, seed=5)) as stack:
        requests.put(f"{stack.urls['sms-gateway']}/_admin/sms-faults", json=QUICK_CARRIER,
                     headers={"X-Sim-Session": SESSION}, timeout=10).raise_for_status()
        run = run_journey(Targets.from_urls(stack.urls), persona("honest-id-card"), seed=5, session=SESSION)
        exchanges = collect_exchanges(((p, AdminClient(u, session=SESSION)) for p, u in stack.urls.items()),
                                      SESSION)
        ok = len(run.steps) == 11 and all(step.ok for step in run.steps)
        write_artifact(root, ScenarioArtifact(
            nodeid="features/test_features.py::test_an_honest_client_reactivates", feature="journey",
            scenario="An honest client reactivates", tags=["RX-02", "positive", "smoke"],
            outcome="passed" if ok else "failed", failure=None if ok else run.steps[-1].detail,
            duration_s=1.0, session=SESSION, parties=dict(stack.urls),
            steps=[StepRecord("Then", step.name, "passed" if step.ok else "failed") for step in run.steps],
            exchanges=exchanges,
        ))
    yield root


def test_real_journals_load_without_problems(artifacts: Path) -> None:
    loaded = load_artifacts(artifacts)
    assert loaded.problems == ()
    [scenario] = loaded.scenarios
    assert scenario.outcome == "passed", scenario.failure
    assert scenario.problems == () and len(scenario.exchanges) > 20


def test_calls_between_parties_are_nested_not_drawn_from_the_phone(artifacts: Path) -> None:
    [scenario] = load_artifacts(artifacts).scenarios
    arrows = build_sequence(scenario.exchanges, scenario.parties).arrows
    assert not [a for a in arrows if a.source == DEVICE and a.target == "bank"]
    pairs = [(a.source, a.target, a.path) for a in arrows]
    start = next(i for i, a in enumerate(arrows) if a.path.endswith("/onboarding/start"))
    assert arrows[start].source == DEVICE and arrows[start].depth == 0
    assert pairs[start + 1: start + 3] == [("wultra", "bank", "/user/lookup"),
                                           ("wultra", "bank", "/otp/send")]
    sms = arrows[start + 3]
    assert (sms.source, sms.target, sms.depth, sms.status) == ("bank", "sms-gateway", 2, 201)
    assert ("device", "biometry", "/api/v2/claim/verify/capture") in pairs  # the face SDK's own upload
    assert any(a.source == "wultra" and a.target == "biometry" and a.path.endswith("/verify/validate")
               for a in arrows)


def test_the_report_renders_the_real_run(artifacts: Path, tmp_path: Path) -> None:
    summary = build_report(artifacts, tmp_path / "report.html")
    html = summary.out_html.read_text(encoding="utf-8")
    assert summary.scenarios_passed == 1 and summary.artifact_problems == 0
    assert "POST /otp/send → 200" in html and "An honest client reactivates" in html
