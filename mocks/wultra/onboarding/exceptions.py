"""Typed Onboarding Server errors and their envelope.

``{"status":"ERROR","responseObject":{"code":…,"message":…}}`` with the codes and HTTP statuses of
Wultra's exception handler (``ONBOARDING_FAILED`` 400, ``TOO_MANY_ONBOARDING_PROCESSES`` 429,
``REMOTE_COMMUNICATION_ERROR`` 409, ``ERROR_NOT_FOUND`` 404 …); an error may carry a top-level
``remainingAttempts`` in ``details``.
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
