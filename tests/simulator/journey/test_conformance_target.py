"""Conformance mode: the journey runs with the bank as an external system, reached only by its URL.

The bank runs in a process of its own, configured as a bank would be (its own client population,
its own SMS gateway); the stack does not start a bank and never uses the bank's admin API to arrange
anything - the client is already in the bank's registry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests

from mocks.framework import AdminClient, RunningProcess, serve_in_subprocess
from simulator.journey.personas import persona
from simulator.journey.runner import JourneyOptions, run_journey
from simulator.journey.world import Targets
from simulator.stack import Stack, StackSettings

SEED = 11


@pytest.fixture(scope="module")
def external_bank() -> Iterator[tuple[RunningProcess, RunningProcess]]:
    with serve_in_subprocess("mocks.sms_gateway.app:create_app", {"seed": 2}) as sms:
        config = {"seed": 3, "extra": {"sms_gateway_url": sms.url, "shared_registry": True,
                                       "clients": {"seed": SEED, "count": 3, "locale": "cs_CZ"}}}
        with serve_in_subprocess("mocks.bank.app:create_app", config) as bank:
            yield bank, sms


def test_journey_against_a_bank_at_its_own_url(external_bank: tuple[RunningProcess, RunningProcess]) -> None:
    bank, sms = external_bank
    settings = StackSettings(free_ports=True, external={"bank": bank.url, "sms-gateway": sms.url})
    session = f"conformance-{uuid.uuid4().hex[:6]}"
    requests.put(f"{sms.url}/_admin/sms-faults", json={"sendSeconds": 0.05, "deliverSeconds": 0.05},
                 headers={"X-Sim-Session": session}, timeout=5).raise_for_status()
    with Stack(settings) as stack:
        assert stack.started == ["biometry", "wultra"]
        targets = Targets.from_urls(stack.urls, external=frozenset({"bank", "sms-gateway"}))
        assert targets.bank_admin is False
        run = run_journey(targets, persona("honest-id-card"), seed=SEED, session=session,
                          options=JourneyOptions(sms_timeout=5.0, poll_interval=0.05))
    assert run.ok, run.to_json()
    # The external bank saw Wultra's adapter calls, and nobody touched its registry for this run.
    journal = AdminClient(bank.url, session=session)
    called = {entry["path"] for entry in journal.journal(session=session)}
    assert {"/user/lookup", "/otp/send"} <= called
    own = requests.get(f"{bank.url}/_admin/clients", headers={"X-Sim-Session": session}, timeout=5).json()
    assert own["count"] == 0, "the journey added no client: it used the bank's own registry"
