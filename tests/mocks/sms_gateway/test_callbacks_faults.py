"""Status callbacks (signed, retried) and seeded SMS delivery faults."""

from __future__ import annotations

import time
from typing import Any

from mocks.framework import AdminClient
from mocks.sms_gateway.accounts import DEFAULT_AUTH_TOKEN
from mocks.sms_gateway.client import SmsGatewayClient
from mocks.sms_gateway.signature import valid_signature

TO = "+420601234567"


def test_status_callbacks_are_signed_and_follow_the_states(gateway: SmsGatewayClient, admin: AdminClient,
                                                           receiver: Any) -> None:
    sid = gateway.send(TO, "hello", StatusCallback=receiver.url).json()["sid"]
    admin.advance_clock(5)
    gateway.fetch(sid)
    assert receiver.statuses(2) == ["sent", "delivered"]
    for call in receiver.calls:
        assert call["form"]["MessageSid"] == sid
        assert valid_signature(DEFAULT_AUTH_TOKEN, call["url"], call["form"], call["signature"])
        assert not valid_signature("wrong-token", call["url"], call["form"], call["signature"])


def test_background_callbacks_can_be_awaited_in_the_journal(gateway: SmsGatewayClient, admin: AdminClient,
                                                             receiver: Any) -> None:
    sid = gateway.send(TO, "hello", StatusCallback=receiver.url).json()["sid"]
    admin.advance_clock(5)
    gateway.fetch(sid)
    posted = admin.wait_for_journal(2, direction="outbound", method="POST")
    assert [e["path"] for e in posted] == [receiver.url, receiver.url]
    assert [e["status"] for e in posted] == [204, 204]  # what the receiver answers
    try:
        admin.wait_for_journal(3, within=0.2, direction="outbound")
    except TimeoutError as exc:
        assert "2 of 3 journal entries" in str(exc)
    else:
        raise AssertionError("a third callback was never due")


def test_failed_callback_is_retried(gateway: SmsGatewayClient, admin: AdminClient, receiver: Any) -> None:
    receiver.fail_first = 2
    gateway.send(TO, "hello", StatusCallback=receiver.url)
    admin.advance_clock(1)
    gateway.list()
    assert receiver.statuses(3) == ["sent", "sent", "sent"]
    receiver.fail_first = 5
    sid = gateway.send(TO, "again", StatusCallback=receiver.url).json()["sid"]
    admin.advance_clock(1)
    gateway.list()
    assert len(receiver.statuses(6)) == 6
    outcome = _callback_outcome(admin, sid)
    assert outcome == [{"status": "sent", "attempts": 3, "delivered": False, "lastError": "HTTP 500"}], \
        "three attempts, then the gateway gives up"
    assert len(receiver.calls) == 6


def _outcomes(gateway: SmsGatewayClient, admin: AdminClient, faults: dict[str, Any]) -> list[tuple[str, int]]:
    gateway.set_faults(**faults)
    sids = [gateway.send(TO, f"m{i}").json()["sid"] for i in range(12)]
    admin.advance_clock(600)
    statuses = [gateway.fetch(sid).json()["status"] for sid in sids]
    copies = {sid: 0 for sid in sids}
    for entry in gateway.inbox(TO)["messages"]:
        copies[entry["messageSid"]] += 1
    return [(status, copies[sid]) for status, sid in zip(statuses, sids, strict=True)]


def test_delivery_faults_are_reproducible_from_their_seed(gateway: SmsGatewayClient,
                                                          admin: AdminClient) -> None:
    faults = {"seed": 42, "drop": 0.2, "duplicate": 0.3, "undelivered": 0.2, "failed": 0.1}
    first = _outcomes(gateway, admin, faults)
    admin.reset()
    assert _outcomes(gateway, admin, faults) == first
    kinds = {status for status, _ in first}
    assert "delivered" in kinds and len(kinds) > 1  # the faults really hit some messages
    assert all(n == 0 for s, n in first if s != "delivered")


def test_duplicate_delivers_two_copies(gateway: SmsGatewayClient, admin: AdminClient) -> None:
    gateway.set_faults(duplicate=1.0)
    gateway.send(TO, "twice")
    admin.advance_clock(10)
    assert [m["body"] for m in gateway.inbox(TO)["messages"]] == ["twice", "twice"]


def test_delay_holds_delivery_back(gateway: SmsGatewayClient, admin: AdminClient) -> None:
    gateway.set_faults(delay={"probability": 1.0, "minSeconds": 60, "maxSeconds": 60})
    sid = gateway.send(TO, "late").json()["sid"]
    admin.advance_clock(10)
    assert gateway.fetch(sid).json()["status"] == "sent"
    admin.advance_clock(60)
    assert gateway.fetch(sid).json()["status"] == "delivered"


def test_bad_fault_config_is_400(gateway: SmsGatewayClient) -> None:
    response = gateway.http.put(f"{gateway.url}/_admin/sms-faults", json={"drop": 2})
    assert response.status_code == 400


def test_sms_faults_admin_endpoint_requires_the_admin_token() -> None:
    """The party's own ``/_admin/sms-faults`` is guarded exactly like the framework's admin API."""
    import requests

    from mocks.framework import serve_in_thread
    from mocks.sms_gateway.app import create_app

    with serve_in_thread(create_app({"seed": 1, "admin_token": "s3cret-admin"})) as running:
        url = f"{running.url}/_admin/sms-faults"
        refused = requests.put(url, json={"drop": 1.0}, timeout=5)
        assert refused.status_code == 401
        assert requests.get(url, headers={"X-Admin-Token": "wrong"}, timeout=5).status_code == 401
        accepted = requests.put(url, json={"drop": 1.0}, headers={"X-Admin-Token": "s3cret-admin"}, timeout=5)
        assert accepted.status_code == 200, accepted.text
        shown = requests.get(url, headers={"X-Admin-Token": "s3cret-admin"}, timeout=5)
        assert shown.json()["drop"] == 1.0


def _callback_outcome(admin: AdminClient, sid: str, within: float = 10.0) -> Any:
    """The gateway's record of a message's callbacks, once its background posting has written it."""
    deadline = time.monotonic() + within
    while True:
        record = admin.state()["records"].get(f"callbacks:{sid}")
        if record is not None or time.monotonic() > deadline:
            return record["value"] if isinstance(record, dict) and "value" in record else record
        time.sleep(0.01)
