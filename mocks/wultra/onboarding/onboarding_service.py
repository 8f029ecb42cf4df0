"""Steps 2 and the process housekeeping: start (lookup, OTP to the bank), status, OTP resend, cleanup.

Anti-enumeration (RX-04): a start for somebody the bank does not know runs the same steps - a
process, a token and an OTP are created, the per-day limit counts - except that nothing is sent, and
the answer has the same shape and values.  The OTP is handed only to the bank's ``/otp/send``.
"""

from __future__ import annotations

from typing import Any

from . import otp, process
from .exceptions import InvalidRequestError, OnboardingFailedError, OnboardingOtpError
from .process import OnboardingStatus, Record
from .providers import bank
from .schemas import StartRequest
from .settings import OnboardingSettings

OTP_TYPE = "ACTIVATION"


def config_of(settings: OnboardingSettings) -> dict[str, Any]:
    """The ``config`` object of start/status answers."""
    seconds = int(settings.otp_resend_period)
    return {"otpResendPeriod": f"PT{seconds}S", "otpResendPeriodSeconds": seconds}


def configuration(process_type: str | None, settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/configuration`` (2.x): what the app needs to know about the process type.

    One OTP is sent at start and checked with the face (so ``otpForIdentityVerification``), the
    activation code comes after the verification, and one document suffices: an ID card (two
    sides) or a passport - or its chip (``chipAccepted``, this server's extension).
    """
    chosen = process_type or process.PROCESS_TYPE
    if chosen != process.PROCESS_TYPE:
        raise InvalidRequestError(f"process type {chosen!r} is not enabled on this server")
    return {
        "enabled": True,
        "otpForIdentification": False,
        "otpForIdentityVerification": True,
        "useTemporaryActivation": False,
        "otpResendPeriodSeconds": int(settings.otp_resend_period),
        "documents": {"totalRequiredDocumentsCount": 1, "chipAccepted": True, "groups": [
            {"requiredDocumentsCount": 1, "items": [{"type": "ID_CARD", "sideCount": 2},
                                                     {"type": "PASSPORT", "sideCount": 1}]}]},
    }


def _deliver(record: Record, code: str, settings: OnboardingSettings, *, resend: bool) -> None:
    """Hand the OTP to the bank (known client only); a delivery failure fails the process."""
    if record["userId"] is None:
        return
    try:
        bank.send_otp(settings, process_id=record["processId"], process_type=record["processType"],
                      user_id=record["userId"], language=record["language"], otp_code=code,
                      otp_type=OTP_TYPE, resend=resend)
    except OnboardingOtpError:
        process.fail(record["processId"], "otpDeliveryFailed", "OTP_VERIFICATION")
        raise


def start(application_id: str, body: StartRequest, language: str,
          settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/onboarding/start``: returns the ``responseObject`` (with the process token)."""
    process_type = body.processType or process.PROCESS_TYPE
    if process_type != process.PROCESS_TYPE:
        raise InvalidRequestError(f"process type {process_type!r} is not enabled on this server")
    process_id = process.new_process_id()
    found = bank.lookup_user(settings, process_id=process_id, process_type=process_type,
                             identification=dict(body.identification))
    subject = process.subject_of(application_id, found.user_id, dict(body.identification))
    record, token = process.create(process_id=process_id, application_id=application_id,
                                   user_id=found.user_id, subject=subject, language=language,
                                   consent_required=found.consent_required,
                                   settings=settings)
    code = otp.issue(process_id, settings, resend=False)
    _deliver(record, code, settings, resend=False)
    return {"processId": process_id, "processToken": token,
            "onboardingStatus": record["onboardingStatus"], "config": config_of(settings)}


def status(record: Record, settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/onboarding/status`` answer (no ``config`` once the process has failed)."""
    answer: dict[str, Any] = {"processId": record["processId"],
                              "onboardingStatus": record["onboardingStatus"]}
    if record["onboardingStatus"] != OnboardingStatus.FAILED:
        answer["config"] = config_of(settings)
    return answer


def resend_otp(record: Record, settings: OnboardingSettings) -> None:
    """A new OTP replaces the previous one (30 s after it at the earliest) and goes to the bank."""
    process.require_live(record)
    if record["verification"].get("otpVerified"):
        raise OnboardingOtpError("the OTP was already verified")
    code = otp.issue(record["processId"], settings, resend=True)
    _deliver(record, code, settings, resend=True)


def cleanup(record: Record) -> None:
    """``/api/onboarding/cleanup``: cancel the process (idempotent for an already failed one)."""
    if record["onboardingStatus"] == OnboardingStatus.FINISHED:
        raise OnboardingFailedError("onboarding process is FINISHED")
    process.fail(record["processId"], "canceledProcess", "USER_REQUEST")
