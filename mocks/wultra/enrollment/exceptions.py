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
