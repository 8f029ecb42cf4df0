"""Thin handlers of the PowerAuth Server REST API: parse the envelope, call the model, render."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask import Response, jsonify
from pydantic import BaseModel

from mocks.framework import now, parse_body

from . import models
from .schemas import (
    ApplicationDetailRequest,
    CreateApplicationRequest,
    CreateVersionRequest,
    LookupByAppKeyRequest,
    VersionSupportRequest,
    envelope,
)

T = TypeVar("T", bound=BaseModel)

SERVER_VERSION = "1.9.0"


def request_object(model: type[T]) -> T:
    """The validated ``requestObject`` of the body (ERR0024 when absent or malformed)."""
    return parse_body(envelope(model)).requestObject  # type: ignore[no-any-return]


def ok(payload: Mapping[str, Any]) -> Response:
    return jsonify({"status": "OK", "responseObject": dict(payload)})


def system_status() -> Response:
    return ok({
        "status": "OK",
        "applicationName": "powerauth-server",
        "applicationDisplayName": "PowerAuth Server",
        "applicationEnvironment": "",
        "version": SERVER_VERSION,
        "buildTime": "2025-01-01T00:00:00Z",
        "timestamp": now().isoformat(),
    })


def _public_version(application: Mapping[str, Any], version: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "applicationVersionId": version["applicationVersionId"],
        "applicationKey": version["applicationKey"],
        "applicationSecret": version["applicationSecret"],
        "mobileSdkConfig": models.mobile_sdk_config(application, version),
        "supported": version["supported"],
    }


def application_create() -> Response:
    body = request_object(CreateApplicationRequest)
    record = models.create_application(body.applicationId)
    return ok({"applicationId": record["applicationId"], "applicationRoles": record["applicationRoles"]})


def application_list() -> Response:
    return ok({"applications": [
        {"applicationId": a["applicationId"], "applicationRoles": a["applicationRoles"]}
        for a in models.list_applications()
    ]})


def application_detail() -> Response:
    body = request_object(ApplicationDetailRequest)
    app = models.get_application(body.applicationId)
    return ok({
        "applicationId": app["applicationId"],
        "applicationRoles": app["applicationRoles"],
        "masterPublicKey": app["masterPublicKey"],
        "versions": [_public_version(app, v) for v in app["versions"]],
    })


def application_lookup_by_key() -> Response:
    body = request_object(LookupByAppKeyRequest)
    application, _version = models.find_version_by_key(body.applicationKey)
    return ok({"applicationId": application["applicationId"]})


def version_create() -> Response:
    body = request_object(CreateVersionRequest)
    version = models.create_version(body.applicationId, body.applicationVersionId)
    return ok({key: version[key] for key in
               ("applicationVersionId", "applicationKey", "applicationSecret", "supported")})


def _support(supported: bool) -> Response:
    body = request_object(VersionSupportRequest)
    version = models.set_version_supported(body.applicationId, body.applicationVersionId, supported)
    return ok({"applicationVersionId": version["applicationVersionId"], "supported": version["supported"]})


def version_support() -> Response:
    return _support(True)


def version_unsupport() -> Response:
    return _support(False)
