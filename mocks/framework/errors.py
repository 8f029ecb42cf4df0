"""Typed mock errors and the per-party error envelope.

Every failure a mock reports travels as a :class:`MockError`: an HTTP status, a party-neutral ``kind``
(what went wrong, e.g. ``"validation"``), a ``code`` and a human message.  The framework's error handlers
turn any such error -- and every malformed-input case Flask/werkzeug/pydantic can raise -- into one
response rendered by the party's :data:`ErrorEnvelope`, so a PowerAuth-style mock answers
``{"status":"ERROR","responseObject":{"code":"ERR0024",...}}`` while another party answers in its own
shape, and the handlers never format error bodies themselves.

Handlers read their input through :func:`parse_body` and :func:`decode_base64`, which raise the right
4xx instead of letting ``json``/``binascii``/``pydantic`` exceptions escape as 500s.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from flask import current_app, g, request
from pydantic import BaseModel, BeforeValidator, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from simulator.encoding import b64decode_strict, b64encode, json_loads

from .redact import redact_json

__all__ = [
    "JOURNAL_SECRETS_CONFIG_KEY",
    "KIND_STATUS",
    "Base64Str",
    "ErrorEnvelope",
    "InvalidBase64Error",
    "MalformedJsonError",
    "MappedEnvelope",
    "MockError",
    "RequestValidationError",
    "UnsupportedMediaTypeError",
    "decode_base64",
    "journal_secrets",
    "parse_body",
    "problem_envelope",
    "read_body",
    "validation_error_from",
]

JSONValue = Any
"""A value that ``json.dumps`` accepts; kept as ``Any`` because recursive aliases confuse pydantic."""

#: Default HTTP status for each party-neutral error kind the framework itself raises.
KIND_STATUS: Mapping[str, int] = {
    "bad_request": 400,
    "malformed_json": 400,
    "validation": 400,
    "bad_base64": 400,
    "invalid_session": 400,
    "unauthorized": 401,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "too_large": 413,
    "unsupported_media_type": 415,
    "injected_fault": 503,
    "upstream": 502,
    "internal": 500,
}


class MockError(Exception):
    """An error a mock reports to its caller (status + kind + code + message).

    ``kind`` is the framework-level category the party's envelope maps to its own code; ``code``
    defaults to the upper-cased kind so that an envelope without a mapping still says something
    precise.  ``details`` carries machine-readable extras (the offending field, the allowed methods,
    a party's ``remainingAttempts`` ...) that an envelope may copy into the body.
    """

    kind: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        kind: str | None = None,
        code: str | None = None,
        details: Mapping[str, JSONValue] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.message = message
        self.status = status if status is not None else KIND_STATUS.get(self.kind, 400)
        if not 400 <= self.status <= 599:
            raise ValueError(f"MockError status must be 4xx or 5xx, got {self.status}")
        self.code = code if code is not None else self.kind.upper()
        self.details: dict[str, JSONValue] = dict(details or {})
        self.headers: dict[str, str] = dict(headers or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, kind={self.kind!r}, message={self.message!r})"


class MalformedJsonError(MockError):
    """The body is not syntactically valid JSON (or is empty / not UTF-8)."""

    kind = "malformed_json"


class UnsupportedMediaTypeError(MockError):
    """The request's ``Content-Type`` is not the one the endpoint accepts."""

    kind = "unsupported_media_type"


class RequestValidationError(MockError):
    """The body is valid JSON but misses fields or has fields of the wrong type."""

    kind = "validation"


class InvalidBase64Error(MockError):
    """A field that must carry Base64 does not (bad alphabet, bad padding, wrong type)."""

    kind = "bad_base64"


# --------------------------------------------------------------------------- envelopes

ErrorEnvelope = Callable[[MockError], tuple[dict[str, JSONValue], int]]
"""Renders an error as ``(json_body, http_status)`` in one party's wire format."""


def problem_envelope(error: MockError) -> tuple[dict[str, JSONValue], int]:
    """RFC 9457-like body; the framework's own default (and the admin API's envelope)."""
    body: dict[str, JSONValue] = {
        "type": f"urn:rsim:error:{error.kind}",
        "title": error.code,
        "status": error.status,
        "detail": error.message,
    }
    body.update(error.details)
    return body, error.status


@dataclass(frozen=True)
class MappedEnvelope:
    """An envelope built from a body shape plus a kind → code (and optional kind → status) table.

    ``build(code, message, error)`` returns the party's body; ``codes`` maps framework kinds to the
    party's codes (an error raised with an explicit party ``code`` keeps it: a party's own errors
    already speak its language).  ``statuses`` overrides the HTTP status per kind, for parties that
    answer e.g. a dependency failure with 409 instead of 502.
    """

    build: Callable[[str, str, MockError], dict[str, JSONValue]]
    codes: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, int] = field(default_factory=dict)
    default_code: str | None = None

    def __call__(self, error: MockError) -> tuple[dict[str, JSONValue], int]:
        explicit = error.code != error.kind.upper()
        code = error.code if explicit else self.codes.get(error.kind, self.default_code or error.code)
        status = self.statuses.get(error.kind, error.status)
        return self.build(code, error.message, error), status


# --------------------------------------------------------------------------- input helpers

M = TypeVar("M", bound=BaseModel)

