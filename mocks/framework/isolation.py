"""The isolation key: which simulated "world" a request belongs to.

Parallel scenarios (pytest-xdist workers, thousands of locust users) share one mock process; each sends
``X-Sim-Session: <key>`` and sees only the state, clock offset, random stream, faults and verdicts of
that key.  Requests without the header share the ``default`` world.  The key is validated (short, safe
charset) because it ends up in store keys, journal searches and log lines.
"""

from __future__ import annotations

import re

from flask import g, has_app_context, has_request_context, request

from .errors import MockError

__all__ = [
    "DEFAULT_SESSION",
    "SESSION_HEADER",
    "InvalidSessionError",
    "current_session",
    "resolve_session",
    "validate_session",
]

SESSION_HEADER = "X-Sim-Session"
DEFAULT_SESSION = "default"
_SESSION_ENVIRON_KEY = "HTTP_" + SESSION_HEADER.upper().replace("-", "_")
MAX_SESSION_LENGTH = 64
_SESSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


class InvalidSessionError(MockError):
    """The isolation key is empty, too long or has characters outside ``[A-Za-z0-9._:-]``."""

    kind = "invalid_session"


def validate_session(key: object) -> str:
    """Return ``key`` if it is a valid isolation key, else raise :class:`InvalidSessionError` (400)."""
    if not isinstance(key, str):
        raise InvalidSessionError(f"session key must be a string, got {type(key).__name__}")
    if _SESSION_RE.fullmatch(key) is None:
        shown = key if len(key) <= MAX_SESSION_LENGTH else key[:MAX_SESSION_LENGTH] + "..."
        raise InvalidSessionError(
            f"invalid session key {shown!r}: 1-{MAX_SESSION_LENGTH} characters of A-Z a-z 0-9 . _ : -,"
            " starting with a letter or digit"
        )
    return key


def resolve_session() -> str:
    """Read and validate the isolation key of the current request (header absent → ``default``)."""
    raw = request.environ.get(_SESSION_ENVIRON_KEY)  # what request.headers.get(SESSION_HEADER) reads
    if raw is None:
        return DEFAULT_SESSION
    return validate_session(raw.strip())


def current_session() -> str:
    """The isolation key of the request being handled; ``default`` outside a request.

    The value is resolved once per request by the app's ``before_request`` hook and cached on
    ``flask.g``; a handler, model or outbound call made while handling the request gets the same key.
    """
    if has_app_context():
        cached = g.get("sim_session")
        if cached is not None:
            return str(cached)
    if has_request_context():
        key = resolve_session()
        g.sim_session = key
        return key
    return DEFAULT_SESSION
