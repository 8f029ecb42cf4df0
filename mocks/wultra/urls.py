"""Routes of the PowerAuth Server REST API (every method is POST, as on the real server)."""

from __future__ import annotations

from flask import Blueprint

from . import responses

URL_PREFIX = "/powerauth-java-server/rest/v3"

ROUTES = {
    "/status": responses.system_status,
    "/application/list": responses.application_list,
    "/application/detail": responses.application_detail,
    "/application/detail/version": responses.application_lookup_by_key,
    "/application/create": responses.application_create,
    "/application/version/create": responses.version_create,
    "/application/version/support": responses.version_support,
    "/application/version/unsupport": responses.version_unsupport,
}


def powerauth_server_blueprint() -> Blueprint:
    """A fresh blueprint (one per app, so several apps can live in one process)."""
    bp = Blueprint("powerauth_server", __name__, url_prefix=URL_PREFIX)
    for path, handler in ROUTES.items():
        bp.add_url_rule(path, endpoint=handler.__name__, view_func=handler, methods=["POST"])
    return bp
