"""The provider API key: ``Authorization: api_key <key>`` on every call (ZenID's scheme)."""

from __future__ import annotations

import hmac

from flask import request

from .errors import InvalidDocumentKeyError
from .settings import document_settings

SCHEME = "api_key"


def check_api_key() -> None:
    """Raise 401 ``invalid_key`` unless the header carries the configured key (constant-time compare)."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    expected = document_settings().api_key
    if (
        scheme.lower() != SCHEME
        or not key
        or not hmac.compare_digest(key.strip().encode(), expected.encode())
    ):
        raise InvalidDocumentKeyError("missing or incorrect 'Authorization: api_key <key>' header")
