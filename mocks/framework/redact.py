"""Redaction of secrets before anything reaches the journal or a log line.

An OTP, PIN or token must never be readable from a mock's journal (the conformance rules forbid it
in logs), yet the journal is exactly what QA engineers read when a scenario fails.  So values are
masked by *name*: headers carrying credentials, and any JSON member, query or form parameter whose
name contains one of the secret words (``otp``, ``pin``, ``secret``, ``password``, ``token`` ...).
Names are split into words (camelCase, snake_case, kebab-case) so ``otpCode`` and ``activation_otp``
are masked while ``mapping`` or ``shipping`` are not.  Booleans and nulls stay visible (``otpSent:
false`` reveals nothing and helps debugging).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

__all__ = ["MASK", "is_secret_name", "redact_environ_headers", "redact_headers", "redact_json",
           "redact_pairs"]

MASK = "***"

SECRET_WORDS = frozenset(
    {"otp", "pin", "puk", "secret", "password", "passwd", "passphrase", "token", "private", "credential",
     "credentials", "cookie", "authorization", "apikey"}
)
_SECRET_SUBSTRINGS = ("password", "secret", "token")
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-admin-token", "x-api-key"}
)
_SCALARS = frozenset({str, int, float, bool, type(None)})
_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@lru_cache(maxsize=8192)
def is_secret_name(name: str) -> bool:
    """Whether a field/parameter/header named ``name`` carries a secret (memoised: names repeat)."""
    words = {w.lower() for w in _WORD_RE.findall(name)}
    if words & SECRET_WORDS:
        return True
    lower = name.lower()
    return any(s in lower for s in _SECRET_SUBSTRINGS)


def _secret(name: str, extra: frozenset[str]) -> bool:
    return is_secret_name(name) or (bool(extra) and name.lower() in extra)


def redact_json(value: Any, *, max_depth: int = 64, extra: frozenset[str] = frozenset()) -> Any:
    """A copy of a JSON value with every secret-named member masked (recursively).

    ``extra`` holds lower-case names a party also treats as secret (the SMS gateway's message text,
    which carries the OTP).
    """
    if max_depth <= 0:
        return MASK
    kind = type(value)
    if kind in _SCALARS:  # most of a parsed body; skips the slow ABC check below
        return value
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            if _secret(name, extra) and item is not None and not isinstance(item, bool):
                out[name] = MASK
            else:
                out[name] = redact_json(item, max_depth=max_depth - 1, extra=extra)
        return out
    if isinstance(value, list | tuple):
        return [redact_json(item, max_depth=max_depth - 1, extra=extra) for item in value]
    return value


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict with credentials masked (``X-PowerAuth-*`` included)."""
    out: dict[str, str] = {}
    for name, value in headers:
        out[name] = MASK if _is_secret_header(name) else value
    return out


def _is_secret_header(name: str) -> bool:
    lower = name.lower()
    return lower in _SECRET_HEADERS or lower.startswith("x-powerauth-") or is_secret_name(name)


#: WSGI environ key -> (header name as werkzeug spells it, secret?, only when non-empty?), or None
#: for a key that is no header.
_ENVIRON_KEYS: dict[str, tuple[str, bool, bool] | None] = {}
_ENVIRON_KEYS_MAX = 4096  # header names come from clients: the memo stays bounded


def _environ_key(key: str) -> tuple[str, bool, bool] | None:
    if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
        name = key[5:].replace("_", "-").title()
        return name, _is_secret_header(name), False
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        name = key.replace("_", "-").title()
        return name, _is_secret_header(name), True
    return None


def redact_environ_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """``redact_headers`` of a WSGI request's headers, read straight from its environ.

    Same names, order and masking as ``redact_headers(request.headers.items())`` (werkzeug's
    ``EnvironHeaders``: ``HTTP_*`` keys, plus ``CONTENT_TYPE``/``CONTENT_LENGTH`` when not empty),
    with each key's name and verdict memoised: the same few keys come with every request.
    """
    out: dict[str, str] = {}
    known = _ENVIRON_KEYS
    for key, value in environ.items():
        try:
            entry = known[key]
        except KeyError:
            entry = _environ_key(key)
            if len(known) < _ENVIRON_KEYS_MAX:
                known[key] = entry
        if entry is None or (entry[2] and not value):
            continue
        out[entry[0]] = MASK if entry[1] else value
    return out


def redact_pairs(pairs: Iterable[tuple[str, str]], *, extra: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Query or form parameters as a dict (repeated names → list), secrets masked."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        shown = MASK if _secret(name, extra) else value
        if name in out:
            existing = out[name]
            out[name] = [*existing, shown] if isinstance(existing, list) else [existing, shown]
        else:
            out[name] = shown
    return out
