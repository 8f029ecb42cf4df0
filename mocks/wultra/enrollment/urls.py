"""Routes of the Enrollment Server device API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from . import activation, secured, system

CONTEXT_PATH = "/enrollment-server"

ROUTES: dict[str, Callable[..., Any]] = {
    "/pa/v3/status": system.server_status,
    "/pa/v3/keystore/create": system.keystore_create,
    "/pa/v3/activation/create": activation.activation_create,
    "/pa/v3/activation/status": activation.activation_status,
    "/pa/v3/activation/remove": activation.activation_remove,
    "/pa/v3/token/create": secured.token_create,
    "/pa/v3/token/remove": secured.token_remove,
    "/pa/v3/vault/unlock": secured.vault_unlock,
    "/pa/v3/signature/validate": secured.signature_validate,
}

#: Routes that answer more methods than POST (the real ``signature/validate`` takes any of these).
METHODS: dict[str, list[str]] = {"/pa/v3/signature/validate": ["GET", "POST", "PUT", "DELETE"]}


def enrollment_blueprint() -> Blueprint:
    """A fresh blueprint (one per app, so several apps can live in one process)."""
    bp = Blueprint("enrollment_server", __name__, url_prefix=CONTEXT_PATH)
    for path, handler in ROUTES.items():
        endpoint = path.strip("/").replace("/", "_")
        bp.add_url_rule(path, endpoint=endpoint, view_func=handler, methods=METHODS.get(path, ["POST"]))
    return bp
