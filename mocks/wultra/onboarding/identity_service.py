"""Identity-verification calls that are not a step of their own: init, status, cleanup, OTP resend.

Every identity call is bound to the process by the process token (checked before anything else, with
the same answer as for an unknown process) and moves the verification on lazily first.
"""

from __future__ import annotations

from typing import Any

from . import consent, identity_documents, onboarding_service, process, verification
from .exceptions import ProcessLimitError
from .process import Record
from .schemas import IdentityRequest
from .settings import OnboardingSettings
from .verification import MAX_VERIFICATIONS


def load(body: IdentityRequest, application_id: str, settings: OnboardingSettings) -> Record:
    """The caller's live-or-not process after the token check and a lazy step forward."""
    record = process.load(body.processId, application_id, settings)
    process.authenticate(record, body.processToken)
    return identity_documents.advance(record, settings)


def _check_count(record: Record) -> None:
    if record["verification"].get("count", 0) >= MAX_VERIFICATIONS:
        process.fail(record["processId"], "maxFailedAttemptsIdentityVerification", "PROCESS_LIMIT_CHECK")
        raise ProcessLimitError("identity verification attempts are exhausted; the process has failed")


def init(record: Record, settings: OnboardingSettings) -> None:
    """``/api/identity/init``: start (or restart after cleanup) the identity verification."""
    verification.require(record, None, verification.Status.NOT_INITIALIZED)
    consent.require_resolved(record, settings)
    _check_count(record)
    process.update(record["processId"], verification.init)


def status(record: Record, settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/identity/status``."""
    return {**verification.view(record), "config": onboarding_service.config_of(settings),
            "consentRequired": record.get("consentRequired", True)}


def cleanup(record: Record, settings: OnboardingSettings) -> None:
    """``/api/identity/cleanup``: drop the current verification (the app may init a new one)."""
    process.require_live(record)
    _check_count(record)
    process.enforce_score(process.update(record["processId"], verification.reset), settings)


def resend_otp(record: Record, settings: OnboardingSettings) -> None:
    """``/api/identity/otp/resend``: the same OTP rules as ``/api/onboarding/otp/resend``."""
    onboarding_service.resend_otp(record, settings)
