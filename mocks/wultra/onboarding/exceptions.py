"""Typed Onboarding Server errors and their envelope.

``{"status":"ERROR","responseObject":{"code":…,"message":…}}`` with the codes and HTTP statuses of
Wultra's exception handler (``ONBOARDING_FAILED`` 400, ``TOO_MANY_ONBOARDING_PROCESSES`` 429,
``REMOTE_COMMUNICATION_ERROR`` 409, ``ERROR_NOT_FOUND`` 404 …); an error may carry a top-level
``remainingAttempts`` in ``details``.

Errors are never encrypted (as on the real server, only successful bodies travel under ECIES), so
their messages stay generic where a detail would tell an outsider something about the client.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import MappedEnvelope, MockError


def _build(code: str, message: str, err: MockError) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "ERROR", "responseObject": {"code": code, "message": message}}
    if "remainingAttempts" in err.details:
        body["remainingAttempts"] = err.details["remainingAttempts"]
    return body


ENVELOPE = MappedEnvelope(
    build=_build,
    codes={
        "validation": "INVALID_REQUEST",
        "malformed_json": "INVALID_REQUEST",
        "bad_base64": "INVALID_REQUEST",
        "unsupported_media_type": "INVALID_REQUEST",
        "not_found": "ERROR_NOT_FOUND",
        "method_not_allowed": "INVALID_REQUEST",
        "too_large": "INVALID_REQUEST",
        "upstream": "REMOTE_COMMUNICATION_ERROR",
        "internal": "ERROR_GENERIC",
    },
    statuses={"upstream": 409},
    default_code="ERROR_GENERIC",
)


class OnboardingError(MockError):
    """Base of the server's own errors: the class fixes code and HTTP status."""

    error_code = "ERROR_GENERIC"
    http_status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, status=self.http_status, code=self.error_code, details=details)


class InvalidRequestError(OnboardingError):
    """The decrypted request is not what the endpoint takes."""

    error_code = "INVALID_REQUEST"


class EncryptionError(OnboardingError):
    """The ECIES envelope or its header is missing, malformed, unauthentic or replayed."""

    error_code = "ERR_ENCRYPTION"


class OnboardingFailedError(OnboardingError):
    """Unknown process, wrong process token, wrong state, or a process that has failed/expired."""

    error_code = "ONBOARDING_FAILED"


class OnboardingOtpError(OnboardingError):
    """OTP delivery failed, or a resend came before the resend period."""

    error_code = "ONBOARDING_OTP_FAILED"


class TooManyProcessesError(OnboardingError):
    """More processes for one client within 24 hours than allowed."""

    error_code = "TOO_MANY_ONBOARDING_PROCESSES"
    http_status = 429


class IdentityVerificationFailedError(OnboardingError):
    """An identity-verification call in a phase that does not allow it."""

    error_code = "IDENTITY_VERIFICATION_FAILED"


class IdentityVerificationLimitError(OnboardingError):
    """Too many failed document uploads: the verification is reset."""

    error_code = "IDENTITY_VERIFICATION_LIMIT_REACHED"
    http_status = 429


class PresenceCheckError(OnboardingError):
    """A presence-check call that cannot proceed (no trusted image, provider refused)."""

    error_code = "PRESENCE_CHECK_FAILED"


class PresenceCheckLimitError(OnboardingError):
    """Presence-check attempts exhausted: the process has failed."""

    error_code = "PRESENCE_CHECK_LIMIT_REACHED"
    http_status = 429


class RemoteCommunicationError(OnboardingError):
    """A provider answered in a way the server cannot use (its own failure, not the client's)."""

    error_code = "REMOTE_COMMUNICATION_ERROR"
    http_status = 409


class ProcessLimitError(OnboardingError):
    """Identity verifications of the process exhausted: the process has failed."""

    error_code = "ONBOARDING_PROCESS_LIMIT_REACHED"
    http_status = 429
