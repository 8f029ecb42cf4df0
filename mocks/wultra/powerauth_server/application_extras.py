"""Thin handlers: application roles and application configuration entries."""

from __future__ import annotations

from flask import Response

from . import models
from .responses import ok, request_object
from .schemas import ConfigCreateRequest, ConfigDetailRequest, ConfigRemoveRequest, RolesRequest


def _roles(mode: str) -> Response:
    body = request_object(RolesRequest)
    roles = (
        models.get_application(body.applicationId)["applicationRoles"]
        if mode == "list"
        else models.change_roles(body.applicationId, body.applicationRoles, mode)
    )
    return ok({"applicationId": body.applicationId, "applicationRoles": roles})


def roles_list() -> Response:
    return _roles("list")


def roles_create() -> Response:
    return _roles("create")


def roles_update() -> Response:
    return _roles("update")


def roles_remove() -> Response:
    return _roles("remove")


def _configs(application_id: str, configs: dict[str, list[object]]) -> Response:
    return ok(
        {
            "applicationId": application_id,
            "applicationConfigs": [{"key": k, "values": v} for k, v in sorted(configs.items())],
        }
    )


def config_detail() -> Response:
    body = request_object(ConfigDetailRequest)
    return _configs(body.applicationId, models.get_application(body.applicationId).get("configs", {}))


def config_create() -> Response:
    body = request_object(ConfigCreateRequest)
    models.set_config(body.applicationId, body.key, list(body.values))
    return ok({"applicationId": body.applicationId, "key": body.key, "values": body.values})


def config_remove() -> Response:
    body = request_object(ConfigRemoveRequest)
    models.set_config(body.applicationId, body.key, None)
    return ok({"applicationId": body.applicationId, "key": body.key})
