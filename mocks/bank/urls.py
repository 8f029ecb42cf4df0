"""Routes: the onboarding adapter (``ROUTES``, all POST), the delivery-report endpoint and the
party's admin endpoints (``/_admin/clients``, ``alerts``, ``consents``, ``evaluations``, ``approvals``,
``events``, ``alert-faults``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from mocks.framework.admin import require_admin_token

from . import admin, responses

__all__ = ["ROUTES", "adapter_blueprint", "admin_blueprint", "alerts_blueprint"]

#: Adapter path → handler, exactly the calls Wultra's onboarding server makes (all POST).
ROUTES: dict[str, Callable[..., Any]] = {
    "/user/lookup": responses.user_lookup,
    "/otp/send": responses.otp_send,
    "/consent/text": responses.consent_text,
    "/consent/storage": responses.consent_storage,
    "/client/evaluate": responses.client_evaluate,
    "/client/evaluation": responses.client_evaluate,  # the name in Wultra's 2.x documentation
    "/client/approval": responses.client_approval,
    "/process/event": responses.process_event,
}


def adapter_blueprint() -> Blueprint:
    bp = Blueprint("bank_adapter", __name__)
    bp.before_request(responses.check_adapter_auth)
    for path, handler in ROUTES.items():
        bp.add_url_rule(path, endpoint=path.strip("/").replace("/", "_"), view_func=handler, methods=["POST"])
    return bp


def alerts_blueprint() -> Blueprint:
    """Where the SMS gateway posts delivery reports (authenticated by their signature)."""
    bp = Blueprint("bank_alerts", __name__)
    bp.add_url_rule(responses.STATUS_CALLBACK_PATH, view_func=responses.sms_status, methods=["POST"])
    return bp


def admin_blueprint() -> Blueprint:
    bp = Blueprint("bank_admin", __name__, url_prefix="/_admin")
    bp.before_request(require_admin_token)
    bp.add_url_rule("/clients", view_func=admin.list_clients, methods=["GET"])
    bp.add_url_rule("/clients", view_func=admin.add_client, methods=["POST"])
    bp.add_url_rule("/clients", view_func=admin.clear_clients, methods=["DELETE"])
    bp.add_url_rule("/clients/generate", view_func=admin.generate_clients, methods=["POST"])
    bp.add_url_rule("/clients/<user_id>", view_func=admin.get_client, methods=["GET"])
    bp.add_url_rule("/clients/<user_id>", view_func=admin.patch_client, methods=["PATCH"])
    bp.add_url_rule("/clients/<user_id>", view_func=admin.delete_client, methods=["DELETE"])
    bp.add_url_rule("/alerts", view_func=admin.list_alerts_view, methods=["GET"])
    bp.add_url_rule("/alerts/<alert_id>", view_func=admin.show_alert, methods=["GET"])
    bp.add_url_rule("/consents", view_func=admin.list_consents_view, methods=["GET"])
    bp.add_url_rule("/evaluations", view_func=admin.list_evaluations_view, methods=["GET"])
    bp.add_url_rule("/approvals", view_func=admin.list_approvals_view, methods=["GET"])
    bp.add_url_rule("/events", view_func=admin.list_events_view, methods=["GET"])
    bp.add_url_rule("/alert-faults", view_func=admin.get_alert_faults, methods=["GET"])
    bp.add_url_rule("/alert-faults", view_func=admin.put_alert_faults, methods=["PUT"])
    bp.add_url_rule("/alert-faults", view_func=admin.clear_alert_faults, methods=["DELETE"])
    return bp
