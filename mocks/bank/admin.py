"""The bank's own admin endpoints (beside the framework's ``/_admin/``): the client registry and the
alert jobs, acting on the session of ``?session=`` or the ``X-Sim-Session`` header."""

from __future__ import annotations

from flask import Response, jsonify, request

from mocks.framework import current_session, parse_body, store
from mocks.framework.isolation import validate_session
from mocks.framework.store import SessionStore

from . import registry
from .alert import get_alert, list_alerts
from .consents import list_consents
from .evaluation import list_results
from .events import list_events
from .exceptions import BankError
from .faults import AlertFaults, clear_faults, load_faults, save_faults
from .models import ClientStatus, Customer, GenerateClientsRequest, StatusChangeRequest

__all__ = [
    "add_client",
    "clear_alert_faults",
    "clear_clients",
    "delete_client",
    "generate_clients",
    "get_alert_faults",
    "get_client",
    "list_alerts_view",
    "list_approvals_view",
    "list_clients",
    "list_consents_view",
    "list_evaluations_view",
    "list_events_view",
    "patch_client",
    "put_alert_faults",
    "show_alert",
]


def _store() -> SessionStore:
    arg = request.args.get("session")
    return store() if arg is None else store().store.bind(validate_session(arg))


def _session() -> str:
    arg = request.args.get("session")
    return current_session() if arg is None else validate_session(arg)


def list_clients() -> Response:
    raw = request.args.get("status")
    try:
        status = ClientStatus(raw) if raw is not None else None
    except ValueError:
        raise BankError(f"status must be one of {', '.join(ClientStatus)}") from None
    clients = registry.list_clients(_store(), status=status)
    return jsonify({"session": _session(), "count": len(clients),
                    "clients": [c.to_record() for c in clients]})


def add_client() -> tuple[Response, int]:
    customer = registry.add_client(parse_body(Customer), _store())
    return jsonify(customer.to_record()), 201


def generate_clients() -> tuple[Response, int]:
    body = parse_body(GenerateClientsRequest)
    added, skipped = registry.generate_clients(body.seed, body.count, start=body.start, locale=body.locale,
                                               s=_store())
    return jsonify({"session": _session(), "added": len(added), "skipped": skipped,
                    "clients": [c.to_record() for c in added]}), 201


def get_client(user_id: str) -> Response:
    return jsonify(registry.require_client(user_id, _store()).to_record())


def patch_client(user_id: str) -> Response:
    body = parse_body(StatusChangeRequest)
    return jsonify(registry.set_status(user_id, body.status, _store()).to_record())


def delete_client(user_id: str) -> Response:
    return jsonify({"deleted": registry.delete_client(user_id, _store()).user_id})


def clear_clients() -> Response:
    return jsonify({"session": _session(), "deleted": registry.clear_clients(_store())})


def list_alerts_view() -> Response:
    alerts = list_alerts(_store())
    return jsonify({"session": _session(), "count": len(alerts), "alerts": alerts})


def show_alert(alert_id: str) -> Response:
    record = get_alert(alert_id, _store())
    if record is None:
        raise BankError(f"no alert {alert_id[:64]!r}", status=404, code="ERROR_NOT_FOUND", kind="not_found")
    return jsonify(record)


def list_consents_view() -> Response:
    consents = list_consents(_store(), user_id=request.args.get("userId"))
    return jsonify({"session": _session(), "count": len(consents), "consents": consents})


def list_evaluations_view() -> Response:
    results = list_results("evaluation", _store())
    return jsonify({"session": _session(), "count": len(results), "evaluations": results})


def list_approvals_view() -> Response:
    results = list_results("approval", _store())
    return jsonify({"session": _session(), "count": len(results), "approvals": results})


def list_events_view() -> Response:
    events = list_events(_store(), process_id=request.args.get("processId"),
                         event_type=request.args.get("type"))
    return jsonify({"session": _session(), "count": len(events), "events": events})


def get_alert_faults() -> Response:
    return jsonify(load_faults().model_dump(mode="json", by_alias=True))


def put_alert_faults() -> Response:
    return jsonify(save_faults(parse_body(AlertFaults)).model_dump(mode="json", by_alias=True))


def clear_alert_faults() -> tuple[str, int]:
    clear_faults()
    return "", 204
