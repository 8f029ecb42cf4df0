"""Step 8: the OTP from step 2 checked together with the presence-check verdict.

The app learns only pass or fail (RX-15): the OTP is compared only when the face verdict was
positive (RX-14), and every failure - wrong face, wrong OTP or both - gives the same answer, counts one
of the 5 attempts and sends the app back to a new presence check (so a retry always redoes both
factors, whichever failed).  The 5th failure fails the process (RX-05).  An expired OTP is a time
fact, not a factor: it is told (``expired: true``), not counted, and a resend gives a new one.
"""

from __future__ import annotations

from typing import Any

from . import otp, process, verification
from .process import Record
from .settings import OnboardingSettings
from .verification import Phase, Status


def _answer(record: Record, *, verified: bool, expired: bool, remaining: int) -> dict[str, Any]:
    return {"processId": record["processId"], "onboardingStatus": record["onboardingStatus"],
            "verified": verified, "expired": expired, "remainingAttempts": remaining}


def verify(record: Record, code: str, settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/identity/otp/verify``; answers ``verified``, ``expired`` and ``remainingAttempts``."""
    verification.require(record, Phase.OTP_VERIFICATION, Status.VERIFICATION_PENDING)
    process_id = record["processId"]
    limit = settings.otp_max_failed_attempts
    failures = record["verification"]["scaFailures"]
    if otp.status_of(process_id) != otp.OtpStatus.ACTIVE or otp.is_expired(process_id):
        otp.set_status(process_id, otp.OtpStatus.FAILED)
        return _answer(record, verified=False, expired=True, remaining=0)
    face_passed = record["verification"]["presenceResult"] == "ACCEPTED"
    if "issue_code_before_presence_check" in settings.mutations:
        face_passed = True  # the deliberate defect: the face verdict is not waited for
    if face_passed and otp.check(process_id, code) is otp.OtpCheck.MATCH:
        otp.set_status(process_id, otp.OtpStatus.VERIFIED)

        def passed(current: Record) -> None:
            verification.require(current, Phase.OTP_VERIFICATION, Status.VERIFICATION_PENDING)
            verification.move(current["verification"], Phase.ACTIVATION_FINISH, Status.IN_PROGRESS)
            current["verification"]["otpVerified"] = True

        record = process.update(process_id, passed)
        return _answer(record, verified=True, expired=False, remaining=limit - failures)

    def failed(current: Record) -> None:
        verification.require(current, Phase.OTP_VERIFICATION, Status.VERIFICATION_PENDING)
        target = current["verification"]
        target["scaFailures"] += 1
        target["presenceResult"] = None
        process.add_score(current, process.SCORE_SCA_FAILED)
        verification.move(target, Phase.PRESENCE_CHECK, Status.NOT_INITIALIZED)

    record = process.update(process_id, failed)
    remaining = max(limit - record["verification"]["scaFailures"], 0)
    if remaining == 0:
        record = process.fail(process_id, "maxFailedAttemptsOtp", "OTP_VERIFICATION")
    record = process.enforce_score(record, settings)
    if record["onboardingStatus"] == "FAILED":
        remaining = 0
    return _answer(record, verified=False, expired=False, remaining=remaining)
