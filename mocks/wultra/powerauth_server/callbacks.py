"""Callback URLs (``application/callback/*``) and the ACTIVATION_STATUS_CHANGE notification.

When an activation's status changes (key exchange, commit, block - by hand or for too many failed
attempts - unblock, removal, expiry), the server POSTs
``{"type": "ACTIVATION", "activationId": …, <selected attributes>}`` to every activation callback of
the activation's application.  Calls go through the framework's outbound client, so they carry the
session header and appear in the journal; one attempt is made, after the change is stored, and a
receiver that is down or answers an error never affects the request that caused the change (the
real server queues and retries; a test that needs a retry can replay it from the journal).
"""

from __future__ import annotations

from typing import Any

from mocks.framework import UpstreamError, outbound, random_uuid, rng, store

from . import models
from .exceptions import InvalidRequestError

Record = dict[str, Any]

ACTIVATION_CALLBACK = "ACTIVATION_STATUS_CHANGE"
OPERATION_CALLBACK = "OPERATION_STATUS_CHANGE"
ACTIVATION_ATTRIBUTES = ("userId", "activationName", "deviceInfo", "platform", "protocol", "activationFlags",
                         "activationStatus", "blockedReason", "applicationId")
CALLBACK_TIMEOUT = (1.0, 3.0)


def _key(application_id: str, callback_id: str) -> str:
    return f"callback:{application_id}:{callback_id}"


def _check_attributes(attributes: list[str]) -> list[str]:
    unknown = sorted(set(attributes) - set(ACTIVATION_ATTRIBUTES))
    if unknown:
        raise InvalidRequestError(f"unknown callback attributes: {', '.join(unknown)}")
    return list(dict.fromkeys(attributes))


def create_callback(*, application_id: str, name: str, callback_type: str, url: str,
                    attributes: list[str]) -> Record:
    """Register a callback for an existing application."""
    models.get_application(application_id)
    callback_id = random_uuid(rng("callback-ids"))
    record: Record = {"id": callback_id, "applicationId": application_id, "name": name,
                      "type": callback_type, "callbackUrl": url, "attributes": _check_attributes(attributes)}
    store().put(_key(application_id, callback_id), record)
    return record


def list_callbacks(application_id: str) -> list[Record]:
    """The application's callbacks, by name then id."""
    models.get_application(application_id)
    found = [r for r in store().scan(f"callback:{application_id}:").values() if isinstance(r, dict)]
    return sorted(found, key=lambda r: (r["name"], r["id"]))


def update_callback(*, application_id: str, callback_id: str, name: str, url: str,
                    attributes: list[str]) -> Record:
    """Change name, URL and attributes (ERR0024 when the callback does not exist)."""
    checked = _check_attributes(attributes)

    def change(current: Any) -> Any:
        if current is None:
            raise InvalidRequestError(f"callback {callback_id!r} does not exist")
        current.update(name=name, callbackUrl=url, attributes=checked)
        return current

    return store().update(_key(application_id, callback_id), change)


def remove_callback(callback_id: str) -> bool:
    """Drop a callback by id, whatever its application."""
    for key, record in store().scan("callback:").items():
        if isinstance(record, dict) and record["id"] == callback_id:
            return store().delete(key)
    return False


def payload(activation: Record, attributes: list[str]) -> Record:
    """What one callback receives for an activation."""
    body: Record = {"type": "ACTIVATION", "activationId": activation["activationId"]}
    for name in attributes:
        body[name] = "powerauth" if name == "protocol" else activation.get(name)
    return body


def notify_status_change(activation: Record) -> None:
    """POST the activation's new status to its application's activation callbacks (best effort)."""
    prefix = f"callback:{activation['applicationId']}:"
    for record in store().scan(prefix).values():
        if not isinstance(record, dict) or record["type"] != ACTIVATION_CALLBACK:
            continue
        try:
            outbound().post(record["callbackUrl"], json=payload(activation, record["attributes"]),
                            timeout=CALLBACK_TIMEOUT)
        except UpstreamError:
            continue  # the journal holds the failed call; the change itself stands
