"""Mutant runs: the suite against deliberately broken parties must fail the right scenarios, naming
the rule, while scenarios the bug does not touch still pass.

Each run is ``pytest features`` in a child process whose targets point at the broken party (the rest
of the parties are started by the child as usual); the verdicts are read from the scenario artifacts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mocks.framework import AdminClient, serve_in_thread
from simulator.bdd.mutants import decoy_customer, misrouting_bank
from simulator.bdd.traceability import FEATURES_DIR
from simulator.stack import PARTIES, Stack, StackSettings

ROOT = FEATURES_DIR.parent


def _suite(markers: str, env: dict[str, str], artifacts: Path) -> list[dict[str, Any]]:
    """Run the selected scenarios in a child pytest; their artifacts, one dict per scenario."""
    command = [sys.executable, "-m", "pytest", str(FEATURES_DIR), "-q", "-p", "no:cacheprovider",
               "-m", markers]
    child_env = {**os.environ, "RSIM_BDD_ARTIFACTS": str(artifacts), **env}
    child_env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(command, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    return [json.loads(p.read_text(encoding="utf-8")) for p in (artifacts / "scenarios").glob("*.json")]


@pytest.fixture(scope="module")
def bank_behind_mutant() -> Iterator[dict[str, str]]:
    """An SMS gateway and a bank mock, the bank reachable only through the misrouting proxy."""
    plans = tuple(p for p in PARTIES if p.name in ("sms-gateway", "bank"))
    with Stack(StackSettings(free_ports=True, seed=7), parties=plans) as stack, \
            serve_in_thread(misrouting_bank(stack.urls["bank"])) as proxy:
        yield {"RSIM_BANK_URL": proxy.url, "RSIM_SMS_GATEWAY_URL": stack.urls["sms-gateway"],
               "RSIM_ADMIN_PARTIES": "bank,sms-gateway"}


def test_otp_sent_to_the_wrong_number_fails_the_rx03_scenarios(bank_behind_mutant: dict[str, str],
                                                                 tmp_path: Path) -> None:
    results = _suite("RX-03 or (RX-01 and negative and smoke)", bank_behind_mutant, tmp_path)
    rx03 = [r for r in results if "RX-03" in r["tags"]]
    assert len(rx03) >= 2, [r["scenario"] for r in results]
    for result in rx03:
        assert result["outcome"] == "failed", f"{result['scenario']} passed against the misrouting bank"
        assert "RX-03" in (result["failure"] or ""), result["failure"]
        assert any(e["path"] == "/otp/send" for e in result["exchanges"]), "the diagram shows the bank call"
    untouched = [r for r in results if "RX-01" in r["tags"]]
    assert untouched and all(r["outcome"] == "passed" for r in untouched), "a bug in the bank fails RX-01 too"
    # ... and they failed for the right reason: the OTP went to the other client's number.
    number = decoy_customer()["phoneNumber"]
    with AdminClient(bank_behind_mutant["RSIM_SMS_GATEWAY_URL"]) as gateway:
        for result in rx03:
            sent = gateway.journal(session=result["session"], path="/Messages.json", method="POST")
            assert sent and all(number in json.dumps(e["requestBody"]) for e in sent), (
                f"{result['scenario']}: the gateway was not asked to text the decoy {number}")


@pytest.fixture(scope="module")
def wultra_issuing_code_early() -> Iterator[dict[str, str]]:
    """A whole stack whose Onboarding Server issues the code before the face check is done."""
    settings = StackSettings(free_ports=True, seed=7, extra={"wultra": {
        "mutations": ["issue_code_before_presence_check"], "max_request_bytes": 8 * 1024 * 1024}})
    with Stack(settings) as stack:
        env = {f"RSIM_{name.upper().replace('-', '_')}_URL": url for name, url in stack.urls.items()}
        yield {**env, "RSIM_ADMIN_PARTIES": ",".join(stack.urls)}


def test_code_before_the_face_check_fails_the_rx14_scenarios(wultra_issuing_code_early: dict[str, str],
                                                              tmp_path: Path) -> None:
    results = _suite("RX-14 and negative and step-7", wultra_issuing_code_early, tmp_path)
    assert [r["outcome"] for r in results] == ["failed"], "a code despite a foreign face went unnoticed"
    assert "RX-14" in (results[0]["failure"] or ""), results[0]["failure"]
