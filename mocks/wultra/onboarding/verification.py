"""Identity verification of a process: the (phase, status) machine of Wultra's onboarding server.

Kept inside the process record (``record["verification"]``) so that each change is one atomic
update.  The phases this process type walks through::

    (None, NOT_INITIALIZED) --identity/init--> (DOCUMENT_UPLOAD, IN_PROGRESS)
    (DOCUMENT_UPLOAD, IN_PROGRESS) --submit completing the set--> (DOCUMENT_UPLOAD, VERIFICATION_PENDING)
    (DOCUMENT_UPLOAD, VERIFICATION_PENDING) --poll: provider DONE-->
          ACCEPTED → (CLIENT_EVALUATION, IN_PROGRESS) → bank /client/evaluate
                        OK  → (PRESENCE_CHECK, NOT_INITIALIZED)
                        NOK → (CLIENT_EVALUATION, REJECTED)           [terminal for this verification]
          REJECTED → (DOCUMENT_UPLOAD, IN_PROGRESS)                    [documents REJECTED, upload again]
    (PRESENCE_CHECK, NOT_INITIALIZED|IN_PROGRESS) --presence-check/init--> (PRESENCE_CHECK, IN_PROGRESS)
    (PRESENCE_CHECK, IN_PROGRESS) --presence-check/submit--> (OTP_VERIFICATION, VERIFICATION_PENDING)
          (the provider's verdict is fetched and kept, not told: the OTP step follows either way)
    (OTP_VERIFICATION, VERIFICATION_PENDING) --otp/verify-->
          both factors positive → (ACTIVATION_FINISH, IN_PROGRESS)
          otherwise             → (PRESENCE_CHECK, NOT_INITIALIZED)   [redo face and OTP]
    (ACTIVATION_FINISH, IN_PROGRESS) --new activation ACTIVE--> (COMPLETED, ACCEPTED), process FINISHED

The server moves on lazily whenever the app polls (``/api/identity/status`` and friends), where
Wultra's scheduler moves every 3 s; the app polls in both cases.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from mocks.framework import random_uuid, rng

from .exceptions import IdentityVerificationFailedError, OnboardingFailedError
from .process import SCORE_VERIFICATION_RESET, Record


class Phase(StrEnum):
    DOCUMENT_UPLOAD = "DOCUMENT_UPLOAD"
    DOCUMENT_VERIFICATION = "DOCUMENT_VERIFICATION"
    CLIENT_EVALUATION = "CLIENT_EVALUATION"
    PRESENCE_CHECK = "PRESENCE_CHECK"
    OTP_VERIFICATION = "OTP_VERIFICATION"
    ACTIVATION_FINISH = "ACTIVATION_FINISH"
    COMPLETED = "COMPLETED"


class Status(StrEnum):
    NOT_INITIALIZED = "NOT_INITIALIZED"
    IN_PROGRESS = "IN_PROGRESS"
    VERIFICATION_PENDING = "VERIFICATION_PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"


MAX_VERIFICATIONS = 5


def fresh(count: int) -> dict[str, Any]:
    """A verification just initialised (``count`` verifications so far in this process)."""
    return {
        "id": random_uuid(rng("verification-ids")),
        "phase": Phase.DOCUMENT_UPLOAD.value,
        "status": Status.IN_PROGRESS.value,
        "count": count,
        "investigationId": None,
        "documents": [],
        "failedDocuments": 0,
        "extractedData": None,
        "portraitSource": None,
        "trustedImageUploaded": False,
        "presenceAttempts": 0,
        "presenceToken": None,
        "presenceResult": None,
        "scaFailures": 0,
    }


def at(record: Record, phase: Phase | None, *statuses: Status) -> bool:
    """Whether the verification is in ``phase`` with one of ``statuses`` (any when none given)."""
    verification = record["verification"]
    if verification["phase"] != (phase.value if phase is not None else None):
        return False
    return not statuses or verification["status"] in {s.value for s in statuses}


def require(record: Record, phase: Phase | None, *statuses: Status) -> None:
    """``IDENTITY_VERIFICATION_FAILED`` unless the verification is where the call needs it."""
    if record["onboardingStatus"] != "VERIFICATION_IN_PROGRESS":
        raise OnboardingFailedError(f"onboarding process is {record['onboardingStatus']}")
    if not at(record, phase, *statuses):
        verification = record["verification"]
        raise IdentityVerificationFailedError(
            f"not allowed in phase {verification['phase']} / {verification['status']}")


def move(verification: dict[str, Any], phase: Phase | None, status: Status) -> None:
    verification["phase"] = phase.value if phase is not None else None
    verification["status"] = status.value


def init(record: Record) -> None:
    """``/api/identity/init`` as a change on the record (use with :func:`process.update`)."""
    require(record, None, Status.NOT_INITIALIZED)
    count = record["verification"].get("count", 0) + 1
    record["verification"] = fresh(count)


def reset(record: Record) -> None:
    """Back to ``(None, NOT_INITIALIZED)`` keeping the count; scores 3 (``/api/identity/cleanup``)."""
    count = record["verification"].get("count", 0)
    record["verification"] = {"phase": None, "status": Status.NOT_INITIALIZED.value, "count": count}
    record["errorScore"] = record.get("errorScore", 0) + SCORE_VERIFICATION_RESET


def view(record: Record) -> dict[str, Any]:
    """``/api/identity/status`` answer."""
    verification = record["verification"]
    status = verification["status"]
    if record["onboardingStatus"] == "FAILED":
        status = Status.FAILED.value
    return {"processId": record["processId"], "identityVerificationStatus": status,
            "identityVerificationPhase": verification["phase"]}
