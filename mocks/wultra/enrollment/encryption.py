"""ECIES on the Enrollment Server: the ``X-PowerAuth-Encryption`` header and encrypted bodies.

Encrypted endpoints take the ECIES request object itself as the body (no ``requestObject``
wrapper) and answer with the ECIES response object.  The header names version, application key
and, for activation scope, the activation; a signed endpoint takes them from the signature header
instead.
"""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import Field

from mocks.framework import parse_body
from mocks.wultra.powerauth_server.schemas import _Wire
from simulator.powerauth.errors import HeaderParseError
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader

from .exceptions import EnrollmentError


class EciesRequestBody(_Wire):
    """An encrypted request as the device sends it; Base64 and presence rules are checked later."""

    temporaryKeyId: str | None = Field(default=None, max_length=255)
    ephemeralPublicKey: str | None = Field(default=None, max_length=512)
    encryptedData: str | None = Field(default=None, max_length=1_000_000)
    mac: str | None = Field(default=None, max_length=512)
    nonce: str | None = Field(default=None, max_length=512)
    timestamp: int | None = None


def encrypted_body() -> dict[str, Any]:
    """The body's ECIES fields (absent ones left out)."""
    return parse_body(EciesRequestBody).model_dump(exclude_none=True)


def encryption_header(error: type[EnrollmentError]) -> EncryptionHeader:
    """The parsed ``X-PowerAuth-Encryption`` header; missing or malformed raises ``error``."""
    value = request.headers.get(ENCRYPTION_HEADER)
    if value is None:
        raise error(f"{ENCRYPTION_HEADER} header is missing")
    try:
        return EncryptionHeader.parse(value)
    except HeaderParseError as exc:
        raise error(f"{ENCRYPTION_HEADER} header is invalid: {exc}") from None
