"""``X-Twilio-Signature``: Base64(HMAC-SHA1(auth token, URL + sorted form parameters)).

The receiver of a status callback recomputes it to know the request came from the gateway holding
the account's auth token; the mock signs every callback the same way Twilio does.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac

__all__ = ["SIGNATURE_HEADER", "signature", "valid_signature"]

SIGNATURE_HEADER = "X-Twilio-Signature"


def _material(url: str, params: Mapping[str, str]) -> bytes:
    return (url + "".join(f"{key}{params[key]}" for key in sorted(params))).encode("utf-8")


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The signature header value for a POST of ``params`` to ``url``."""
    mac = hmac.HMAC(auth_token.encode("utf-8"), hashes.SHA1())
    mac.update(_material(url, params))
    return base64.b64encode(mac.finalize()).decode("ascii")


def valid_signature(auth_token: str, url: str, params: Mapping[str, str], given: str) -> bool:
    """Constant-time check of a received signature."""
    mac = hmac.HMAC(auth_token.encode("utf-8"), hashes.SHA1())
    mac.update(_material(url, params))
    try:
        mac.verify(base64.b64decode(given.encode("ascii"), validate=True))
    except (InvalidSignature, binascii.Error, UnicodeEncodeError):
        return False
    return True
