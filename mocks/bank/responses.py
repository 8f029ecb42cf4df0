"""Thin handlers of the onboarding adapter and of the alert service's delivery-report endpoint."""

from __future__ import annotations

import hmac

from flask import Response, jsonify, request

from mocks.framework import parse_body
from mocks.sms_gateway.signature import SIGNATURE_HEADER, valid_signature

from .alert import record_delivery_report, send_otp
from .consents import store_consent, text_for
from .evaluation import approve, evaluate
from .events import record_event
from .exceptions import AdapterAuthError, BankError
from .models import (
    ClientApprovalRequest,
    ClientEvaluateRequest,
    ConsentStorageRequest,
    ConsentTextRequest,
    OtpSendRequest,
    ProcessEventRequest,
    UserLookupRequest,
)
from .registry import adapter_lookup
from .settings import bank_settings

__all__ = [
    "check_adapter_auth",
    "client_approval",
    "client_evaluate",
    "consent_storage",
    "consent_text",
    "otp_send",
    "process_event",
    "sms_status",
    "user_lookup",
]

STATUS_CALLBACK_PATH = "/alerts/sms-status"


def check_adapter_auth() -> None:
    """HTTP Basic on every adapter call when the settings name credentials (Wultra's optional auth)."""
    settings = bank_settings()
    if settings.adapter_username is None:
        return
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None or auth.password is None:
        raise AdapterAuthError()
    ok_user = hmac.compare_digest(auth.username.encode(), settings.adapter_username.encode())
    ok_pass = hmac.compare_digest(auth.password.encode(), (settings.adapter_password or "").encode())
    if not (ok_user and ok_pass):
        raise AdapterAuthError()


def user_lookup() -> Response:
    """``{userId, consent, consentRequired}``; an unknown client gets the same shape with ``userId``
    null, the same status and the same consent answer - nothing else tells the two apart."""
    body = parse_body(UserLookupRequest)
    settings = bank_settings()
    customer = adapter_lookup(body.identification)
    return jsonify({
        "userId": customer.user_id if customer is not None else None,
        "consent": "REQUIRED" if settings.consent_required else "NOT_REQUIRED",
        "consentRequired": settings.consent_required,
    })


def otp_send() -> Response:
    body = parse_body(OtpSendRequest)
    callback_base = request.host_url.rstrip("/") + STATUS_CALLBACK_PATH
    correlation = request.headers.get("X-Correlation-Id")
    outcome = send_otp(body, bank_settings(), default_callback_base=callback_base,
                       correlation_id=correlation[:128] if correlation else None)
    return jsonify({"otpSent": outcome.sent})


def consent_text() -> Response:
    return jsonify({"consentText": text_for(parse_body(ConsentTextRequest), bank_settings())})


def consent_storage() -> tuple[str, int]:
    store_consent(parse_body(ConsentStorageRequest))
    return "", 204


def client_evaluate() -> Response:
    return jsonify(evaluate(parse_body(ClientEvaluateRequest)))


def client_approval() -> Response:
    return jsonify(approve(parse_body(ClientApprovalRequest), bank_settings().approval_min_score))


def process_event() -> Response:
    record_event(parse_body(ProcessEventRequest))
    return jsonify({})


def sms_status() -> tuple[str, int]:
    """A delivery report from the SMS gateway: signed with the account's auth token (Twilio's
    ``X-Twilio-Signature``), form-encoded, naming the alert in the callback URL's query."""
    params = request.form.to_dict()
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given or not valid_signature(bank_settings().sms_auth_token, request.url, params, given):
        raise BankError("delivery report with a missing or invalid signature", status=401,
                        code="ERROR_UNAUTHORIZED", kind="unauthorized")
    alert_id = request.args.get("alert", "")
    if not alert_id or record_delivery_report(alert_id, params) is None:
        raise BankError("delivery report for an unknown alert or message", status=404,
                        code="ERROR_NOT_FOUND", kind="not_found")
    return "", 204
