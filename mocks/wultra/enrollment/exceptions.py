"""Typed Enrollment Server errors and their envelope.

The real server answers ``{"status":"ERROR","responseObject":{"code":"ERR_…","message":…}}``:
``ERR_ACTIVATION`` (400), ``ERR_AUTHENTICATION`` (401, message ``POWER_AUTH_SIGNATURE_INVALID``),
``ERR_ENCRYPTION``, ``ERR_SECURE_VAULT``, ``ERR_TEMPORARY_KEY``, ``ERR_USER_INFO``.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import MappedEnvelope, MockError


def _build(code: str, message: str, _err: MockError) -> dict[str, Any]:
    return {"status": "ERROR", "responseObject": {"code": code, "message": message}}


ENVELOPE = MappedEnvelope(
    build=_build,
    codes={
        "validation": "ERR_GENERIC",
        "malformed_json": "ERR_GENERIC",
        "bad_base64": "ERR_GENERIC",
        "unsupported_media_type": "ERR_GENERIC",
        "not_found": "ERR_GENERIC",
        "method_not_allowed": "ERR_GENERIC",
        "too_large": "ERR_GENERIC",
        "internal": "ERR_GENERIC",
    },
    default_code="ERR_GENERIC",
)


class EnrollmentError(MockError):
    """Base of the Enrollment Server's errors: the class fixes code, HTTP status and canned message.

    The real server answers with a fixed message per code (it does not tell a client why its
    request failed); the reason is kept on the exception for the journal and logs.
    """

    error_code = "ERR_GENERIC"
    http_status = 400
    canned_message = "UNKNOWN_ERROR"

    def __init__(self, reason: str = "") -> None:
        super().__init__(self.canned_message, status=self.http_status, code=self.error_code,
                         details={"reason": reason} if reason else None)
        self.reason = reason


class ActivationFailedError(EnrollmentError):
    error_code = "ERR_ACTIVATION"
    canned_message = "POWER_AUTH_ACTIVATION_INVALID"


class AuthenticationFailedError(EnrollmentError):
    error_code = "ERR_AUTHENTICATION"
    http_status = 401
    canned_message = "POWER_AUTH_SIGNATURE_INVALID"


class TokenAuthenticationFailedError(AuthenticationFailedError):
    canned_message = "POWER_AUTH_TOKEN_INVALID"


class EncryptionFailedError(EnrollmentError):
    error_code = "ERR_ENCRYPTION"
    canned_message = "POWER_AUTH_ENCRYPTION_INVALID"


class TemporaryKeyFailedError(EnrollmentError):
    error_code = "ERR_TEMPORARY_KEY"
    canned_message = "POWER_AUTH_TEMPORARY_KEY_FAILURE"


class SecureVaultFailedError(EnrollmentError):
    error_code = "ERR_SECURE_VAULT"
    canned_message = "POWER_AUTH_SECURE_VAULT_INVALID"
