"""Online signature verification (``signature/verify``): counter look-ahead, failures, blocking.

Rules as the real server applies them (spec §7): a missing activation answers REMOVED; an unknown,
unsupported or foreign application key counts as a failed attempt; an activation that is not ACTIVE
fails without counting; otherwise the counter window ``CTR … CTR+19`` is searched.  A match moves the
counter past it and (except for possession-only signatures) resets the failed attempts; a mismatch
counts (again, possession-only does not), and reaching ``maxFailedAttempts`` blocks the activation
with ``MAX_FAILED_ATTEMPTS``.  The whole check runs inside one atomic store update, so two requests
signed with the same counter can never both pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mocks.framework import now, store
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import SignatureFormatError
from simulator.powerauth.signature import (
    OFFLINE_APP_SECRET,
    SignatureFormat,
    SignatureKeys,
    SignatureType,
    signature_base_string,
    verify_signature,
)

from . import activations, audit, models
from .callbacks import notify_status_change
from .ecies_service import activation_keys, protocol_version
from .exceptions import InvalidApplicationError, InvalidRequestError
from .history import note_status_change
from .settings import powerauth_settings

Record = dict[str, Any]

MAX_FAILED_ATTEMPTS_REASON = "MAX_FAILED_ATTEMPTS"


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """What ``signature/verify`` answers, with the activation as it is after the check."""

    valid: bool
    activation_id: str
    signature_type: SignatureType
    activation: Record | None

    @property
    def remaining_attempts(self) -> int:
        if self.activation is None or self.activation["activationStatus"] != "ACTIVE":
            return 0
        return max(self.activation["maxFailedAttempts"] - self.activation["failedAttempts"], 0)

    def to_json(self) -> Record:
        record = self.activation or {}
        application = models.get_application(record["applicationId"]) if record else {}
        return {
            "signatureValid": self.valid,
            "activationStatus": record.get("activationStatus", "REMOVED"),
            "blockedReason": record.get("blockedReason"),
            "activationId": self.activation_id,
            "userId": record.get("userId"),
            "applicationId": record.get("applicationId"),
            "applicationRoles": application.get("applicationRoles", []),
            "activationFlags": record.get("activationFlags", []),
            "signatureType": self.signature_type.value.upper(),
            "remainingAttempts": self.remaining_attempts,
        }


def parse_signature_type(value: str) -> SignatureType:
    """``POSSESSION_KNOWLEDGE`` or ``possession_knowledge``; anything else is ERR0024."""
    try:
        return SignatureType.parse(value)
    except SignatureFormatError as exc:
        raise InvalidRequestError(str(exc)) from None


def _app_key_matches(application_key: str, record: Record) -> tuple[bool, str | None]:
    """(usable, app secret) for the application key presented with the signature."""
    try:
        application, app_version = models.find_version_by_key(application_key)
    except InvalidApplicationError:
        return False, None
    usable = app_version["supported"] and application["applicationId"] == record["applicationId"]
    return usable, app_version["applicationSecret"]


def _count_failure(current: Record, signature_type: SignatureType) -> bool:
    """A failed attempt (possession-only ones are not counted); blocks at the limit (returns True)."""
    if signature_type is SignatureType.POSSESSION:
        return False
    current["failedAttempts"] += 1
    if current["maxFailedAttempts"] - current["failedAttempts"] <= 0:
        _block(current)
        return True
    return False


def _block(current: Record) -> None:
    """ACTIVE → BLOCKED for too many failed attempts (with its history event)."""
    stamp = now().timestamp()
    current["activationStatus"] = "BLOCKED"
    current["blockedReason"] = MAX_FAILED_ATTEMPTS_REASON
    current["timestampLastChange"] = stamp
    note_status_change(current, "ACTIVE", MAX_FAILED_ATTEMPTS_REASON, stamp)


def verify_online_signature(
    *,
    activation_id: str,
    application_key: str,
    data: bytes,
    signature: str,
    signature_type: str | SignatureType,
    signature_version: str,
) -> VerificationResult:
    """Verify a signature over ``data`` (the REQUEST_DATA string the Enrollment Server built).

    This is the one function every signed endpoint goes through (REST ``signature/verify``, the
    Enrollment Server's ``X-PowerAuth-Authorization`` check, ``vault/unlock``).
    """
    sig_type = (
        signature_type if isinstance(signature_type, SignatureType) else parse_signature_type(signature_type)
    )
    fmt = SignatureFormat.for_version(protocol_version(signature_version))
    record = activations.find(activation_id)
    if record is None:
        return VerificationResult(False, activation_id, sig_type, None)
    usable, secret = _app_key_matches(application_key, record)
    return _verify(activation_id, data, signature, (sig_type,), fmt, secret if usable else None)


def verify_offline_signature(
    *, activation_id: str, data: bytes, signature: str, allow_biometry: bool
) -> VerificationResult:
    """``signature/offline/verify``: decimal components over ``data & "offline"``.

    Tries possession_knowledge (and possession_biometry when allowed); a miss counts once.
    """
    types = (SignatureType.POSSESSION_KNOWLEDGE,) + (
        (SignatureType.POSSESSION_BIOMETRY,) if allow_biometry else ()
    )
    if activations.find(activation_id) is None:
        return VerificationResult(False, activation_id, types[0], None)
    return _verify(activation_id, data, signature, types, SignatureFormat.DECIMAL, OFFLINE_APP_SECRET)


def _verify(
    activation_id: str,
    data: bytes,
    signature: str,
    types: tuple[SignatureType, ...],
    fmt: SignatureFormat,
    secret: str | None,
) -> VerificationResult:
    """The check itself, inside one atomic update of the activation (``secret=None``: app key refused)."""
    outcome: dict[str, Any] = {"valid": False, "type": types[0]}
    look_ahead = powerauth_settings().signature_lookahead

    def check(current: Any) -> Any:
        outcome.update(valid=False, type=types[0], blocked=False)
        if current is None or current["activationStatus"] != "ACTIVE":
            return current
        stamp = now().timestamp()
        if current["failedAttempts"] >= current["maxFailedAttempts"]:
            _block(current)
            outcome["blocked"] = True
            return current
        current["timestampLastUsed"] = stamp
        if secret is None:
            outcome["blocked"] = _count_failure(current, types[0])
            return current
        keys = activation_keys(current)
        factor_keys = SignatureKeys(keys.possession, keys.knowledge, keys.biometry)
        for sig_type in types:
            try:
                match = verify_signature(
                    signature,
                    factor_keys,
                    sig_type,
                    b64decode(current["ctrData"]),
                    signature_base_string(data, secret),
                    fmt,
                    look_ahead=look_ahead,
                )
            except SignatureFormatError:
                match = None
            if match is not None:
                outcome.update(valid=True, type=sig_type)
                current["counter"] += match.offset + 1
                current["ctrData"] = b64encode(match.next_ctr_data)
                if sig_type is not SignatureType.POSSESSION:
                    current["failedAttempts"] = 0
                return current
        outcome["blocked"] = _count_failure(current, types[0])
        return current

    updated = store().update(f"act:{activation_id}", check)
    result = VerificationResult(outcome["valid"], activation_id, outcome["type"], updated)
    if outcome.get("blocked"):
        notify_status_change(updated)
    if updated is not None:
        audit.record_verification(result, data=data, signature=signature, signature_format=fmt)
    return result
