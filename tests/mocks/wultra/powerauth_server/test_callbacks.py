"""ACTIVATION_STATUS_CHANGE callbacks reach a real receiver over HTTP, with the selected attributes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, jsonify, request

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient


class Receiver:
    """A bank-side endpoint that records what it is sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.app = Flask("receiver")
        self.app.add_url_rule("/callback", view_func=self.receive, methods=["POST"])

    def receive(self) -> Any:
        with self.lock:
            self.calls.append((request.headers.get("X-Sim-Session", ""), request.get_json()))
        return jsonify({})

    def statuses(self, session: str) -> list[str | None]:
        return [body.get("activationStatus") for s, body in self.calls if s == session]


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, RunningServer]]:
    sink = Receiver()
    with serve_in_thread(sink.app) as running:
        yield sink, running


def test_status_changes_are_posted(
    receiver: tuple[Receiver, RunningServer],
    pas: PasClient,
    admin: AdminClient,
    activated: Callable[..., Any],
) -> None:
    sink, running = receiver
    created = pas.ok(
        "/application/callback/create",
        {
            "applicationId": "app",
            "name": "bank",
            "callbackUrl": running.url + "/callback",
            "attributes": ["userId", "activationStatus", "blockedReason", "protocol"],
        },
    )
    assert pas.ok("/application/callback/list", {"applicationId": "app"})["callbackUrlList"] == [created]
    phone = activated("3.3")
    for _ in range(5):
        phone.post_signed("/pa/v3/signature/validate", "/pa/signature/validate", {}, wrong_knowledge=True)
    pas.ok("/activation/remove", {"activationId": phone.activation_id})
    session = phone.session
    assert sink.statuses(session) == ["PENDING_COMMIT", "ACTIVE", "BLOCKED", "REMOVED"]
    blocked = [body for s, body in sink.calls if s == session][2]
    assert blocked == {
        "type": "ACTIVATION",
        "activationId": phone.activation_id,
        "userId": "alice",
        "activationStatus": "BLOCKED",
        "blockedReason": "MAX_FAILED_ATTEMPTS",
        "protocol": "powerauth",
    }
    outbound = [call for entry in admin.journal() for call in entry.get("outbound", [])]
    assert sum(call["url"].endswith("/callback") for call in outbound) == 4


def test_unreachable_receiver_does_not_break_the_change(pas: PasClient, application: dict[str, Any]) -> None:
    pas.ok(
        "/application/callback/create",
        {
            "applicationId": "app",
            "name": "down",
            "callbackUrl": "http://127.0.0.1:9/nowhere",
            "attributes": [],
        },
    )
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    assert pas.ok("/activation/remove", {"activationId": init["activationId"]})["removed"] is True


def test_callback_crud_and_validation(pas: PasClient, application: dict[str, Any]) -> None:
    base = {"applicationId": "app", "name": "x", "callbackUrl": "http://127.0.0.1:1/x"}
    created = pas.ok("/application/callback/create", base)
    updated = pas.ok(
        "/application/callback/update", {**base, "id": created["id"], "name": "y", "attributes": ["platform"]}
    )
    assert updated["name"] == "y" and updated["attributes"] == ["platform"]
    assert pas.error("/application/callback/create", {**base, "attributes": ["password"]}) == "ERR0024"
    assert pas.error("/application/callback/create", {**base, "callbackUrl": "ftp://x"}) == "ERR0024"
    assert pas.error("/application/callback/create", {**base, "applicationId": "none"}) == "ERR0015"
    assert pas.error("/application/callback/update", {**base, "id": "missing"}) == "ERR0024"
    assert pas.ok("/application/callback/remove", {"id": created["id"]})["removed"] is True
    assert pas.ok("/application/callback/list", {"applicationId": "app"})["callbackUrlList"] == []
