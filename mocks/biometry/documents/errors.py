"""Typed errors of the document API, one class per error code of the contract (see the package
docstring). They render in the biometry provider's envelope ``{"error", "error_description"}``."""

from __future__ import annotations

from ..exceptions import ProviderError


class InvalidDocumentKeyError(ProviderError):
    """Missing or wrong ``Authorization: api_key <key>``."""

    error_code = "invalid_key"
    http_status = 401


class InvalidImageError(ProviderError):
    """A page image that is not Base64, not PNG/JPEG, undecodable or too small."""

    error_code = "invalid_image"


class ImageTooLargeError(ProviderError):
    error_code = "image_too_large"
    http_status = 413


class InvalidChipDataError(ProviderError):
    """Chip files that are not Base64, unknown names, a missing mandatory file or an oversized one."""

    error_code = "invalid_chip_data"


class InvestigationNotFoundError(ProviderError):
    error_code = "not_found"
    http_status = 404


class InvalidStateError(ProviderError):
    """The call does not fit the investigation's state (upload after submit, empty submit ...)."""

    error_code = "invalid_state"
    http_status = 409


class ResultNotReadyError(ProviderError):
    error_code = "result_not_ready"
    http_status = 409


class PortraitUnavailableError(ProviderError):
    error_code = "portrait_unavailable"
    http_status = 404


class InvalidQueuedVerdictError(ProviderError):
    """A test queued a document verdict the API cannot apply (see the package docstring)."""

    error_code = "invalid_request"
