"""Steps 4 to 7: the presence check against the trusted image, verdict fetched server-side.

``init``: the first time in a verification, the trusted image (chip DG2 when passive authentication
passed, else the document portrait - whichever the document provider vouches for) is uploaded to the
face provider before any verification token exists (RX-09); then a verify token and its liveness
challenge go to the device.  Every init is an attempt; at the limit (5) the process fails with 429
``PRESENCE_CHECK_LIMIT_REACHED`` (RX-13).

A new init invalidates the previous, unused token; the provider's user (and so the trusted image)
is deleted when the process ends, either way.

``submit``: the device says the capture is done; the verdict is fetched from the provider with the
token (RX-11), kept, and not told - the OTP step comes next either way (RX-15).
"""

from __future__ import annotations

from typing import Any

from . import process, verification
from .exceptions import PresenceCheckError, PresenceCheckLimitError
from .process import Record
from .providers import bank, documents, face
from .settings import OnboardingSettings, onboarding_settings
from .verification import Phase, Status

SOURCES = {"CHIP_DG2": "eid", "DOCUMENT": "oid"}


def face_user(record: Record) -> str:
    """The provider's user for this client (Wultra's ``userIdSecured``; the process for an unknown one)."""
    return face.secured_user_id(record["userId"] or record["processId"])


def _resource(record: Record, settings: OnboardingSettings) -> str:
    return f"{settings.face_resource}/{record['processId']}"


def _enrol_trusted_image(record: Record, settings: OnboardingSettings) -> None:
    """Upload the portrait the document provider vouches for (chip DG2 first) as the trusted image."""
    state = record["verification"]
    if not state.get("portraitAvailable", True):
        raise PresenceCheckError("the verified documents hold no portrait to check the face against")
    source, image = documents.portrait(settings, state["investigationId"])
    face.enrol(settings, user_id=face_user(record), resource=_resource(record, settings), image=image,
               source=SOURCES.get(source, "oid"))


def init(record: Record, settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/identity/presence-check/init`` → ``sessionAttributes`` for the device."""
    verification.require(record, Phase.PRESENCE_CHECK, Status.NOT_INITIALIZED, Status.IN_PROGRESS)
    state = record["verification"]
    if state["presenceAttempts"] >= settings.presence_check_max_attempts:
        process.fail(record["processId"], "maxFailedAttemptsPresenceCheck", "PRESENCE_CHECK")
        raise PresenceCheckLimitError("presence check attempts are exhausted; the process has failed")
    user_id = face_user(record)
    resource = _resource(record, settings)
    if not state["trustedImageUploaded"]:
        _enrol_trusted_image(record, settings)
    if state["presenceToken"]:
        face.invalidate(settings, token=state["presenceToken"], reason="superseded by a new presence check")
    try:
        token = face.verify_token(settings, user_id=user_id, resource=resource)
    except face.UnknownFaceUser:  # the provider forgot the trusted image: upload it again, once
        _enrol_trusted_image(record, settings)
        token = face.verify_token(settings, user_id=user_id, resource=resource)

    def change(current: Record) -> None:
        verification.require(current, Phase.PRESENCE_CHECK, Status.NOT_INITIALIZED, Status.IN_PROGRESS)
        target = current["verification"]
        target.update(trustedImageUploaded=True, presenceToken=token.token,
                      presenceAttempts=target["presenceAttempts"] + 1, presenceResult=None)
        verification.move(target, Phase.PRESENCE_CHECK, Status.IN_PROGRESS)

    process.update(record["processId"], change)
    attributes: dict[str, Any] = {"iProovVerificationToken": token.token, "iProovUserId": user_id}
    if token.liveness_challenge is not None:
        attributes["livenessChallenge"] = token.liveness_challenge
    return {"sessionAttributes": attributes}


def submit(record: Record, settings: OnboardingSettings) -> None:
    """``/api/identity/presence-check/submit``: fetch the verdict, keep it, go to the OTP step."""
    verification.require(record, Phase.PRESENCE_CHECK, Status.IN_PROGRESS)
    token = record["verification"]["presenceToken"]
    result = face.validate(settings, user_id=face_user(record), token=token)

    def change(current: Record) -> None:
        verification.require(current, Phase.PRESENCE_CHECK, Status.IN_PROGRESS)
        target = current["verification"]
        if target["presenceToken"] != token:
            return  # a newer init replaced this attempt meanwhile
        target.update(presenceToken=None, presenceResult=result.status)
        verification.move(target, Phase.OTP_VERIFICATION, Status.VERIFICATION_PENDING)

    updated = process.update(record["processId"], change)
    bank.process_event(settings, updated, "PRESENCE_CHECK_FINISHED", {"result": result.status})


def _forget_face(record: Record) -> None:
    if record["verification"].get("trustedImageUploaded"):
        face.delete_user(onboarding_settings(), user_id=face_user(record))


@process.on_fail
def forget_face_of_failed(record: Record) -> None:
    """A failed process keeps no trusted image at the face provider."""
    _forget_face(record)


@process.on_finish
def forget_face_of_finished(record: Record) -> None:
    """Nor does a finished one: the image served its presence checks."""
    _forget_face(record)
