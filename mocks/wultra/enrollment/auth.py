"""``X-PowerAuth-Authorization`` and ``X-PowerAuth-Token`` checks for protected endpoints.

The Enrollment Server rebuilds REQUEST_DATA from what it received (method, the endpoint's logical
``uriId``, the header's nonce, the raw body bytes exactly as sent) and has the PowerAuth Server
verify it - the same model function as REST ``signature/verify``, so counters, failed attempts and
blocking behave identically.  Any failure is HTTP 401 ``ERR_AUTHENTICATION``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

from flask import request

from mocks.framework.errors import read_body
from mocks.wultra.powerauth_server import signatures, tokens
from mocks.wultra.powerauth_server.exceptions import PowerAuthServerError
from simulator.powerauth.errors import HeaderParseError
from simulator.powerauth.headers import AUTHORIZATION_HEADER, TOKEN_HEADER, AuthorizationHeader, TokenHeader
from simulator.powerauth.signature import SignatureType, normalize_get_query, request_data

from .exceptions import AuthenticationFailedError, TokenAuthenticationFailedError

#: possession plus the 2FA/3FA types (token create/remove, signature validate).
ANY_SIGNATURE = frozenset({
    SignatureType.POSSESSION,
    SignatureType.POSSESSION_KNOWLEDGE,
    SignatureType.POSSESSION_BIOMETRY,
    SignatureType.POSSESSION_KNOWLEDGE_BIOMETRY,
})
#: The default two-factor set (activation remove).
TWO_FACTOR = frozenset({
    SignatureType.POSSESSION_KNOWLEDGE,
    SignatureType.POSSESSION_BIOMETRY,
    SignatureType.POSSESSION_KNOWLEDGE_BIOMETRY,
})


def signed_body() -> bytes:
    """What the signature covers as "body": the raw bytes, or for GET the canonical query string."""
    if request.method == "GET":
        return normalize_get_query(request.query_string.decode("utf-8", errors="replace"))
    return read_body()


@dataclass(frozen=True, slots=True)
class Authenticated:
    """Who signed: the parsed header and the activation as verified."""

    header: AuthorizationHeader
    activation_id: str
    user_id: str
    application_id: str
    signature_type: SignatureType


H = TypeVar("H")


def parsed_header(name: str, parse: Callable[[str], H], error: Callable[[str], Exception]) -> H:
    """The request's ``name`` header parsed by ``parse``; ``error(message)`` when missing or invalid."""
    value = request.headers.get(name)
    if value is None:
        raise error(f"{name} header is missing")
    try:
        return parse(value)
    except HeaderParseError as exc:
        raise error(f"{name} header is invalid: {exc}") from None


def require_signature(uri_id: str, allowed: Collection[SignatureType]) -> Authenticated:
    """Verify the request's signature header for ``uri_id``; 401 on anything short of valid."""
    header = parsed_header(AUTHORIZATION_HEADER, AuthorizationHeader.parse, AuthenticationFailedError)
    if header.signature_type not in allowed:
        raise AuthenticationFailedError(f"signature type {header.signature_type} is not allowed here")
    data = request_data(request.method, uri_id, header.nonce, signed_body())
    try:
        result = signatures.verify_online_signature(
            activation_id=header.activation_id, application_key=header.application_key, data=data,
            signature=header.signature, signature_type=header.signature_type,
            signature_version=header.version,
        )
    except PowerAuthServerError as exc:
        raise AuthenticationFailedError(f"{exc.code}: {exc.message}") from None
    if not result.valid or result.activation is None:
        raise AuthenticationFailedError("signature does not verify")
    return Authenticated(header, header.activation_id, result.activation["userId"],
                         result.activation["applicationId"], header.signature_type)


@dataclass(frozen=True, slots=True)
class TokenAuthenticated:
    """Who presented a valid token."""

    token_id: str
    activation_id: str
    user_id: str
    application_id: str
    signature_type: str


def require_token() -> TokenAuthenticated:
    """Validate ``X-PowerAuth-Token`` (digest, time window, nonce reuse); 401 on failure."""
    header = parsed_header(TOKEN_HEADER, TokenHeader.parse, TokenAuthenticationFailedError)
    try:
        result = tokens.validate_token(token_id=header.token_id, token_digest=header.token_digest,
                                       nonce=header.nonce, timestamp=int(header.timestamp),
                                       protocol_version=header.version)
    except PowerAuthServerError as exc:
        raise TokenAuthenticationFailedError(f"{exc.code}: {exc.message}") from None
    if not result["tokenValid"]:
        raise TokenAuthenticationFailedError("token digest does not verify")
    return TokenAuthenticated(header.token_id, result["activationId"], result["userId"],
                              result["applicationId"], result["signatureType"])
