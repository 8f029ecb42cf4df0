"""Every persona runs the 11 steps over HTTP against a stack on loopback and ends as it must.

The end state is checked at the parties themselves (PowerAuth Server REST, the bank's and the SMS
gateway's journals), not only from the journey's own report.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mocks.bank.models import Customer
from mocks.framework import AdminClient
from simulator.journey.events import STEPS
from simulator.journey.personas import PERSONAS, Persona, persona
from simulator.journey.runner import JourneyOptions, run_journey
from simulator.journey.world import APPLICATION_ID, Targets, person_for
from simulator.stack import Stack, StackSettings

SEED = 7
FAST = JourneyOptions(sms_timeout=2.0, verification_timeout=20.0, poll_interval=0.05)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackSettings(free_ports=True, seed=SEED)) as running:
        yield running


def _fast_sms(url: str, session: str) -> None:
    """Carrier latency of a tenth of a second, so the suite does not wait seconds per SMS."""
    response = requests.put(f"{url}/_admin/sms-faults", json={"sendSeconds": 0.05, "deliverSeconds": 0.05},
                            headers={"X-Sim-Session": session}, timeout=5)
    assert response.status_code == 200, response.text


def _rest(stack: Stack, session: str, path: str, request_object: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"{stack.urls['wultra']}/powerauth-java-server/rest/v3{path}",
                             json={"requestObject": request_object}, headers={"X-Sim-Session": session},
                             timeout=5)
    assert response.status_code == 200, response.text
    return dict(response.json()["responseObject"])


def _activations(stack: Stack, session: str, user_id: str) -> dict[str, str]:
    listed = _rest(stack, session, "/activation/list", {"userId": user_id, "applicationId": APPLICATION_ID})
    return {a["activationId"]: a["activationStatus"] for a in listed["activations"]}


def _user_id(who: Persona) -> str:
    return str(Customer.from_person(person_for(who, SEED)).to_record()["userId"])


@pytest.mark.parametrize("who", PERSONAS, ids=lambda p: p.name)
def test_persona_ends_as_it_must(stack: Stack, who: Persona) -> None:
    session = f"journey-test-{who.name}-{uuid.uuid4().hex[:6]}"
    _fast_sms(stack.urls["sms-gateway"], session)
    run = run_journey(Targets.from_urls(stack.urls), who, seed=SEED, session=session, options=FAST)

    assert run.as_expected, run.to_json()
    activations = _activations(stack, session, _user_id(who))
    live = {aid: status for aid, status in activations.items() if status != "REMOVED"}
    if who.must_succeed:
        assert [s.number for s in run.steps] == list(STEPS)
        assert live == {run.activation_id: "ACTIVE"}, "exactly the new activation, ACTIVE"
        assert len(activations) == 2, "the old phone's activation is kept, REMOVED"
        return
    assert run.failed_step is not None and run.failed_step.number == who.expected_failure
    assert len(run.steps) == who.expected_failure, "the run stops at the failing step"
    assert "ACTIVE" not in live.values() or who.activation_active, "nothing half-done is ACTIVE"
    if who.known_client:
        assert list(live.values()) == ["ACTIVE" if who.activation_active else "BLOCKED"]
    else:
        assert activations == {}
        bank = AdminClient(stack.urls["bank"], session=session)
        assert bank.journal(path="/otp/send", session=session) == [], "no OTP is sent for an unknown client"


def test_each_step_records_its_calls_and_the_run_is_json(stack: Stack) -> None:
    session = f"journey-json-{uuid.uuid4().hex[:6]}"
    _fast_sms(stack.urls["sms-gateway"], session)
    run = run_journey(Targets.from_urls(stack.urls), persona("honest-id-card"), seed=SEED, session=session,
                      options=FAST)
    data = run.to_json()
    assert data["ok"] is True and data["persona"] == "honest-id-card" and data["seed"] == SEED
    assert data["activation_id"] == run.activation_id
    assert [s["number"] for s in data["steps"]] == list(range(1, 12))
    for step in data["steps"]:
        assert step["ok"] is True and step["ms"] > 0 and step["name"]
    by_number = {s["number"]: s for s in data["steps"]}
    assert any(c["url"].endswith("/pa/v3/activation/status") for c in by_number[1]["calls"])
    assert any(c["url"].endswith("/api/onboarding/start") for c in by_number[2]["calls"])
    assert any("/handsets/" in c["url"] for c in by_number[2]["calls"])
    assert any(c["url"].endswith("/api/v2/claim/verify/capture") for c in by_number[6]["calls"])
    assert any(c["url"].endswith("/pa/v3/activation/create") for c in by_number[9]["calls"])
    assert any(c["url"].endswith("/rest/v3/signature/verify") for c in by_number[11]["calls"])
    assert all(c["status"] < 500 for s in data["steps"] for c in s["calls"])


def test_one_otp_travels_wultra_to_bank_to_sms_gateway_in_the_journals(stack: Stack) -> None:
    """The chain of step 2 as each party journaled it: Wultra calls the bank's /otp/send, the bank
    calls the gateway's send, the gateway delivers to the handset - with the OTP masked everywhere."""
    session = f"journey-chain-{uuid.uuid4().hex[:6]}"
    _fast_sms(stack.urls["sms-gateway"], session)
    run = run_journey(Targets.from_urls(stack.urls), persona("honest-id-card"), seed=SEED, session=session,
                      options=FAST)
    assert run.ok

    def journal(party: str, path: str) -> list[dict[str, Any]]:
        return AdminClient(stack.urls[party], session=session).journal(path=path, session=session)

    [start] = journal("wultra", "/api/onboarding/start")
    to_bank = [c for c in start["outbound"] if c["url"].endswith("/otp/send")]
    assert len(to_bank) == 1 and to_bank[0]["status"] == 200
    [otp_send] = journal("bank", "/otp/send")
    assert otp_send["responseBody"] == {"otpSent": True}
    assert otp_send["requestBody"]["otpCode"] == "***"
    to_gateway = [c for c in otp_send["outbound"] if c["url"].endswith("/Messages.json")]
    assert len(to_gateway) == 1 and to_gateway[0]["status"] == 201
    [send] = journal("sms-gateway", "/Messages.json")
    phone = person_for(persona("honest-id-card"), SEED).phone_number
    assert send["requestBody"]["To"] == phone and send["requestBody"]["Body"] == "***"


def test_journeys_sharing_a_pool_end_as_they_must_and_borrow_its_connections(stack: Stack) -> None:
    """A load client's kept-alive pool: every session of successive journeys borrows its connections.

    (The threaded development server closes each connection after its response, so here the pool
    reconnects; it is the production server and real parties that keep connections open.)"""
    from simulator.journey.connections import SharedConnections

    targets = Targets.from_urls(stack.urls)
    pool = SharedConnections()
    try:
        for who in (persona("honest-id-card"), persona("impostor")):
            session = f"journey-pool-{who.name}-{uuid.uuid4().hex[:6]}"
            _fast_sms(stack.urls["sms-gateway"], session)
            run = run_journey(targets, who, seed=SEED, session=session, options=FAST, connections=pool)
            assert run.as_expected, run.failed_step
        ports = {port for _scheme, _host, port in pool.origins()}
        party_ports = {int(url.rsplit(":", 1)[1]) for url in stack.urls.values()}
        assert party_ports - {int(stack.urls["bank"].rsplit(":", 1)[1])} <= ports <= party_ports
    finally:
        pool.shutdown()
