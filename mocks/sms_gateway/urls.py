"""Routes: the Twilio-shaped API, the handset inboxes and the party's own admin endpoint."""

from __future__ import annotations

from flask import Blueprint

from mocks.framework.admin import require_admin_token

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

    bp.before_request(require_admin_token)

    bp.add_url_rule("", view_func=responses.get_sms_faults, methods=["GET"])
    bp.add_url_rule("", view_func=responses.put_sms_faults, methods=["PUT"])
    bp.add_url_rule("", view_func=responses.clear_sms_faults, methods=["DELETE"])
    return bp
