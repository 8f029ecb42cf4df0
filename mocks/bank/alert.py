"""The alert service: an OTP handed over by Wultra becomes an SMS to the phone the bank holds.

``send_otp`` resolves the client by ``userId`` (the request never carries a phone number, and none
would be trusted), picks the language, renders the SMS and posts it to the SMS gateway's
Twilio-shaped Messages API through the framework's outbound client, so the call is journaled under
the ``/otp/send`` exchange.  A connection failure, a timeout, a 408/425/429 or a 5xx is retried
(bounded, with a short exponential pause, each try bounded by ``sms_timeout``, so Wultra's call to
``/otp/send`` always gets an answer in time); any other 4xx is final.  ``otpSent`` is true only when
the gateway accepted a message.  As with a real provider, a try that timed out may still be sent
later, so a retry after a timeout can deliver the SMS twice (the same OTP both times).

The OTP never leaves this module except inside the SMS body: it is not stored, not logged, and it is
masked in the journaled copy of the gateway call (request and echoed response), since the journal's
name-based redaction cannot know that Twilio's ``Body`` field holds a secret.

Records (per session): ``alert:{id}`` - one delivery job (client, language, phone, every try and its
result, the message SID, delivery reports received); ``alert-sid:{messageSid}`` → alert id.
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from flask import g

from mocks.framework import Exchange, UpstreamError, now, outbound, store
from mocks.framework.redact import MASK
from mocks.framework.store import SessionStore

from .faults import draw_fault
from .messages import choose_language, otp_sms_text
from .models import ClientStatus, OtpSendRequest
from .registry import adapter_client
from .settings import BankSettings

__all__ = ["ALERT", "AlertOutcome", "list_alerts", "record_delivery_report", "send_otp"]

log = logging.getLogger(__name__)

ALERT = "alert:"
ALERT_BY_SID = "alert-sid:"
RETRYABLE_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class AlertOutcome:
    """What ``/otp/send`` answers (``sent``) and the job's id for the admin view."""

    alert_id: str
    sent: bool
    outcome: str


def _mask(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, MASK)
    if isinstance(value, dict):
        return {k: _mask(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, secret) for v in value]
    return value


def _scrub_last_outbound(secret: str) -> None:
    """Mask ``secret`` in the journaled copy of the outbound call just made."""
    exchange = g.get("mock_exchange")
    if isinstance(exchange, Exchange) and exchange.outbound:
        call = exchange.outbound[-1]
        call.request_body = _mask(call.request_body, secret)
        call.response_body = _mask(call.response_body, secret)


def _basic(settings: BankSettings) -> str:
    pair = f"{settings.sms_account_sid}:{settings.sms_auth_token}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _messages_url(settings: BankSettings) -> str:
    base = settings.sms_gateway_url.rstrip("/")
    return f"{base}/2010-04-01/Accounts/{settings.sms_account_sid}/Messages.json"


def _callback_url(settings: BankSettings, default_base: str, alert_id: str) -> str | None:
    base = settings.status_callback_url if settings.status_callback_url is not None else default_base
    if not base:
        return None
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{urlencode({'alert': alert_id})}"


