"""Routes: the Twilio-shaped API, the handset inboxes and the party's own admin endpoint."""

from __future__ import annotations

import hmac

from flask import Blueprint, request

from mocks.framework import MockError, current_runtime
from mocks.framework.admin import ADMIN_TOKEN_HEADER

from . import responses

__all__ = ["admin_blueprint", "api_blueprint"]

ACCOUNT = "/2010-04-01/Accounts/<account_sid>"


def api_blueprint() -> Blueprint:
    bp = Blueprint("sms_gateway", __name__)
    bp.add_url_rule(f"{ACCOUNT}/Messages.json", view_func=responses.create_message, methods=["POST"])
    bp.add_url_rule(f"{ACCOUNT}/Messages.json", view_func=responses.list_messages, methods=["GET"])
    bp.add_url_rule(f"{ACCOUNT}/Messages/<sid>.json", view_func=responses.fetch_message, methods=["GET"])
    bp.add_url_rule("/handsets/<number>/messages", view_func=responses.handset_messages, methods=["GET"])
    bp.add_url_rule("/handsets/<number>/messages/<entry_id>/read",
                    view_func=responses.mark_handset_message_read, methods=["POST"])
    return bp


def admin_blueprint() -> Blueprint:
    """``/_admin/sms-faults``: GET / PUT / DELETE the session's SMS delivery faults."""
    bp = Blueprint("sms_gateway_admin", __name__, url_prefix="/_admin/sms-faults")

    @bp.before_request
    def _check_token() -> None:
        token = current_runtime().config.admin_token
        if token is None:
            return
        given = request.headers.get(ADMIN_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise MockError(f"missing or wrong {ADMIN_TOKEN_HEADER}", status=401, kind="unauthorized",
                            headers={"WWW-Authenticate": ADMIN_TOKEN_HEADER})

    bp.add_url_rule("", view_func=responses.get_sms_faults, methods=["GET"])
    bp.add_url_rule("", view_func=responses.put_sms_faults, methods=["PUT"])
    bp.add_url_rule("", view_func=responses.clear_sms_faults, methods=["DELETE"])
    return bp
