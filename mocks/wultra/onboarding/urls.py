"""Routes of the Onboarding Server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

CONTEXT_PATH = "/enrollment-server-onboarding"

ROUTES: dict[str, Callable[..., Any]] = {}


def onboarding_blueprint() -> Blueprint:
    """A fresh blueprint (one per app, so several apps can live in one process)."""
    bp = Blueprint("onboarding_server", __name__, url_prefix=CONTEXT_PATH)
    for path, handler in ROUTES.items():
        endpoint = path.strip("/").replace("/", "_")
        bp.add_url_rule(path, endpoint=endpoint, view_func=handler, methods=["POST"])
    return bp