_JSON_MIMETYPES = ("application/json",)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def validation_error_from(exc: ValidationError, *, prefix: str = "") -> RequestValidationError:
    """Turn a pydantic ``ValidationError`` into a 4xx naming every offending field."""
    problems: list[dict[str, str]] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(part) for part in err.get("loc", ()))
        where = f"{prefix}{loc}" if loc else prefix.rstrip(".") or "$"
        problems.append({"field": where, "error": err["msg"]})
    summary = "; ".join(f"{p['field']}: {p['error']}" for p in problems[:5])
    if len(problems) > 5:
        summary += f"; ... ({len(problems) - 5} more)"
    return RequestValidationError(f"invalid request: {summary}", details={"errors": problems})


#: Flask config key holding the mock's body limit (the app's ``MAX_CONTENT_LENGTH`` is one byte more,
#: so a chunked body that reaches the limit can be told apart from one that exceeds it).
MAX_BODY_CONFIG_KEY = "RSIM_MAX_REQUEST_BYTES"

#: Flask config key: lower-case body field names this party's journal masks besides the usual secrets.
JOURNAL_SECRETS_CONFIG_KEY = "RSIM_JOURNAL_SECRET_FIELDS"


def journal_secrets() -> frozenset[str]:
    """The extra secret field names of the current app's journal (see ``JOURNAL_SECRETS_CONFIG_KEY``)."""
    names = current_app.config.get(JOURNAL_SECRETS_CONFIG_KEY)
    return _lowered(tuple(names)) if names else frozenset()


@functools.lru_cache(maxsize=64)
def _lowered(names: tuple[object, ...]) -> frozenset[str]:
    """The set built once per distinct setting (read for every journaled request)."""
    return frozenset(str(n).lower() for n in names)


#: ``flask.g`` attribute: (body bytes, redacted parsed body) left by :func:`parse_body` for the journal.
PARSED_BODY_KEY = "mock_parsed_body"


def read_body() -> bytes:
    """The request body, or 413 when it exceeds the mock's limit (with or without Content-Length)."""
    raw = request.get_data(cache=True)
    limit = current_app.config.get(MAX_BODY_CONFIG_KEY)
    if isinstance(limit, int) and len(raw) > limit:
        raise RequestEntityTooLarge()
    return raw


def parse_body(model: type[M]) -> M:
    """Parse the current request's JSON body into ``model`` or raise the matching 4xx.

    Order of checks mirrors what a client can get wrong: media type (415), empty / non-UTF-8 /
    syntactically bad JSON including NaN and Infinity (400 ``malformed_json``), then the model's
    shape and types (400 ``validation``).  Size is enforced earlier (413) by the app's limit.
    """
    mimetype = request.mimetype or ""
    if not (mimetype in _JSON_MIMETYPES or mimetype.endswith("+json")):
        raise UnsupportedMediaTypeError(
            f"expected Content-Type application/json, got {request.content_type or 'none'}"
        )
    raw = read_body()
    if not raw.strip():
        raise MalformedJsonError("request body is empty; a JSON document is required")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedJsonError(f"request body is not UTF-8 (byte {exc.start})") from None
    try:
        data = json_loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise MalformedJsonError(f"malformed JSON{where}: {reason}") from None
    except RecursionError:
        raise MalformedJsonError("malformed JSON: nested too deeply") from None
    if getattr(g, "mock_exchange", None) is not None:
        # The journal needs this very parse (redacted now: the handler never sees this copy).
        setattr(g, PARSED_BODY_KEY, (raw, redact_json(data, extra=journal_secrets())))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error_from(exc) from None


def decode_base64(
    value: object, *, field: str = "value", urlsafe: bool = False, max_bytes: int | None = None
) -> bytes:
    """Strictly decode Base64 (canonical alphabet, padding required, no whitespace) or raise a 4xx.

    Lenient decoders silently drop junk characters, which would let a malformed request pass as a
    different valid one; the real services reject it, so the mocks do too.
    """
    if not isinstance(value, str):
        raise InvalidBase64Error(f"{field}: expected a Base64 string, got {type(value).__name__}",
                                 details={"field": field})
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError:
        raise InvalidBase64Error(f"{field}: Base64 must be ASCII", details={"field": field}) from None
    if len(raw) % 4:
        raise InvalidBase64Error(f"{field}: Base64 length must be a multiple of 4", details={"field": field})
    try:
        if urlsafe:
            if any(c in raw for c in b"+/"):
                raise binascii.Error("standard alphabet character in URL-safe Base64")
            decoded = base64.b64decode(raw.replace(b"-", b"+").replace(b"_", b"/"), validate=True)
        else:
            decoded = b64decode_strict(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBase64Error(f"{field}: invalid Base64 ({exc})", details={"field": field}) from None
    encode = base64.urlsafe_b64encode if urlsafe else b64encode
    if encode(decoded) != raw:
        # Non-zero trailing bits: not the canonical encoding of any byte string.
        raise InvalidBase64Error(f"{field}: non-canonical Base64", details={"field": field})
    if max_bytes is not None and len(decoded) > max_bytes:
        raise InvalidBase64Error(f"{field}: decoded data exceeds {max_bytes} bytes", details={"field": field})
    return decoded


def _validate_b64_str(value: object) -> str:
    try:  # the decoding check (SIMD: tens of microseconds for an image of hundreds of kB)
        decode_base64(value, field="value")
    except InvalidBase64Error as exc:
        raise ValueError(exc.message.removeprefix("value: ")) from None
    return str(value)


Base64Str = Annotated[str, BeforeValidator(_validate_b64_str)]
"""A pydantic field type: a string that must be strict, canonical Base64 (kept as text)."""
