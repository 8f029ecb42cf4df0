"""The bank adapter's error envelope and its typed errors.

Wultra documents the body an onboarding adapter answers errors with: ``{"errorCode": ..., "message":
...}``, ``ERROR_GENERIC`` (400, a bad request or a business-logic refusal) and ``ERROR_UNAUTHORIZED``
(401).  Every error of this party - its own and the framework's (malformed JSON, validation, unknown
route, oversized body, an injected fault) - is rendered in that shape, so Wultra's REST client (or the
simulated onboarding server) sees the same thing from the mock as from a real bank.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import MappedEnvelope, MockError

__all__ = [
    "ENVELOPE",
    "ERROR_GENERIC",
    "ERROR_NOT_FOUND",
    "ERROR_UNAUTHORIZED",
    "AdapterAuthError",
    "BankError",
    "ClientConflictError",
    "ClientNotFoundError",
    "UnknownUserError",
]

ERROR_GENERIC = "ERROR_GENERIC"
ERROR_UNAUTHORIZED = "ERROR_UNAUTHORIZED"
ERROR_NOT_FOUND = "ERROR_NOT_FOUND"
ERROR_CONFLICT = "ERROR_CONFLICT"
ERROR_INTERNAL = "ERROR_INTERNAL"
ERROR_UNAVAILABLE = "ERROR_UNAVAILABLE"


class BankError(MockError):
    """A business-logic refusal of the adapter (400 ``ERROR_GENERIC`` unless told otherwise)."""

    def __init__(self, message: str, *, status: int = 400, code: str = ERROR_GENERIC,
                 kind: str = "bad_request", details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message, status=status, code=code, kind=kind, details=details, headers=headers)


class UnknownUserError(BankError):
    """A call names a ``userId`` the registry does not hold (only after lookup, so no enumeration)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}: unknown userId")


class AdapterAuthError(BankError):
    """HTTP Basic credentials are required by the configuration and are missing or wrong."""

    def __init__(self) -> None:
        super().__init__("missing or wrong HTTP Basic credentials", status=401, code=ERROR_UNAUTHORIZED,
                         kind="unauthorized", headers={"WWW-Authenticate": 'Basic realm="bank adapter"'})


class ClientNotFoundError(BankError):
    """Admin API: no customer with that userId in the session's registry (404)."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"no client with userId {user_id[:80]!r}", status=404, code=ERROR_NOT_FOUND,
                         kind="not_found")


class ClientConflictError(BankError):
    """Admin API: a customer would share a userId, client number, phone or document number (409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=409, code=ERROR_CONFLICT, kind="conflict")


def _build(code: str, message: str, err: MockError) -> dict[str, Any]:
    body: dict[str, Any] = {"errorCode": code, "message": message}
    if "errors" in err.details:
        body["errors"] = err.details["errors"]
    return body


ENVELOPE = MappedEnvelope(
    build=_build,
    codes={
        "bad_request": ERROR_GENERIC,
        "validation": ERROR_GENERIC,
        "malformed_json": ERROR_GENERIC,
        "bad_base64": ERROR_GENERIC,
        "unsupported_media_type": ERROR_GENERIC,
        "invalid_session": ERROR_GENERIC,
        "too_large": ERROR_GENERIC,
        "method_not_allowed": ERROR_GENERIC,
        "unauthorized": ERROR_UNAUTHORIZED,
        "not_found": ERROR_NOT_FOUND,
        "conflict": ERROR_CONFLICT,
        "injected_fault": ERROR_UNAVAILABLE,
        "upstream": ERROR_UNAVAILABLE,
        "internal": ERROR_INTERNAL,
    },
    default_code=ERROR_GENERIC,
)
