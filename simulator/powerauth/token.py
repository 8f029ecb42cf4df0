"""``X-PowerAuth-Token`` digests: a cheap MAC-based authentication for repeated calls.

``digest = HMAC-SHA256(tokenSecret, nonce ‖ "&" ‖ timestamp [‖ "&" ‖ version])`` where the nonce is
the raw 16 bytes, the timestamp its decimal text, and the version suffix appears from 3.2 on.
"""

from __future__ import annotations

import hmac

from simulator.powerauth.codec import b64decode
from simulator.powerauth.errors import TokenError
from simulator.powerauth.kdf import hmac_sha256
from simulator.powerauth.versions import ProtocolVersion, parse_version

TOKEN_SECRET_LENGTH = 16
NONCE_LENGTH = 16
#: Server defaults: how far in the past / future a token timestamp may lie.
TIMESTAMP_PAST_VALIDITY_MS = 7_200_000
TIMESTAMP_FUTURE_VALIDITY_MS = 1_800_000


def _bytes(value: bytes | str, what: str, length: int) -> bytes:
    if isinstance(value, str):
        return b64decode(value, what=what, length=length, error=TokenError)
    if len(value) != length:
        raise TokenError(f"{what} must be {length} bytes, got {len(value)}")
    return value


def _timestamp_text(timestamp: int | str) -> str:
    text = str(timestamp)
    if isinstance(timestamp, bool) or not text.isdigit():
        raise TokenError(f"token timestamp must be decimal Unix milliseconds, got {timestamp!r}")
    return text


def compute_token_digest(
    token_secret: bytes | str, nonce: bytes | str, timestamp: int | str, version: ProtocolVersion | str
) -> bytes:
    """The 32-byte token digest for ``version`` (3.0/3.1 leave the version out)."""
    secret = _bytes(token_secret, "token secret", TOKEN_SECRET_LENGTH)
    raw_nonce = _bytes(nonce, "token nonce", NONCE_LENGTH)
    ver = parse_version(version, TokenError)
    data = raw_nonce + b"&" + _timestamp_text(timestamp).encode("ascii")
    if ver.has_timestamp:
        data += b"&" + ver.value.encode("ascii")
    return hmac_sha256(secret, data)


def verify_token_digest(
    token_secret: bytes | str,
    nonce: bytes | str,
    timestamp: int | str,
    version: ProtocolVersion | str,
    digest: bytes | str,
) -> bool:
    """Constant-time check of a received digest (bytes or its Base64)."""
    received = _bytes(digest, "token digest", 32)
    return hmac.compare_digest(compute_token_digest(token_secret, nonce, timestamp, version), received)


def check_token_timestamp(
    timestamp: int | str,
    now_ms: int,
    *,
    past_ms: int = TIMESTAMP_PAST_VALIDITY_MS,
    future_ms: int = TIMESTAMP_FUTURE_VALIDITY_MS,
) -> None:
    """Raise :class:`TokenError` when the timestamp is too old or too far ahead of ``now_ms``."""
    value = int(_timestamp_text(timestamp))
    if value < now_ms - past_ms:
        raise TokenError("token timestamp is too old")
    if value > now_ms + future_ms:
        raise TokenError("token timestamp is too far in the future")
