"""Signing and checking whole HTTP requests: the glue between signatures, tokens and headers.

The device signs a request into an ``X-PowerAuth-Authorization`` header (or builds an
``X-PowerAuth-Token`` header); the server parses the header and verifies it against the request
it received. Keeping both directions here means the mock and the device cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.counter import CTR_DATA_LENGTH, next_ctr_data
from simulator.powerauth.errors import SignatureFormatError
from simulator.powerauth.headers import AuthorizationHeader, TokenHeader
from simulator.powerauth.signature import (
    DEFAULT_LOOK_AHEAD,
    SignatureFormat,
    SignatureKeys,
    SignatureMatch,
    SignatureType,
    compute_signature,
    signature_data,
    verify_signature,
)
from simulator.powerauth.token import compute_token_digest, verify_token_digest
from simulator.powerauth.versions import ProtocolVersion, parse_version

NONCE_LENGTH = 16


@dataclass(slots=True)
class ClientCounter:
    """The device's counter state: ``CTR_DATA`` and the signature counter byte.

    Both advance after *every* signature the device computes, whether or not the server accepts it.
    """

    ctr_data: bytes
    ctr_byte: int = 0

    def __post_init__(self) -> None:
        if len(self.ctr_data) != CTR_DATA_LENGTH:
            raise SignatureFormatError(f"ctrData must be {CTR_DATA_LENGTH} bytes")

    def advance(self) -> None:
        """Move to the next counter value."""
        self.ctr_data = next_ctr_data(self.ctr_data)
        self.ctr_byte = (self.ctr_byte + 1) & 0xFF


def sign_request(
    *,
    version: ProtocolVersion | str,
    activation_id: str,
    application_key: str,
    application_secret: str,
    keys: SignatureKeys,
    signature_type: SignatureType | str,
    counter: ClientCounter,
    method: str,
    uri_id: str,
    body: bytes,
    nonce: bytes | None = None,
) -> AuthorizationHeader:
    """Device: sign a request (format chosen by version) and advance the counter."""
    ver = parse_version(version, SignatureFormatError)
    sig_type = SignatureType.parse(signature_type) if isinstance(signature_type, str) else signature_type
    nonce = nonce if nonce is not None else os.urandom(NONCE_LENGTH)
    data = signature_data(method, uri_id, nonce, body, application_secret)
    fmt = SignatureFormat.for_version(ver)
    signature = compute_signature(keys, sig_type, counter.ctr_data, data, fmt)
    counter.advance()
    return AuthorizationHeader(
        ver.value, activation_id, application_key, b64encode(nonce), sig_type, signature
    )


def verify_request(
    header: AuthorizationHeader,
    *,
    application_secret: str,
    keys: SignatureKeys,
    ctr_data: bytes,
    method: str,
    uri_id: str,
    body: bytes,
    look_ahead: int = DEFAULT_LOOK_AHEAD,
) -> SignatureMatch | None:
    """Server: check the header's signature over the received request within the look-ahead window."""
    nonce = b64decode(header.nonce, what="pa_nonce", length=NONCE_LENGTH, error=SignatureFormatError)
    data = signature_data(method, uri_id, nonce, body, application_secret)
    fmt = SignatureFormat.for_version(header.version)
    return verify_signature(
        header.signature, keys, header.signature_type, ctr_data, data, fmt, look_ahead=look_ahead
    )


def token_header(
    *,
    version: ProtocolVersion | str,
    token_id: str,
    token_secret: bytes,
    now_ms: int,
    nonce: bytes | None = None,
) -> TokenHeader:
    """Device: an ``X-PowerAuth-Token`` header for the current time."""
    ver = parse_version(version, SignatureFormatError)
    nonce = nonce if nonce is not None else os.urandom(NONCE_LENGTH)
    digest = compute_token_digest(token_secret, nonce, now_ms, ver)
    return TokenHeader(ver.value, token_id, b64encode(digest), b64encode(nonce), str(now_ms))


def verify_token_header(header: TokenHeader, token_secret: bytes) -> bool:
    """Server: does the header's digest match the token secret? (Timestamp window checked separately.)"""
    return verify_token_digest(
        token_secret, header.nonce, header.timestamp, header.version, header.token_digest
    )
