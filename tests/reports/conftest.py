"""Realistic BDD artifacts, shaped as the suite writes them, for the report's tests.

``honest_step2`` is the start of a reactivation as the mocks journal it: the phone starts onboarding at
Wultra, Wultra looks the client up at the bank and hands it the OTP, the bank's alert service texts it
through the SMS gateway, the phone reads its inbox.  Each party journals its own inbound request, so
the bank's and the gateway's requests appear both as an outbound call of the caller and as an exchange
of their own - exactly the duplication the sequence diagram must fold.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest

PARTIES = {
    "wultra": "http://127.0.0.1:41001",
    "bank": "http://127.0.0.1:41002",
    "sms-gateway": "http://127.0.0.1:41003",
    "biometry": "http://127.0.0.1:41004",
}
START = "/enrollment-server-onboarding/api/onboarding/start"
SMS = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
INBOX = "/handsets/+420601234567/messages"


def exchange(party: str, ident: int, method: str, path: str, status: int | None,
             outbound: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    """One journal entry as ``Exchange.to_dict`` writes it (the fields the contract names)."""
    return {"party": party, "id": ident, "timestamp": f"2026-11-28T05:00:{ident:02d}+00:00", "method": method,
            "path": path, "status": status, "durationMs": 3.5, "outbound": outbound or [], **extra}


def call(party: str, method: str, path: str, status: int | None, **extra: Any) -> dict[str, Any]:
    """One outbound call to ``party`` (by its URL in :data:`PARTIES`)."""
    return {"method": method, "url": PARTIES[party] + path, "status": status, "durationMs": 2.0, **extra}


def honest_step2() -> list[dict[str, Any]]:
    """Step 2 as the four journals record it, merged in time order."""
    return [
        exchange("wultra", 1, "POST", START, 200, [
            call("bank", "POST", "/user/lookup", 200),
            call("bank", "POST", "/otp/send", 200),
        ]),
        exchange("bank", 1, "POST", "/user/lookup", 200),
        exchange("bank", 2, "POST", "/otp/send", 200, [call("sms-gateway", "POST", SMS, 201)]),
        exchange("sms-gateway", 1, "POST", SMS, 201),
        exchange("sms-gateway", 2, "GET", INBOX, 200),
    ]


def scenario(name: str = "An honest client gets the OTP by SMS", *, tags: list[str] | None = None,
             outcome: str = "passed", failure: str | None = None,
             exchanges: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A whole ``scenarios/<slug>.json`` document."""
    return {
        "nodeid": f"features/test_otp.py::test_{name.lower().replace(' ', '_')}",
        "feature": "OTP", "scenario": name,
        "tags": tags if tags is not None else ["RX-02", "step-2", "smoke"],
        "outcome": outcome, "failure": failure, "duration_s": 0.42, "session": "bdd-7f3a", "parties": PARTIES,
        "steps": [
            {"keyword": "Given", "name": "an honest client with a blocked activation", "outcome": "passed"},
            {"keyword": "When", "name": "the client starts reactivation", "outcome": "passed"},
            {"keyword": "Then", "name": "the OTP arrives by SMS", "outcome": outcome},
        ],
        "exchanges": exchanges if exchanges is not None else honest_step2(),
    }


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="3" time="1.2">
<testcase classname="features.test_otp" name="test_an_honest_client_gets_the_otp_by_sms" time="0.42"/>
<testcase classname="features.test_otp" name="test_wrong_number" time="0.30">
  <failure message="AssertionError: SMS went to +420600000000">trace</failure></testcase>
<testcase classname="features.test_chip" name="test_chip" time="0.01"><skipped message="no NFC"/></testcase>
</testsuite></testsuites>
"""

CUCUMBER = [{
    "name": "OTP", "uri": "features/otp.feature",
    "elements": [{
        "name": "An honest client gets the OTP by SMS", "tags": [{"name": "@RX-02", "line": 3}],
        "steps": [{"keyword": "Given", "name": "x", "result": {"status": "passed"}},
                  {"keyword": "Then", "name": "y", "result": {"status": "failed"}}],
    }],
}]


def junit_for(documents: list[dict[str, Any]]) -> str:
    """The JUnit XML pytest writes for these scenarios (one test case each, by node id)."""
    cases = []
    for doc in documents:
        module, name = doc["nodeid"].split("::", 1)
        classname = module.removesuffix(".py").replace("/", ".")
        inner = {"failed": '<failure message="failed">trace</failure>', "skipped": '<skipped message="s"/>'}
        cases.append(f'<testcase classname={quoteattr(classname)} name={quoteattr(name)} time="0.1">'
                     f'{inner.get(doc["outcome"], "")}</testcase>')
    suite = f'<testsuite name="pytest">{"".join(cases)}</testsuite>'
    return f'<?xml version="1.0"?><testsuites>{suite}</testsuites>'


ArtifactWriter = Callable[..., Path]


@pytest.fixture
def write_artifacts(tmp_path: Path) -> ArtifactWriter:
    """Writes an artifacts folder: ``{slug: document-or-raw-text}``, plus junit.xml and cucumber.json.

    ``junit="auto"`` writes the JUnit file pytest would have written for the scenario documents.
    """

    def write(scenarios: dict[str, dict[str, Any] | str], *, junit: str | None = "auto",
              cucumber: object = CUCUMBER) -> Path:
        root = tmp_path / "bdd"
        (root / "scenarios").mkdir(parents=True, exist_ok=True)
        for slug, document in scenarios.items():
            text = document if isinstance(document, str) else json.dumps(document)
            (root / "scenarios" / f"{slug}.json").write_text(text, encoding="utf-8")
        if junit == "auto":
            junit = junit_for([doc for doc in scenarios.values() if isinstance(doc, dict)])
        if junit is not None:
            (root / "junit.xml").write_text(junit, encoding="utf-8")
        if cucumber is not None:
            (root / "cucumber.json").write_text(
                cucumber if isinstance(cucumber, str) else json.dumps(cucumber), encoding="utf-8")
        return root

    return write


@pytest.fixture
def kit() -> SimpleNamespace:
    """The builders above, for test modules (conftest modules are not importable by name)."""
    return SimpleNamespace(PARTIES=PARTIES, START=START, SMS=SMS, INBOX=INBOX, exchange=exchange, call=call,
                           junit_for=junit_for, honest_step2=honest_step2, scenario=scenario, JUNIT=JUNIT,
                           CUCUMBER=CUCUMBER)
