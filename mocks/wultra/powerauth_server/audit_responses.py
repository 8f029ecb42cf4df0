"""Thin handlers: activation history, signature audit, rename, bulk status update, error list."""

from __future__ import annotations

from datetime import datetime

from flask import Response

from . import activations, audit
from .activations import iso
from .error_codes import ERROR_CODES
from .responses import ok, request_object
from .schemas import (
    ErrorListRequest,
    HistoryRequest,
    RenameActivationRequest,
    SignatureAuditRequest,
    StatusUpdateRequest,
)


def _seconds(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def activation_history() -> Response:
    body = request_object(HistoryRequest)
    record = activations.get(body.activationId)
    since, until = _seconds(body.timestampFrom), _seconds(body.timestampTo)
    items = [
        {**event, "timestampCreated": iso(event["timestampCreated"])}
        for event in record.get("history", [])
        if (since is None or event["timestampCreated"] >= since)
        and (until is None or event["timestampCreated"] < until)
    ]
    return ok({"items": items})


def signature_list() -> Response:
    body = request_object(SignatureAuditRequest)
    since, until = _seconds(body.timestampFrom), _seconds(body.timestampTo)
    entries = audit.list_entries(
        body.userId,
        body.applicationId,
        int(since * 1000) if since is not None else None,
        int(until * 1000) if until is not None else None,
    )
    return ok({"items": [{**e, "timestampCreated": iso(e["timestampCreated"] / 1000)} for e in entries]})


def activation_rename() -> Response:
    body = request_object(RenameActivationRequest)
    record = activations.rename_activation(body.activationId, body.activationName)
    return ok(
        {
            "activationId": record["activationId"],
            "activationName": record["activationName"],
            "activationStatus": record["activationStatus"],
        }
    )


def activation_status_update() -> Response:
    body = request_object(StatusUpdateRequest)
    for activation_id in body.activationIds:
        activations.get(activation_id)  # all exist, or ERR0009 before anything changes
    for activation_id in body.activationIds:
        activations.force_status(activation_id, body.activationStatus)
    return ok({"updated": True})


def error_list() -> Response:
    request_object(ErrorListRequest)
    return ok({"errors": [{"code": code, "value": value} for code, value in ERROR_CODES.items()]})
