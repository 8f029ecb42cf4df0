"""One error envelope per Wultra server, chosen by the request's context path.

The three servers share one Flask app (as Wultra deploys them side by side), but each answers errors
in its own dialect: the PowerAuth Server with ``ERR00xx`` codes, the Enrollment and Onboarding Servers
with their own codes.  The framework asks the party for one envelope; this one dispatches.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import has_request_context, request

from mocks.framework import MockError
from mocks.framework.errors import ErrorEnvelope, JSONValue


def by_context_path(envelopes: Mapping[str, ErrorEnvelope], default: ErrorEnvelope) -> ErrorEnvelope:
    """An envelope that renders with ``envelopes[prefix]`` for paths under ``prefix``, else ``default``."""
    ordered = sorted(envelopes.items(), key=lambda item: len(item[0]), reverse=True)

    def render(error: MockError) -> tuple[dict[str, JSONValue], int]:
        path = request.path if has_request_context() else ""
        for prefix, envelope in ordered:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return envelope(error)
        return default(error)

    return render
