"""Thin handlers of ``application/callback/create|update|list|remove``."""

from __future__ import annotations

from flask import Response

from . import callbacks
from .crypto_schemas import (
    CallbackCreateRequest,
    CallbackListRequest,
    CallbackRemoveRequest,
    CallbackUpdateRequest,
)
from .responses import ok, request_object


def callback_create() -> Response:
    body = request_object(CallbackCreateRequest)
    return ok(
        callbacks.create_callback(
            application_id=body.applicationId,
            name=body.name,
            callback_type=body.type,
            url=body.callbackUrl,
            attributes=body.attributes,
        )
    )


def callback_update() -> Response:
    body = request_object(CallbackUpdateRequest)
    return ok(
        callbacks.update_callback(
            application_id=body.applicationId,
            callback_id=body.id,
            name=body.name,
            url=body.callbackUrl,
            attributes=body.attributes,
        )
    )


def callback_list() -> Response:
    body = request_object(CallbackListRequest)
    return ok({"callbackUrlList": callbacks.list_callbacks(body.applicationId)})


def callback_remove() -> Response:
    body = request_object(CallbackRemoveRequest)
    return ok({"id": body.id, "removed": callbacks.remove_callback(body.id)})
