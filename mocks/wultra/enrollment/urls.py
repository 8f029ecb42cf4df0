"""Routes of the Enrollment Server device API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

CONTEXT_PATH = "/enrollment-server"

ROUTES: dict[str, Callable[..., Any]] = {}


def enrollment_blueprint() -> Blueprint:
    """A fresh blueprint (one per app, so several apps can live in one process)."""
    bp = Blueprint("enrollment_server", __name__, url_prefix=CONTEXT_PATH)
    for path, handler in ROUTES.items():
        endpoint = path.strip("/").replace("/", "_")
        bp.add_url_rule(path, endpoint=endpoint, view_func=handler, methods=["POST"])
    return bp
