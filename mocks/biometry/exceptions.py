"""The provider's error envelope and typed errors, one class per iProov error code.

iProov answers ``{"error": "<code>", "error_description": "<text>"}``; integrators branch on
``error``. Codes are iProov's own (``invalid_key``, ``invalid_token``, ``no_user``,
``invalid_enrol_image`` ...), plus two the provider's token rules need that iProov folds into
``invalid_token``: ``token_expired`` and ``token_reused`` (named as the biometry spec's reasons),
so a test can tell an expired token from a replayed one.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import MappedEnvelope, MockError


def _build(code: str, message: str, _err: MockError) -> dict[str, Any]:
    return {"error": code, "error_description": message}


ENVELOPE = MappedEnvelope(
    build=_build,
    codes={
        "validation": "invalid_request",
        "malformed_json": "invalid_request",
        "bad_base64": "invalid_request",
        "bad_request": "invalid_request",
        "unsupported_media_type": "invalid_request",
        "method_not_allowed": "invalid_request",
        "too_large": "invalid_request",
        "invalid_session": "invalid_request",
        "not_found": "not_found",
        "conflict": "invalid_request",
        "injected_fault": "server_error",
        "internal": "server_error",
    },
    default_code="server_error",
)


class ProviderError(MockError):
    """A rule of the provider's API was broken: HTTP ``http_status`` with the class's ``error`` code."""

    error_code = "server_error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message, status=self.http_status, code=self.error_code)


class InvalidKeyError(ProviderError):
    """Missing or wrong ``api_key``/``secret``."""

    error_code = "invalid_key"
    http_status = 401


class InvalidAssuranceTypeError(ProviderError):
    """The service provider key is not enabled for the requested assurance type."""

    error_code = "invalid_assurance_type"
    http_status = 403


class MissingDataError(ProviderError):
    """A required field (``resource``, ``token``, ``reason`` ...) is missing or empty."""

    error_code = "missing_data"


class InvalidUserIdError(ProviderError):
    error_code = "invalid_user_id"


class InvalidTokenError(ProviderError):
    """Unknown token, a token of the wrong type, or one issued for another user."""

    error_code = "invalid_token"


class TokenExpiredError(ProviderError):
    error_code = "token_expired"


class TokenReusedError(ProviderError):
    """The token's single use is spent (image already enrolled, capture uploaded, result fetched)."""

    error_code = "token_reused"


class InvalidValidationError(ProviderError):
    """Validate called before the capture finished."""

    error_code = "invalid_validation"


class NoUserError(ProviderError):
    error_code = "no_user"


class AlreadyEnrolledError(ProviderError):
    error_code = "already_enrolled"


class InvalidEnrolImageError(ProviderError):
    """The trusted image is missing, too large, not PNG/JPEG/JP2, undecodable or shows no face."""

    error_code = "invalid_enrol_image"


class InvalidSourceError(ProviderError):
    error_code = "invalid_source"


class InvalidCaptureError(ProviderError):
    """The device's upload is not a capture for this challenge (frame count, size, format)."""

    error_code = "invalid_request"
