"""The process's OTP: generated here (never by the app or the bank), stored only as a salted digest.

One OTP per process (DESIGN: "one OTP, sent at step 2, checked at step 8"): numeric, 8 digits by
default, valid 5 minutes, a resend allowed 30 s after the newest one and invalidating it.  The
plain value exists only in the return value of :func:`issue` (to hand to the bank) - never in the
store, a response or the journal, so not even ``/_admin/state`` reveals it (RX-03).

Record ``onb:otp:<processId>``: ``{digest, salt, createdAt, expiresAt, status, generation}`` with
``status`` one of Wultra's ``ACTIVE``, ``VERIFIED``, ``FAILED``.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum
from typing import Any

from mocks.framework import now, random_digits, rng, store

from .exceptions import OnboardingOtpError
from .settings import OnboardingSettings

Record = dict[str, Any]

#: How long an OTP record outlives its process's expiry (then the store drops it).
RETENTION_SECONDS = 86_400.0


class OtpStatus(StrEnum):
    ACTIVE = "ACTIVE"
    VERIFIED = "VERIFIED"
    FAILED = "FAILED"


class OtpCheck(StrEnum):
    """What comparing a code against the stored OTP found."""

    MATCH = "MATCH"
    MISMATCH = "MISMATCH"
    EXPIRED = "EXPIRED"
    NOT_ACTIVE = "NOT_ACTIVE"


def _key(process_id: str) -> str:
    return f"onb:otp:{process_id}"


def _digest(salt: str, code: str) -> str:
    return hmac.new(bytes.fromhex(salt), code.encode("utf-8"), hashlib.sha256).hexdigest()


def issue(process_id: str, settings: OnboardingSettings, *, resend: bool) -> str:
    """A fresh OTP for the process (the previous one, if any, is invalidated); returns its value.

    A resend within the resend period of the newest OTP is refused (400 ``ONBOARDING_OTP_FAILED``).
    """
    created = now().timestamp()
    code = random_digits(rng("otp"), settings.otp_length)
    salt = rng("otp-salt").randbytes(16).hex()

    def replace(current: Any) -> Record:
        if current is not None:
            if not resend:
                raise OnboardingOtpError("an OTP was already issued for this process")
            if current["status"] == OtpStatus.VERIFIED:
                raise OnboardingOtpError("the OTP was already verified")
            if created - current["createdAt"] < settings.otp_resend_period:
                raise OnboardingOtpError(
                    f"resend is allowed {settings.otp_resend_period:g} s after the previous OTP"
                )
        generation = 1 if current is None else current["generation"] + 1
        return {"digest": _digest(salt, code), "salt": salt, "createdAt": created,
                "expiresAt": created + settings.otp_ttl, "status": OtpStatus.ACTIVE.value,
                "generation": generation}

    store().update(_key(process_id), replace, ttl=settings.process_expiration + RETENTION_SECONDS)
    return code


def check(process_id: str, code: str) -> OtpCheck:
    """Compare ``code`` with the newest OTP (constant time); an expired OTP turns ``FAILED``."""
    record = store().get(_key(process_id))
    if not isinstance(record, dict) or record["status"] != OtpStatus.ACTIVE:
        return OtpCheck.NOT_ACTIVE
    if now().timestamp() > record["expiresAt"]:
        set_status(process_id, OtpStatus.FAILED)
        return OtpCheck.EXPIRED
    if hmac.compare_digest(_digest(record["salt"], code), record["digest"]):
        return OtpCheck.MATCH
    return OtpCheck.MISMATCH


def is_expired(process_id: str) -> bool:
    """Whether the newest OTP is past its validity (a time fact, told to the app as ``expired``)."""
    record = store().get(_key(process_id))
    return isinstance(record, dict) and now().timestamp() > record["expiresAt"]


def set_status(process_id: str, status: OtpStatus) -> None:
    """Mark the newest OTP (consumed on success, invalidated on failure or cleanup)."""
    def mark(current: Any) -> Any:
        if current is not None and current["status"] == OtpStatus.ACTIVE:
            current["status"] = status.value
        return current

    store().update(_key(process_id), mark)


def status_of(process_id: str) -> OtpStatus | None:
    """The newest OTP's status (``None`` when none was issued)."""
    record = store().get(_key(process_id))
    return OtpStatus(record["status"]) if isinstance(record, dict) else None
