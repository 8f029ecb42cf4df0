"""The asynchronous path (PENDING then DONE by polls, by the clock, by release), queued verdicts,
Active Authentication against the investigation's challenge, and cleanup."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from typing import Any

import pytest

from mocks.biometry.app import create_app
from mocks.biometry.documents.settings import RETENTION_SECONDS, TRANSITION_KIND, VERDICT_KIND
from mocks.biometry.documents.trust import seeded_csca
from mocks.framework import AdminClient, RunningServer, serve_in_thread
from simulator.identity.chip.forgery import AttackerKit, Forgery, forge
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.render import passport_data
from simulator.identity.faces.render import portrait_jpeg

from .conftest import BASE, DocApi, Evidence, failed, read_files, validators


def _admin(api: DocApi, server: RunningServer) -> AdminClient:
    return AdminClient(server.url, session=api.http.headers["X-Sim-Session"])


def _submitted_chip_only(api: DocApi, evidence: Evidence) -> str:
    inv = api.create()
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    submitted = api.submit(inv)
    assert submitted.status_code == 202 and submitted.json()["status"] == "PENDING"
    return inv


def test_pending_until_the_nth_poll(api: DocApi, evidence: Evidence, server: RunningServer) -> None:
    _admin(api, server).set_transition(TRANSITION_KIND, "reads", reads=3)
    inv = _submitted_chip_only(api, evidence)
    first, second, third = api.poll(inv), api.poll(inv), api.poll(inv)
    assert [first["status"], second["status"], third["status"]] == ["PENDING", "PENDING", "DONE"]
    assert first["result"] is None and second["completedAt"] is None
    assert third["result"]["verdict"] == "ACCEPTED" and third["completedAt"] is not None
    assert api.portrait(inv).status_code == 200


def test_pending_until_the_virtual_clock_moves(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    admin = _admin(api, server)
    admin.set_transition(TRANSITION_KIND, "time", seconds=30)
    inv = _submitted_chip_only(api, evidence)
    for _ in range(3):
        assert api.poll(inv)["status"] == "PENDING"
    portrait = api.portrait(inv)
    assert portrait.status_code == 409 and portrait.json()["error"] == "result_not_ready"
    admin.advance_clock(31)
    assert api.poll(inv)["status"] == "DONE"


def test_manual_release(api: DocApi, evidence: Evidence, server: RunningServer) -> None:
    admin = _admin(api, server)
    admin.set_transition(TRANSITION_KIND, "manual")
    inv = _submitted_chip_only(api, evidence)
    assert api.poll(inv)["status"] == "PENDING"
    admin.release(TRANSITION_KIND, inv)
    assert api.poll(inv)["status"] == "DONE"


def test_party_default_policy_from_config(evidence: Evidence) -> None:
    config = {"extra": {"document_transition": {"mode": "reads", "reads": 2}}}
    with serve_in_thread(create_app(config)) as running:
        api = DocApi(running.url, "default-policy")
        inv = _submitted_chip_only(api, evidence)
        assert [api.poll(inv)["status"], api.poll(inv)["status"]] == ["PENDING", "DONE"]


def test_queued_rejection_is_forced_and_marked(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    _admin(api, server).push_verdict(VERDICT_KIND, {"verdict": "REJECTED", "reason": "manual_review"})
    inv = api.create()
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    result = api.result(inv)
    assert result["verdict"] == "REJECTED" and result["forced"] is True
    assert result["computedVerdict"] == "ACCEPTED" and failed(result) == {}
    assert result["rejectReason"] == "manual_review"
    # the queue is spent: the next investigation is computed again
    inv2 = api.create()
    api.chip(inv2, read_files(evidence.chip, evidence.passport_lines))
    again = api.result(inv2)
    assert again["forced"] is False and again["verdict"] == "ACCEPTED"


def test_queued_acceptance_overrides_failing_validators(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    _admin(api, server).push_verdict(VERDICT_KIND, {"verdict": "ACCEPTED"})
    inv = api.create(expected=evidence.expected(surname="Somebody Else"))
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    result = api.result(inv)
    assert result["verdict"] == "ACCEPTED" and result["forced"] is True
    assert result["computedVerdict"] == "REJECTED" and result["rejectReasons"] == []
    assert failed(result) == {"data_matches_expected": "data_mismatch"}


def test_malformed_queued_verdict_is_refused_and_the_investigation_stays_open(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    _admin(api, server).push_verdict(VERDICT_KIND, {"verdict": "MAYBE"})
    inv = api.create()
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    refused = api.submit(inv)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    assert api.poll(inv)["status"] == "OPEN"
    assert api.result(inv)["forced"] is False


@pytest.fixture(scope="module")
def aa_chip(evidence: Evidence) -> ChipImage:
    now = dt.datetime.now(dt.UTC)
    return issue_chip(
        evidence.passport_lines,
        evidence.portrait,
        evidence.signer,
        signed_at=now - dt.timedelta(days=1),
        active_authentication=True,
    )


def test_active_authentication_answers_the_investigations_challenge(
    api: DocApi, evidence: Evidence, aa_chip: ChipImage
) -> None:
    created = api.call("POST", BASE, {}).json()
    inv, challenge = created["investigationId"], base64.b64decode(created["chipChallenge"])
    assert len(challenge) == 8
    api.chip(inv, read_files(aa_chip, evidence.passport_lines, challenge=challenge))
    result = api.result(inv)
    assert failed(result) == {}
    assert validators(result)["chip_active_authentication"]["passed"]


def test_active_authentication_on_another_challenge_fails(
    api: DocApi, evidence: Evidence, aa_chip: ChipImage
) -> None:
    inv = api.create()
    api.chip(inv, read_files(aa_chip, evidence.passport_lines))  # reader's own challenge
    result = api.result(inv)
    assert failed(result) == {"chip_active_authentication": "active_authentication_failed"}
    assert "did not issue" in validators(result)["chip_active_authentication"]["message"]


def test_cloned_chip_fails_active_authentication(api: DocApi, evidence: Evidence, aa_chip: ChipImage) -> None:
    kit = AttackerKit.create(
        seeded_csca(passport_data(evidence.person).mrz.issuing_state),
        now=dt.datetime.now(dt.UTC),
        attacker_portrait=portrait_jpeg("eve"),
    )
    cloned = forge(
        Forgery.CLONED_CHIP,
        aa_chip,
        MrzKey.from_mrz_lines(evidence.passport_lines),
        kit,
        now=dt.datetime.now(dt.UTC),
    )
    created = api.call("POST", BASE, {}).json()
    inv, challenge = created["investigationId"], base64.b64decode(created["chipChallenge"])
    api.chip(inv, read_files(cloned.image, evidence.passport_lines, challenge=challenge))
    assert failed(api.result(inv)) == {"chip_active_authentication": "active_authentication_failed"}


def test_cleanup_removes_everything(api: DocApi, evidence: Evidence) -> None:
    inv = api.create()
    page = api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT]).json()
    fetched = api.call("GET", f"{BASE}/{inv}/pages/{page['pageId']}")
    assert fetched.status_code == 200 and fetched.json()["extractedData"]["documentType"] == "PASSPORT"
    api.result(inv)
    assert api.call("DELETE", f"{BASE}/{inv}").status_code == 204
    for path in (f"{BASE}/{inv}", f"{BASE}/{inv}/portrait", f"{BASE}/{inv}/pages/{page['pageId']}"):
        gone = api.call("GET", path)
        assert gone.status_code == 404 and gone.json()["error"] == "not_found"


def test_investigations_are_purged_after_the_retention_period(
    api: DocApi, evidence: Evidence, server: RunningServer
) -> None:
    inv = _submitted_chip_only(api, evidence)
    assert api.poll(inv)["status"] == "DONE"
    admin = _admin(api, server)
    admin.advance_clock(RETENTION_SECONDS - 60)
    assert api.portrait(inv).status_code == 200
    admin.advance_clock(120)
    assert api.call("GET", f"{BASE}/{inv}").status_code == 404
    assert api.portrait(inv).status_code == 404


def test_a_page_can_be_removed_while_open(api: DocApi, evidence: Evidence) -> None:
    inv = api.create()
    wrong = api.page(inv, "ID_CARD", "FRONT", evidence.photos[DocumentKind.ID_BACK]).json()
    assert api.call("DELETE", f"{BASE}/{inv}/pages/{wrong['pageId']}").status_code == 204
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    body = api.poll(inv)
    assert [p["side"] for p in body["pages"]] == ["DATA_PAGE"]
    assert failed(api.result(inv)) == {}


def test_sessions_do_not_see_each_other(server: RunningServer, evidence: Evidence) -> None:
    alice, bob = DocApi(server.url, "iso-alice"), DocApi(server.url, "iso-bob")
    inv = alice.create()
    assert bob.call("GET", f"{BASE}/{inv}").status_code == 404


def test_polls_racing_a_submit_never_see_done_without_a_verdict(
    server: RunningServer, evidence: Evidence
) -> None:
    """The verdict is computed inside submit; polls arriving meanwhile must keep saying PENDING."""
    api = DocApi(server.url, "race-submit")
    inv = api.create()
    api.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT])
    api.chip(inv, read_files(evidence.chip, evidence.passport_lines))
    seen: list[dict[str, Any]] = []
    stop = threading.Event()

    def poller() -> None:
        client = DocApi(server.url, "race-submit")
        while not stop.is_set():
            seen.append(client.poll(inv))

    thread = threading.Thread(target=poller)
    thread.start()
    try:
        assert api.submit(inv).status_code == 202
        while not any(body["status"] == "DONE" for body in seen):
            api.poll(inv)
    finally:
        stop.set()
        thread.join()
    assert {body["status"] for body in seen} <= {"OPEN", "PENDING", "DONE"}
    assert all(body["result"] is not None for body in seen if body["status"] == "DONE")
    assert all(body["result"] is None for body in seen if body["status"] != "DONE")
