"""What another Wultra server calls in process: the PowerAuth Server's model, one function per method.

The Onboarding and Enrollment Servers share this app with the PowerAuth Server, so they call these
functions instead of the REST API - the same rules, the same state, no HTTP round trip.  Every
function must run inside a request of this app (it reaches the session's store and clock), and
raises the typed ``ERR00xx`` errors of :mod:`.exceptions` on refusal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from simulator.powerauth.errors import HeaderParseError
from simulator.powerauth.headers import AuthorizationHeader
from simulator.powerauth.signature import request_data

from . import activations
from .exceptions import InvalidRequestError
from .signatures import VerificationResult, verify_online_signature

Record = dict[str, Any]

__all__ = [
    "VerificationResult",
    "commit_activation",
    "get_activation",
    "init_activation",
    "list_activations",
    "remove_activation",
    "verify_signature_header",
]


def init_activation(
    user_id: str,
    application_id: str,
    *,
    activation_otp: str | None = None,
    commit_phase: str | None = None,
    max_failure_count: int | None = None,
    expire_at: datetime | None = None,
) -> Record:
    """``activation/init``: a CREATED activation; the record holds ``activationId``, ``activationCode``
    and ``activationSignature`` (what the front-end hands the device)."""
    return activations.init_activation(user_id=user_id, application_id=application_id, expire_at=expire_at,
                                       max_failure_count=max_failure_count, commit_phase=commit_phase,
                                       activation_otp=activation_otp)


def commit_activation(activation_id: str, activation_otp: str | None = None) -> Record:
    """``activation/commit``: PENDING_COMMIT → ACTIVE (ERR0008 from another state, ERR0031 wrong OTP)."""
    return activations.commit_activation(activation_id, activation_otp)


def remove_activation(activation_id: str) -> Record:
    """``activation/remove``: any state → REMOVED (ERR0009 when unknown)."""
    return activations.remove_activation(activation_id)


def get_activation(activation_id: str) -> Record | None:
    """The activation record (expired ones already REMOVED), or ``None``."""
    return activations.find(activation_id)


def list_activations(
    user_id: str, *, application_id: str | None = None, statuses: Iterable[str] | None = None
) -> list[Record]:
    """``activation/list``: the user's activations, oldest first, optionally filtered."""
    wanted = set(statuses) if statuses is not None else None
    return [r for r in activations.all_activations()
            if r["userId"] == user_id
            and (application_id is None or r["applicationId"] == application_id)
            and (wanted is None or r["activationStatus"] in wanted)]


def verify_signature_header(header: str, *, method: str, uri_id: str, body: bytes) -> VerificationResult:
    """Check an ``X-PowerAuth-Authorization`` value against the request it came with.

    Counts failures and blocks exactly like ``signature/verify``; a header that does not parse is
    ERR0024.  ``result.valid`` says whether the request is authentic.
    """
    try:
        parsed = AuthorizationHeader.parse(header)
    except HeaderParseError as exc:
        raise InvalidRequestError(f"invalid signature header: {exc}") from None
    return verify_online_signature(
        activation_id=parsed.activation_id, application_key=parsed.application_key,
        data=request_data(method, uri_id, parsed.nonce, body), signature=parsed.signature,
        signature_type=parsed.signature_type, signature_version=parsed.version,
    )
