"""Typed PowerAuth Server errors and the envelope every error of this party is rendered in.

The real server answers every failure with HTTP 400 and
``{"status":"ERROR","responseObject":{"code":"ERR00xx","message":…,"localizedMessage":…}}``;
clients branch on ``code``, so each rule violation is its own class carrying its code.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import MappedEnvelope, MockError


def _build(code: str, message: str, _err: MockError) -> dict[str, Any]:
    body = {"code": code, "message": message, "localizedMessage": message}
    return {"status": "ERROR", "responseObject": body}


ENVELOPE = MappedEnvelope(
    build=_build,
    codes={
        "validation": "ERR0024",
        "malformed_json": "ERR0024",
        "bad_base64": "ERR0024",
        "unsupported_media_type": "ERR0024",
        "not_found": "ERR0024",
        "method_not_allowed": "ERR0024",
        "too_large": "ERR0024",
        "internal": "ERR0000",
    },
    default_code="ERR0000",
)


class PowerAuthServerError(MockError):
    """Base of the server's rule violations: HTTP 400 with the class's ``ERR`` code."""

    error_code = "ERR0000"

    def __init__(self, message: str) -> None:
        super().__init__(message, status=400, code=self.error_code)


class InvalidApplicationError(PowerAuthServerError):
    """Unknown application, version or application key, or a duplicate application/version."""

    error_code = "ERR0015"


class InvalidRequestError(PowerAuthServerError):
    """The request is well-formed JSON but breaks a rule of the method."""

    error_code = "ERR0024"


class ActivationNotFoundError(PowerAuthServerError):
    error_code = "ERR0009"


class ActivationExpiredError(PowerAuthServerError):
    error_code = "ERR0007"


class IncorrectActivationStateError(PowerAuthServerError):
    error_code = "ERR0008"


class NoUserIdError(PowerAuthServerError):
    error_code = "ERR0001"


class InvalidKeyFormatError(PowerAuthServerError):
    error_code = "ERR0010"


class InvalidInputFormatError(PowerAuthServerError):
    error_code = "ERR0011"


class DecryptionFailedError(PowerAuthServerError):
    error_code = "ERR0018"


class ActivationOtpMismatchError(PowerAuthServerError):
    error_code = "ERR0031"


class InvalidOtpModeError(PowerAuthServerError):
    error_code = "ERR0032"


class NoApplicationIdError(PowerAuthServerError):
    error_code = "ERR0002"


class MissingTemporaryKeyError(PowerAuthServerError):
    error_code = "ERR0045"


class InvalidSignatureError(PowerAuthServerError):
    """A signature that cannot be checked (vault unlock refused because the signature failed)."""

    error_code = "ERR0012"


class TokenGenerationError(PowerAuthServerError):
    error_code = "ERR0019"


class TokenTimestampTooOldError(PowerAuthServerError):
    error_code = "ERR0030"


class TokenTimestampInFutureError(PowerAuthServerError):
    error_code = "ERR0044"


class ActivationCreateError(PowerAuthServerError):
    """The activation could not be created (e.g. the user or its data was refused)."""

    error_code = "ERR0040"
