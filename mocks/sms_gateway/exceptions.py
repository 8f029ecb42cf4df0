"""Twilio's error envelope and the Twilio error codes the mock answers with.

Twilio answers every API error as ``{"code": 21211, "message": ..., "more_info": ..., "status": 400}``;
the framework's own errors (malformed input, unknown route, wrong method, oversized body, injected
faults) are rendered in that same envelope with the closest Twilio code.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import MappedEnvelope, MockError

__all__ = [
    "ENVELOPE",
    "AuthenticationError",
    "InvalidBodyError",
    "InvalidNumberError",
    "MessageNotFoundError",
    "MissingParameterError",
    "TwilioError",
]

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

# Twilio codes used by the mock.
INVALID_PARAMETER = 21200  # generic: parameter invalid or missing (and malformed requests)
AUTH_FAILED = 20003
NOT_FOUND = 20404
METHOD_NOT_ALLOWED = 20004
INTERNAL = 20500
SERVICE_UNAVAILABLE = 20503
INVALID_TO = 21211
INVALID_FROM = 21212
TO_REQUIRED = 21604
FROM_REQUIRED = 21603
BODY_REQUIRED = 21602
BODY_TOO_LONG = 21617
INVALID_CALLBACK = 21609


class TwilioError(MockError):
    """An error carrying a numeric Twilio code (kept as text in :class:`MockError`)."""

    def __init__(self, message: str, *, code: int, status: int = 400, kind: str = "validation",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message, status=status, kind=kind, code=str(code), headers=headers)


class AuthenticationError(TwilioError):
    """HTTP Basic credentials missing or not those of the configured account (401, 20003)."""

    def __init__(self, message: str = "Authenticate") -> None:
        super().__init__(message, code=AUTH_FAILED, status=401, kind="unauthorized",
                         headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})


class InvalidNumberError(TwilioError):
    """A ``To`` / ``From`` that is not an E.164 number (21211 / 21212)."""


class MissingParameterError(TwilioError):
    """A required parameter is absent (21604 To, 21603 From, 21602 Body)."""


class InvalidBodyError(TwilioError):
    """A body that cannot be sent (empty, or over Twilio's 1600-character limit: 21617)."""


class MessageNotFoundError(TwilioError):
    """No message with that SID in this account (404, 20404)."""

    def __init__(self, sid: str) -> None:
        super().__init__(f"The requested resource /Messages/{sid}.json was not found",
                         code=NOT_FOUND, status=404, kind="not_found")


def _build(code: str, message: str, err: MockError) -> dict[str, Any]:
    numeric: int | str = int(code) if code.isdigit() else code
    return {"code": numeric, "message": message, "more_info": MORE_INFO.format(code=code),
            "status": err.status}


ENVELOPE = MappedEnvelope(
    build=_build,
    codes={
        "bad_request": str(INVALID_PARAMETER),
        "validation": str(INVALID_PARAMETER),
        "malformed_json": str(INVALID_PARAMETER),
        "unsupported_media_type": str(INVALID_PARAMETER),
        "invalid_session": str(INVALID_PARAMETER),
        "too_large": str(INVALID_PARAMETER),
        "unauthorized": str(AUTH_FAILED),
        "not_found": str(NOT_FOUND),
        "method_not_allowed": str(METHOD_NOT_ALLOWED),
        "injected_fault": str(SERVICE_UNAVAILABLE),
        "upstream": str(SERVICE_UNAVAILABLE),
        "internal": str(INTERNAL),
    },
    default_code=str(INVALID_PARAMETER),
)
