"""Activation history, signature audit, rename, bulk status update and the error list over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mocks.framework import AdminClient
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient

VALIDATE = ("/pa/v3/signature/validate", "/pa/signature/validate")


def _history(pas: PasClient, activation_id: str) -> list[tuple[str, str | None]]:
    items = pas.ok("/activation/history", {"activationId": activation_id})["items"]
    return [(i["activationStatus"], i["eventReason"]) for i in items]


def test_history_follows_the_lifecycle(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.2")
    for _ in range(5):
        phone.post_signed(*VALIDATE, {}, wrong_knowledge=True)
    pas.ok("/activation/unblock", {"activationId": phone.activation_id})
    pas.ok("/activation/block", {"activationId": phone.activation_id, "reason": "LOST_PHONE"})
    pas.ok("/activation/remove", {"activationId": phone.activation_id})
    assert _history(pas, phone.activation_id) == [
        ("CREATED", None),
        ("PENDING_COMMIT", None),
        ("ACTIVE", None),
        ("BLOCKED", "MAX_FAILED_ATTEMPTS"),
        ("ACTIVE", None),
        ("BLOCKED", "LOST_PHONE"),
        ("REMOVED", None),
    ]
    window = pas.ok(
        "/activation/history", {"activationId": phone.activation_id, "timestampFrom": "2999-01-01T00:00:00Z"}
    )
    assert window["items"] == []


def test_expiry_is_in_the_history(pas: PasClient, admin: AdminClient, application: dict[str, Any]) -> None:
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    admin.advance_clock(301)
    assert _history(pas, init["activationId"]) == [("CREATED", None), ("REMOVED", "ACTIVATION_EXPIRED")]


def test_signature_audit_lists_each_verification(activated: Callable[..., Any], pas: PasClient) -> None:
    phone = activated("3.3")
    phone.post_signed(*VALIDATE, {})
    phone.post_signed(*VALIDATE, {}, wrong_knowledge=True)
    items = pas.ok("/signature/list", {"userId": "alice"})["items"]
    assert [(i["valid"], i["signatureType"], i["activationCounter"]) for i in items] == [
        (True, "POSSESSION_KNOWLEDGE", 1),
        (False, "POSSESSION_KNOWLEDGE", 1),
    ]
    assert pas.ok("/signature/list", {"userId": "bob"})["items"] == []
    assert pas.ok("/signature/list", {"userId": "alice", "applicationId": "other"})["items"] == []


def test_rename_and_bulk_status_update(activated: Callable[..., Any], pas: PasClient) -> None:
    first, second = activated("3.2", "gina"), activated("3.2", "gina")
    renamed = pas.ok(
        "/activation/name/update", {"activationId": first.activation_id, "activationName": "Old"}
    )
    assert renamed == {
        "activationId": first.activation_id,
        "activationName": "Old",
        "activationStatus": "ACTIVE",
    }
    ids = [first.activation_id, second.activation_id]
    assert (
        pas.error(
            "/activation/status/update", {"activationIds": [*ids, "missing"], "activationStatus": "BLOCKED"}
        )
        == "ERR0009"
    )
    statuses = {a["activationStatus"] for a in pas.ok("/activation/list", {"userId": "gina"})["activations"]}
    assert statuses == {"ACTIVE"}
    assert pas.ok("/activation/status/update", {"activationIds": ids, "activationStatus": "BLOCKED"})[
        "updated"
    ]
    statuses = {a["activationStatus"] for a in pas.ok("/activation/list", {"userId": "gina"})["activations"]}
    assert statuses == {"BLOCKED"}
    assert (
        pas.error("/activation/status/update", {"activationIds": ids, "activationStatus": "GONE"})
        == "ERR0024"
    )


def test_error_list(pas: PasClient) -> None:
    errors = {e["code"]: e["value"] for e in pas.ok("/error/list", {"language": "en"})["errors"]}
    assert {"ERR0009", "ERR0024", "ERR0045"} <= set(errors) and all(errors.values())
