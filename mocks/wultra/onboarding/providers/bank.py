"""The bank's onboarding adapter ("External Onboarding Services"), called by URL.

Request shapes follow Wultra's REST onboarding provider (2.x: ``processType`` in every call; headers
``X-Correlation-Id`` and ``X-Request-Id``; optional HTTP Basic).  Semantics kept from Wultra:

* ``/user/lookup`` - any failure (error status, unreachable adapter, unusable body) means "no such
  client" and is silent: the process goes on with ``userId = None`` (no enumeration, RX-04);
* ``/otp/send`` - ``otpSent: false`` or any failure is ``ONBOARDING_OTP_FAILED``; the OTP is in the
  request body only (the journal masks it by name);
* ``/consent/text``, ``/consent/storage`` - a failure is ``REMOTE_COMMUNICATION_ERROR`` (409);
* ``/process/event`` - failures are ignored.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import requests

from mocks.framework import UpstreamError, now, outbound, random_uuid, rng

from ..exceptions import OnboardingOtpError, RemoteCommunicationError
from ..settings import OnboardingSettings


@dataclass(frozen=True)
class LookupResult:
    """The bank's ``userId`` for an identification (``None``: not a client, or lookup failed).

    ``consent_required`` is taken from the answer whether or not the client was found (the bank
    answers it alike for everyone), and is true when there is no usable answer - the reactivation
    process type requires a consent - so it tells nobody whether the client exists.
    """

    user_id: str | None
    consent_required: bool = True


def _headers(settings: OnboardingSettings) -> dict[str, str]:
    headers = {"X-Correlation-Id": random_uuid(rng("correlation")),
               "X-Request-Id": random_uuid(rng("correlation"))}
    auth = settings.bank_auth
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return headers


def _post(settings: OnboardingSettings, path: str, body: dict[str, Any]) -> requests.Response:
    return outbound().post(settings.bank_url.rstrip("/") + path, json=body, headers=_headers(settings))


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def lookup_user(settings: OnboardingSettings, *, process_id: str, process_type: str,
                identification: dict[str, Any]) -> LookupResult:
    """``POST /user/lookup``; a failure of any kind is "unknown client" (Wultra's silent rule)."""
    try:
        response = _post(settings, "/user/lookup", {"processId": process_id, "processType": process_type,
                                                    "identification": identification})
    except UpstreamError:
        return LookupResult(None)
    body = _json_object(response) if response.status_code == 200 else None
    if body is None:
        return LookupResult(None)
    user_id = body.get("userId")
    consent = body.get("consentRequired") is not False
    return LookupResult(user_id if isinstance(user_id, str) and user_id else None, consent_required=consent)


def send_otp(settings: OnboardingSettings, *, process_id: str, process_type: str, user_id: str,
             language: str, otp_code: str, otp_type: str, resend: bool) -> None:
    """``POST /otp/send``; anything but ``{"otpSent": true}`` raises ``ONBOARDING_OTP_FAILED``."""
    body = {"processId": process_id, "processType": process_type, "userId": user_id, "language": language,
            "otpCode": otp_code, "otpType": otp_type, "resend": resend}
    try:
        response = _post(settings, "/otp/send", body)
    except UpstreamError:
        raise OnboardingOtpError("the OTP could not be delivered: the bank adapter is unreachable") from None
    answer = _json_object(response) if response.status_code == 200 else None
    if answer is None or answer.get("otpSent") is not True:
        raise OnboardingOtpError(f"the OTP could not be delivered (adapter answered {response.status_code})")


def process_event(settings: OnboardingSettings, record: dict[str, Any], event_type: str,
                  event_data: dict[str, Any]) -> None:
    """``POST /process/event`` in the 2.2 shape; failures are ignored (the event only informs).

    Types: ``DOCUMENT_VERIFICATION_FINISHED``, ``PRESENCE_CHECK_FINISHED``, ``PROCESS_FINISHED``.
    """
    verification_id = record.get("verification", {}).get("id")
    body = {"id": random_uuid(rng("event-ids")), "timestamp": now().isoformat(), "type": event_type,
            "userId": record["userId"], "externalUserId": None, "processId": record["processId"],
            "processType": record["processType"], "identityVerificationId": verification_id,
            "eventData": event_data}
    try:
        _post(settings, "/process/event", body)
    except UpstreamError:
        return


def evaluate_client(settings: OnboardingSettings, *, process_id: str, process_type: str, user_id: str,
                    verification_id: str, investigation_id: str,
                    extracted_data: dict[str, Any] | None) -> bool | None:
    """``POST /client/evaluate``: ``True`` (OK), ``False`` (NOK), ``None`` (no usable answer: retry)."""
    body = {"processId": process_id, "processType": process_type, "identityVerificationId": verification_id,
            "userId": user_id, "verificationId": investigation_id, "provider": "documents",
            "extractedData": [extracted_data] if extracted_data else []}
    try:
        response = _post(settings, "/client/evaluate", body)
    except UpstreamError:
        return None
    answer = _json_object(response) if response.status_code == 200 else None
    result = answer.get("result") if answer is not None else None
    if result == "OK":
        return True
    if result == "NOK":
        return False
    return None


def consent_text(settings: OnboardingSettings, *, process_id: str, process_type: str, user_id: str | None,
                 language: str, consent_type: str) -> str:
    """``POST /consent/text``: the HTML the app shows; a failure is ``REMOTE_COMMUNICATION_ERROR``."""
    body = {"processId": process_id, "processType": process_type, "userId": user_id, "language": language,
            "consentType": consent_type}
    response = _post(settings, "/consent/text", body)
    answer = _json_object(response) if response.status_code == 200 else None
    text = answer.get("consentText") if answer is not None else None
    if not isinstance(text, str):
        raise RemoteCommunicationError(f"the bank adapter answered {response.status_code} to /consent/text")
    return text


def store_consent(settings: OnboardingSettings, *, process_id: str, process_type: str, user_id: str,
                  consent_type: str, approved: bool) -> None:
    """``POST /consent/storage``; anything but a 2xx is ``REMOTE_COMMUNICATION_ERROR``."""
    body = {"processId": process_id, "processType": process_type, "userId": user_id,
            "consentType": consent_type, "approved": approved}
    response = _post(settings, "/consent/storage", body)
    if not 200 <= response.status_code < 300:
        raise RemoteCommunicationError(
            f"the bank adapter answered {response.status_code} to /consent/storage")
