"""Steps 8 to 11 on the server: the activation code for the verified client, and the clean-up after.

``/api/identity/activation`` (phase ``ACTIVATION_FINISH``) asks the PowerAuth Server functions of this
mock (in process, as Wultra's onboarding server calls its PowerAuth Server) to init an activation
for the reactivated user: commit phase ``ON_KEY_EXCHANGE`` (the activation is ACTIVE as soon as the
device's key exchange succeeds, step 10), expiring after ``activation_expiration`` (5 min), single use
by construction of the code.  A repeated call returns the same code while it waits.

**When the previous activations go (RX-19).**  Not when the code is issued - the client would be
left with nothing if the new device never activates - but when the new activation is seen ACTIVE:
on the next read of the process (any status call of the app, which polls after activating).  Then
every other activation of the user in the application that is not already REMOVED is removed, the
process turns ``FINISHED`` and the bank gets a ``PROCESS_FINISHED`` event.  A process that fails or
expires first removes its pending activation, so nothing half-done is left (RX-23).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mocks.framework import now
from mocks.wultra.powerauth_server import service as powerauth

from . import process, verification
from .exceptions import OnboardingFailedError
from .process import Record
from .providers import bank
from .settings import OnboardingSettings
from .verification import Phase, Status

PENDING = ("CREATED", "PENDING_COMMIT")


def issue(record: Record, settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/identity/activation`` → ``{activationCode, activationSignature}``."""
    verification.require(record, Phase.ACTIVATION_FINISH, Status.IN_PROGRESS)
    existing = record.get("activation")
    if existing:
        current = powerauth.get_activation(existing["activationId"])
        if current is not None and current["activationStatus"] == "CREATED":
            return {"activationCode": existing["activationCode"],
                    "activationSignature": existing["activationSignature"]}
        raise OnboardingFailedError("the activation of this process can no longer be issued")
    if record["userId"] is None:
        raise OnboardingFailedError("onboarding process is not verified")
    created = powerauth.init_activation(
        record["userId"], record["applicationId"], commit_phase="ON_KEY_EXCHANGE",
        expire_at=now() + timedelta(seconds=settings.activation_expiration))
    entry = {"activationId": created["activationId"], "activationCode": created["activationCode"],
             "activationSignature": created["activationSignature"], "issuedAt": now().timestamp()}

    def keep(current: Record) -> None:
        verification.require(current, Phase.ACTIVATION_FINISH, Status.IN_PROGRESS)
        if current.get("activation"):
            raise OnboardingFailedError("an activation was issued for this process meanwhile")
        current["activation"] = entry

    try:
        process.update(record["processId"], keep)
    except OnboardingFailedError:
        powerauth.remove_activation(created["activationId"])
        raise
    return {"activationCode": entry["activationCode"], "activationSignature": entry["activationSignature"]}


def _remove_previous(record: Record, keep_id: str) -> list[str]:
    removed = []
    live = ("CREATED", "PENDING_COMMIT", "ACTIVE", "BLOCKED")
    for other in powerauth.list_activations(record["userId"], application_id=record["applicationId"],
                                            statuses=live):
        if other["activationId"] != keep_id:
            powerauth.remove_activation(other["activationId"])
            removed.append(other["activationId"])
    return removed


@process.on_read
def finish_when_active(record: Record, settings: OnboardingSettings) -> Record:
    """The new activation is ACTIVE: remove the previous ones, finish the process, tell the bank."""
    entry = record.get("activation")
    if not entry:
        return record
    current = powerauth.get_activation(entry["activationId"])
    if current is None or current["activationStatus"] != "ACTIVE":
        return record
    removed = _remove_previous(record, entry["activationId"])
    finished = process.finish(record["processId"], removedActivations=removed)
    bank.process_event(settings, finished, "PROCESS_FINISHED",
                       {"activationId": entry["activationId"], "removedActivations": removed,
                        "language": record["language"]})
    return finished


@process.on_fail
def remove_pending_activation(record: Record) -> None:
    """A failed or expired process leaves no activation waiting for a device."""
    entry = record.get("activation")
    if not entry:
        return
    current = powerauth.get_activation(entry["activationId"])
    if current is not None and current["activationStatus"] in PENDING:
        powerauth.remove_activation(entry["activationId"])