def _gateway_error(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    code = body.get("code") if isinstance(body, dict) else None
    return f"HTTP {response.status_code}" + (f" (code {code})" if code is not None else "")


def _try_send(settings: BankSettings, form: dict[str, str],
              otp: str) -> tuple[dict[str, Any], str | None, bool]:
    """One post to the gateway: (journal entry of the try, message SID if accepted, retryable?)."""
    headers = {"Authorization": _basic(settings), "Content-Type": "application/x-www-form-urlencoded"}
    try:
        response = outbound().post(_messages_url(settings), data=urlencode(form), headers=headers,
                                   timeout=settings.sms_timeout)
    except UpstreamError as exc:
        return {"error": exc.reason}, None, True
    finally:
        _scrub_last_outbound(otp)
    if response.status_code in (200, 201):
        try:
            body = response.json()
        except ValueError:
            body = None
        sid = body.get("sid") if isinstance(body, dict) else None
        if isinstance(sid, str) and sid:
            return {"status": response.status_code, "messageSid": sid}, sid, False
        return {"status": response.status_code, "error": "answer without a message sid"}, None, True
    retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES
    return {"status": response.status_code, "error": _gateway_error(response)}, None, retryable


def _new_alert(s: SessionStore, req: OtpSendRequest, correlation_id: str | None,
               **fields: Any) -> tuple[str, int]:
    number = s.incr("seq:alerts")
    alert_id = f"alert-{number:06d}"
    record = {
        "id": alert_id,
        "processId": req.process_id,
        "processType": req.process_type,
        "userId": req.user_id,
        "otpType": req.otp_type.value,
        "resend": req.resend,
        "requestedLanguage": req.language,
        "correlationId": correlation_id,
        "createdAt": now().isoformat(),
        "attempts": [],
        "otpSent": False,
        "messageSid": None,
        "deliveryStatus": None,
        "deliveryReports": [],
        **fields,
    }
    s.put(f"{ALERT}{alert_id}", record)
    return alert_id, number


def send_otp(req: OtpSendRequest, settings: BankSettings, *, default_callback_base: str,
             correlation_id: str | None = None) -> AlertOutcome:
    """Deliver the OTP of ``req`` by SMS to the client's registered phone; never raises on delivery.

    ``correlation_id`` (Wultra's ``X-Correlation-Id``) is kept on the alert so a failed delivery can be
    traced back to the onboarding server's call.
    """
    s = store()
    customer = adapter_client(req.user_id)
    if customer is None or customer.status == ClientStatus.CLOSED:
        alert_id, _ = _new_alert(s, req, correlation_id, outcome="UNKNOWN_USER", to=None, language=None)
        log.info("%s: no SMS, userId not a client of the bank", alert_id)
        return AlertOutcome(alert_id, False, "UNKNOWN_USER")

    language = choose_language(req.language, customer.locale)
    alert_id, number = _new_alert(s, req, correlation_id, outcome="SENDING", to=customer.phone_number,
                                  language=language)
    fault = draw_fault(number)
    if fault is not None:
        sent = fault == "drop"  # a dropping alert service claims success
        outcome = "FAULT_DROPPED" if sent else "FAULT_REFUSED"
        s.update(f"{ALERT}{alert_id}", lambda r: None if r is None else {**r, "outcome": outcome,
                                                                          "otpSent": sent, "fault": fault})
        log.info("%s: injected alert fault %s", alert_id, fault)
        return AlertOutcome(alert_id, sent, outcome)
    form = {"To": customer.phone_number, "From": settings.sms_from,
            "Body": otp_sms_text(req.otp_code, req.otp_type, language, bank=settings.bank_name,
                                 resend=req.resend)}
    callback = _callback_url(settings, default_callback_base, alert_id)
    if callback is not None:
        form["StatusCallback"] = callback

    attempts: list[dict[str, Any]] = []
    sid: str | None = None
    for number in range(1, settings.sms_max_attempts + 1):
        entry, sid, retryable = _try_send(settings, form, req.otp_code)
        attempts.append({"attempt": number, "at": now().isoformat(), **entry})
        if sid is not None or not retryable:
            break
        if number < settings.sms_max_attempts:
            time.sleep(settings.backoff(number))

    if sid is not None:
        outcome = "SENT"
        s.put(f"{ALERT_BY_SID}{sid}", alert_id)
    else:
        outcome = "GATEWAY_UNAVAILABLE" if retryable else "GATEWAY_REJECTED"

    def finish(record: dict[str, Any] | None) -> dict[str, Any] | None:
        if record is None:  # the session was reset meanwhile
            return None
        return {**record, "attempts": attempts, "otpSent": sid is not None, "outcome": outcome,
                "messageSid": sid or record.get("messageSid")}

    s.update(f"{ALERT}{alert_id}", finish)
    log.info("%s: OTP SMS %s after %d attempt(s)", alert_id, outcome, len(attempts))
    return AlertOutcome(alert_id, sid is not None, outcome)


def record_delivery_report(alert_id: str, params: dict[str, str]) -> dict[str, Any] | None:
    """Add a gateway status callback to its alert; ``None`` when the alert is unknown or the report
    names another message."""
    s = store()
    sid = params.get("MessageSid", "")
    report = {"messageSid": sid, "status": params.get("MessageStatus", ""),
              "errorCode": params.get("ErrorCode"), "receivedAt": now().isoformat()}

    def add(record: dict[str, Any] | None) -> dict[str, Any] | None:
        if record is None:
            return None
        if record.get("messageSid") not in (None, sid):
            return record
        return {**record, "deliveryReports": [*record["deliveryReports"], report],
                "deliveryStatus": report["status"]}

    updated = s.update(f"{ALERT}{alert_id}", add)
    if updated is None or updated.get("messageSid") not in (None, sid):
        return None
    return dict(updated)


def list_alerts(s: SessionStore | None = None) -> list[dict[str, Any]]:
    """Every alert job of the session, oldest first (their ids are zero-padded sequence numbers)."""
    return list((s or store()).scan(ALERT).values())


def get_alert(alert_id: str, s: SessionStore | None = None) -> dict[str, Any] | None:
    record = (s or store()).get(f"{ALERT}{alert_id}")
    return None if record is None else dict(record)
