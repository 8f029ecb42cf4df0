"""Claim tokens: ``claim:<token>`` records with a state machine and an expiry on the virtual clock.

Enrol claim: ``issued`` -> ``used`` (trusted image accepted). Verify claim: ``issued`` ->
``processing`` (capture upload took the token; single use even under contention) -> ``captured``
(result stored) -> ``validated`` (server fetched the result once); any unused claim can be
``invalidated``. A token is valid for 2 minutes *to be used*: the capture must start in time, the
result of a timely capture can still be fetched afterwards.

The expiry is kept in the record (not as a store TTL) so an expired token is told apart from an
unknown one; the store TTL (1 h) only bounds memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mocks.framework import now, rng, store

from ..exceptions import InvalidTokenError, TokenExpiredError, TokenReusedError
from ..settings import face_settings

Record = dict[str, Any]
RETENTION_SECONDS = 3600.0
ENROL, VERIFY = "enrol", "verify"


def claim_key(token: str) -> str:
    return f"claim:{token}"


def issue(kind: str, user_id: str, fields: Record) -> Record:
    """A fresh 64-hex token (iProov's format) from the session's seeded stream."""
    issued = now().timestamp()
    token = f"{rng('claim-tokens').getrandbits(256):064x}"
    record: Record = {"token": token, "type": kind, "userId": user_id, "status": "issued",
                      "issuedAt": issued, "expiresAt": issued + face_settings().token_ttl, **fields}
    store().put(claim_key(token), record, ttl=RETENTION_SECONDS)
    return record


def get_claim(token: str, kind: str) -> Record:
    record = store().get(claim_key(token))
    if record is None or record.get("type") != kind:
        raise InvalidTokenError(f"no {kind} claim with this token")
    return dict(record)


def is_expired(record: Record) -> bool:
    return now().timestamp() > float(record["expiresAt"])


def transition(token: str, kind: str, check: Callable[[Record], None], new_status: str,
               updates: Record | None = None) -> Record:
    """Atomically move a claim to ``new_status`` after ``check(record)`` (which raises to refuse)."""
    extra = dict(updates or {})

    def step(current: Record | None) -> Record:
        if current is None or current.get("type") != kind:
            raise InvalidTokenError(f"no {kind} claim with this token")
        check(current)
        return {**current, "status": new_status, **extra}

    return dict(store().update(claim_key(token), step))


def require_fresh(record: Record) -> None:
    """The claim must be unused and unexpired (used as a ``transition`` check)."""
    status = record["status"]
    if status == "invalidated":
        raise InvalidTokenError("the claim was invalidated")
    if status != "issued":
        raise TokenReusedError("the token has already been used")
    if is_expired(record):
        raise TokenExpiredError("the token expired (tokens are valid for 2 minutes)")
