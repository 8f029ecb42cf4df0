"""Service-provider credentials: every server-to-server call carries ``api_key`` and ``secret``."""

from __future__ import annotations

import hmac

from ..exceptions import InvalidKeyError
from ..settings import face_settings


def check_credentials(api_key: str | None, secret: str | None) -> None:
    """Raise 401 ``invalid_key`` unless both match the configured pair (compared in constant time)."""
    settings = face_settings()
    key_ok = hmac.compare_digest((api_key or "").encode(), settings.api_key.encode())
    secret_ok = hmac.compare_digest((secret or "").encode(), settings.secret.encode())
    if not (api_key and secret and key_ok and secret_ok):
        raise InvalidKeyError("missing or incorrect api_key/secret for this service provider")
