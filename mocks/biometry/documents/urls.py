"""Routes of the document API and its admin trust-list endpoint (one blueprint, registered by the app)."""

from __future__ import annotations

from flask import Blueprint

from . import responses, trust_state

BASE = "/api/v1/documents/investigations"


def documents_blueprint() -> Blueprint:
    bp = Blueprint("biometry_documents", __name__)
    bp.add_url_rule(BASE, view_func=responses.create_investigation, methods=["POST"])
    bp.add_url_rule(f"{BASE}/<investigation_id>", view_func=responses.get_investigation, methods=["GET"])
    bp.add_url_rule(
        f"{BASE}/<investigation_id>", view_func=responses.delete_investigation, methods=["DELETE"]
    )
    bp.add_url_rule(f"{BASE}/<investigation_id>/pages", view_func=responses.upload_page, methods=["POST"])
    bp.add_url_rule(
        f"{BASE}/<investigation_id>/pages/<page_id>", view_func=responses.get_page, methods=["GET"]
    )
    bp.add_url_rule(
        f"{BASE}/<investigation_id>/pages/<page_id>", view_func=responses.delete_page, methods=["DELETE"]
    )
    bp.add_url_rule(f"{BASE}/<investigation_id>/chip", view_func=responses.upload_chip, methods=["PUT"])
    bp.add_url_rule(f"{BASE}/<investigation_id>/submit", view_func=responses.submit, methods=["POST"])
    bp.add_url_rule(f"{BASE}/<investigation_id>/portrait", view_func=responses.get_portrait, methods=["GET"])
    bp.add_url_rule("/_admin/document-trust", view_func=trust_state.get_trust, methods=["GET"])
    bp.add_url_rule("/_admin/document-trust", view_func=trust_state.add_trust, methods=["POST"])
    bp.add_url_rule("/_admin/document-trust", view_func=trust_state.replace_trust, methods=["PUT"])
    bp.add_url_rule("/_admin/document-trust", view_func=trust_state.reset_trust, methods=["DELETE"])
    return bp
