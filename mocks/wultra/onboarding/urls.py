"""Routes of the Onboarding Server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from . import responses

CONTEXT_PATH = "/enrollment-server-onboarding"

ROUTES: dict[str, Callable[..., Any]] = {
    "/api/configuration": responses.configuration,
    "/api/onboarding/start": responses.onboarding_start,
    "/api/onboarding/status": responses.onboarding_status,
    "/api/onboarding/otp/resend": responses.onboarding_otp_resend,
    "/api/onboarding/cleanup": responses.onboarding_cleanup,
    "/api/identity/init": responses.identity_init,
    "/api/identity/status": responses.identity_status,
    "/api/identity/cleanup": responses.identity_cleanup,
    "/api/identity/consent/text": responses.consent_text,
    "/api/identity/consent/approve": responses.consent_approve,
    "/api/identity/document/submit": responses.document_submit,
    "/api/v2/identity/document/submit": responses.document_submit,
    "/api/identity/document/status": responses.document_status,
    "/api/identity/presence-check/init": responses.presence_check_init,
    "/api/identity/presence-check/submit": responses.presence_check_submit,
    "/api/identity/otp/resend": responses.otp_resend,
    "/api/identity/otp/verify": responses.otp_verify,
    "/api/identity/activation": responses.identity_activation,
}


def onboarding_blueprint() -> Blueprint:
    """A fresh blueprint (one per app, so several apps can live in one process)."""
    bp = Blueprint("onboarding_server", __name__, url_prefix=CONTEXT_PATH)
    for path, handler in ROUTES.items():
        endpoint = path.strip("/").replace("/", "_")
        bp.add_url_rule(path, endpoint=endpoint, view_func=handler, methods=["POST"])
    return bp
