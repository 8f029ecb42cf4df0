"""The onboarding process of type ``reactivation``: creation, limits, expiry, token, cleanup.

Record ``onb:process:<processId>`` (JSON in the framework's store, times in Unix seconds of the
session's virtual clock)::

    {processId, processType, applicationId, userId (None: not a client), subject, tokenDigest,
     onboardingStatus, createdAt, language, errorDetail, errorOrigin,
     verification: {phase, status, ...}, activation: {...} | None}

Decisions (see the package docstring for the whole list):

* ``start`` leaves the process ``VERIFICATION_IN_PROGRESS``: in this process type no activation
  exists before the identity is proven, so verification starts at once, bound to the caller by the
  process token (only its SHA-256 digest is stored).
* A client has at most one live process: a new ``start`` for the same client fails the previous one
  (``supersededProcess``).
* At most ``max_processes_per_day`` starts per client in 24 hours; the client is the bank's
  ``userId``, or for an unknown client the digest of the identification, so that the limit behaves
  the same for both (no enumeration).
* Wultra's error score: a rejected document 2, a failed step-8 check 2, a reset verification 3;
  above ``max_error_score`` (15) the process fails.
* Expiry is lazy, on every read: verification 1 h and the whole process 3 h from creation, the
  activation phase 5 min from the issue of the activation code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from mocks.framework import now, random_token, random_uuid, rng, store

from . import otp
from .exceptions import OnboardingFailedError, TooManyProcessesError
from .settings import OnboardingSettings

Record = dict[str, Any]

PROCESS_TYPE = "reactivation"
DAY_SECONDS = 86_400.0


class OnboardingStatus(StrEnum):
    ACTIVATION_IN_PROGRESS = "ACTIVATION_IN_PROGRESS"
    VERIFICATION_IN_PROGRESS = "VERIFICATION_IN_PROGRESS"
    FINISHED = "FINISHED"
    FAILED = "FAILED"


TERMINAL = (OnboardingStatus.FINISHED.value, OnboardingStatus.FAILED.value)

#: Called with a record that has just been failed (e.g. to remove a pending activation).
FailHook = Callable[[Record], None]
_fail_hooks: list[FailHook] = []
_finish_hooks: list[FailHook] = []
#: Called with a live record on every read; returns an updated record (e.g. to finish it).
ReadHook = Callable[[Record, OnboardingSettings], Record]
_read_hooks: list[ReadHook] = []


def on_fail(hook: FailHook) -> FailHook:
    """Register what must happen when any process fails (used by the activation module)."""
    _fail_hooks.append(hook)
    return hook


def on_finish(hook: FailHook) -> FailHook:
    """Register what must happen when any process finishes (e.g. forget provider data)."""
    _finish_hooks.append(hook)
    return hook


def on_read(hook: ReadHook) -> ReadHook:
    """Register a lazy step run on every read of a live process (used by the activation module)."""
    _read_hooks.append(hook)
    return hook


def _key(process_id: str) -> str:
    return f"onb:process:{process_id}"


def _now() -> float:
    return now().timestamp()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_identification(identification: dict[str, Any]) -> str:
    """Canonical text of an identification: keys sorted, compact JSON (Wultra compares it as text)."""
    return json.dumps(identification, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def subject_of(application_id: str, user_id: str | None, identification: dict[str, Any]) -> str:
    """Who the per-day limit counts: the bank's user, else the identification's digest."""
    if user_id is not None:
        return "user:" + _digest(f"{application_id}\n{user_id}")
    return "anon:" + _digest(f"{application_id}\n{normalize_identification(identification)}")


def new_process_id() -> str:
    return random_uuid(rng("process-ids"))


# --------------------------------------------------------------------------- creation


def _count_start(subject: str, settings: OnboardingSettings) -> None:
    """Record one start for ``subject``; 429 when the 24-hour window is already full."""
    moment = _now()

    def add(current: Any) -> list[float]:
        recent = [t for t in (current or []) if moment - t < DAY_SECONDS]
        if len(recent) >= settings.max_processes_per_day:
            raise TooManyProcessesError("too many onboarding processes for this client within 24 hours")
        return [*recent, moment]

    store().update(f"onb:starts:{subject}", add, ttl=DAY_SECONDS)


def create(*, process_id: str, application_id: str, user_id: str | None, subject: str,
           language: str, consent_required: bool, settings: OnboardingSettings) -> tuple[Record, str]:
    """A new live process and its token (the token is returned once, only its digest is kept)."""
    _count_start(subject, settings)
    previous = store().get(f"onb:open:{subject}")
    if isinstance(previous, str) and previous != process_id:
        fail(previous, "supersededProcess", "USER_REQUEST")
    token = random_token(rng("process-tokens"), 32)
    record: Record = {
        "processId": process_id,
        "processType": PROCESS_TYPE,
        "applicationId": application_id,
        "userId": user_id,
        "subject": subject,
        "tokenDigest": _digest(token),
        "onboardingStatus": OnboardingStatus.VERIFICATION_IN_PROGRESS.value,
        "createdAt": _now(),
        "language": language,
        "consentRequired": consent_required,
        "consent": None,
        "errorDetail": None,
        "errorOrigin": None,
        "errorScore": 0,
        "verification": {"phase": None, "status": "NOT_INITIALIZED"},
        "activation": None,
    }
    store().put(_key(process_id), record, ttl=settings.process_expiration + DAY_SECONDS)
    store().put(f"onb:open:{subject}", process_id, ttl=settings.process_expiration)
    return record, token


# --------------------------------------------------------------------------- reading


def _expiry_detail(record: Record, settings: OnboardingSettings) -> str | None:
    age = _now() - record["createdAt"]
    if age > settings.process_expiration:
        return "expiredProcessOnboarding"
    if record["onboardingStatus"] == OnboardingStatus.VERIFICATION_IN_PROGRESS and (
        age > settings.verification_expiration
    ):
        return "expiredProcessIdentityVerification"
    activation = record.get("activation")
    if activation and _now() - activation["issuedAt"] > settings.activation_expiration:
        return "expiredProcessActivation"
    return None


def load(process_id: str, application_id: str, settings: OnboardingSettings) -> Record:
    """The process after lazy expiry and read hooks; unknown (or another app's) → ``ONBOARDING_FAILED``."""
    record = store().get(_key(process_id))
    if not isinstance(record, dict) or record["applicationId"] != application_id:
        raise OnboardingFailedError("onboarding process not found")
    if record["onboardingStatus"] in TERMINAL:
        return record
    for hook in _read_hooks:
        record = hook(record, settings)
        if record["onboardingStatus"] in TERMINAL:
            return record
    detail = _expiry_detail(record, settings)
    if detail is not None:
        record = fail(process_id, detail, "PROCESS_LIMIT_CHECK")
    return record


def require_live(record: Record) -> None:
    """``ONBOARDING_FAILED`` unless the process is still running."""
    if record["onboardingStatus"] in TERMINAL:
        raise OnboardingFailedError(f"onboarding process is {record['onboardingStatus']}")


def authenticate(record: Record, token: str) -> None:
    """The caller must hold the process token from the encrypted ``start`` answer."""
    if not hmac.compare_digest(_digest(token), record["tokenDigest"]):
        raise OnboardingFailedError("onboarding process not found")


# --------------------------------------------------------------------------- changes


def update(process_id: str, change: Callable[[Record], None]) -> Record:
    """Apply ``change`` atomically to a live process; it raises to refuse.  Returns the new record."""
    def apply(current: Any) -> Any:
        if current is None:
            raise OnboardingFailedError("onboarding process not found")
        require_live(current)
        change(current)
        return current

    return store().update(_key(process_id), apply)


#: Wultra's error-score points per kind of failure.
SCORE_DOCUMENT_REJECTED = 2
SCORE_SCA_FAILED = 2
SCORE_VERIFICATION_RESET = 3


def add_score(record: Record, points: int) -> None:
    """Add error-score points inside a change (see :func:`enforce_score` after it)."""
    record["errorScore"] = record.get("errorScore", 0) + points


def enforce_score(record: Record, settings: OnboardingSettings) -> Record:
    """A process whose error score exceeds the maximum fails (``maxProcessErrorScoreExceeded``)."""
    if record["onboardingStatus"] not in TERMINAL and record.get("errorScore", 0) > settings.max_error_score:
        return fail(record["processId"], "maxProcessErrorScoreExceeded", "PROCESS_LIMIT_CHECK")
    return record


def fail(process_id: str, detail: str, origin: str) -> Record:
    """Process → ``FAILED`` (idempotent), its OTP invalidated, then the fail hooks."""
    changed = False

    def apply(current: Any) -> Any:
        nonlocal changed
        changed = False
        if current is None or current["onboardingStatus"] in TERMINAL:
            return current
        changed = True
        current["onboardingStatus"] = OnboardingStatus.FAILED.value
        current["errorDetail"] = detail
        current["errorOrigin"] = origin
        verification = current["verification"]
        if verification["phase"] is not None and verification["status"] not in ("ACCEPTED", "FAILED"):
            verification["status"] = "FAILED"
        return current

    record = store().update(_key(process_id), apply)
    if record is None:
        raise OnboardingFailedError("onboarding process not found")
    otp.set_status(process_id, otp.OtpStatus.FAILED)
    if changed:
        store().delete(f"onb:open:{record['subject']}")
        for hook in _fail_hooks:
            hook(record)
    return record


def finish(process_id: str, **facts: Any) -> Record:
    """Process → ``FINISHED`` (the new activation is ACTIVE); ``facts`` are kept on the record."""
    changed = False

    def apply(current: Any) -> Any:
        nonlocal changed
        changed = False
        if current is not None and current["onboardingStatus"] not in TERMINAL:
            changed = True
            current.update(facts)
            current["onboardingStatus"] = OnboardingStatus.FINISHED.value
            current["verification"] = {**current["verification"], "phase": "COMPLETED", "status": "ACCEPTED"}
        return current

    record = store().update(_key(process_id), apply)
    if record is None:
        raise OnboardingFailedError("onboarding process not found")
    if changed:
        store().delete(f"onb:open:{record['subject']}")
        for hook in _finish_hooks:
            hook(record)
    return record
