"""The reactivation over HTTP end to end: start, SMS, documents, face, OTP, activation code, new phone.

Every party is real (served in threads) and reached by URL; the phone side uses application-scope
ECIES, the face provider's capture upload and the device PowerAuth SDK.
"""

from __future__ import annotations

from typing import Any

import pytest

from mocks.bank.client import BankClient
from mocks.wultra.powerauth_server.client import PowerAuthServerClient
from simulator.device.powerauth_sdk import DeviceStorage, PowerAuthConfig, PowerAuthSDK, ServerError
from simulator.powerauth.activation_code import is_valid_activation_code, verify_activation_signature
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.status_blob import ActivationStatus


def _pas(world: Any) -> PowerAuthServerClient:
    return PowerAuthServerClient(world.stack.wultra.url, session=world.session)


def _phone(world: Any) -> PowerAuthSDK:
    app = world.device.app
    config = PowerAuthConfig(app.application_key, app.application_secret, app.master_public_key, "3.2")
    return PowerAuthSDK(config, DeviceStorage(), world.stack.wultra.url, session=world.session)


def _old_blocked_activation(world: Any) -> str:
    """The client's lost phone: an activation that was ACTIVE and is now BLOCKED."""
    pas = _pas(world)
    user_id = world.evidence.customer()["userId"]
    init = pas.ok("/activation/init", {"userId": user_id, "applicationId": world.device.app.application_id})
    old = _phone(world)
    old.create_activation(init["activationCode"], signature=init["activationSignature"])
    old.persist_activation("0000")
    pas.ok("/activation/commit", {"activationId": init["activationId"]})
    pas.ok("/activation/block", {"activationId": init["activationId"], "reason": "LOST_PHONE"})
    return str(init["activationId"])


def _through_documents(world: Any, submit: str = "id_card") -> str:
    journey = world.journey
    journey.start()
    otp = world.read_otp()
    assert journey.identity("/api/identity/init").ok
    assert journey.status() == ("DOCUMENT_UPLOAD", "IN_PROGRESS")
    answer = journey.submit_id_card() if submit == "id_card" else journey.submit_chip()
    assert answer.ok, answer.body
    assert journey.poll_until("PRESENCE_CHECK", "NOT_INITIALIZED") == ("PRESENCE_CHECK", "NOT_INITIALIZED")
    return otp


def test_honest_client_is_reactivated_and_the_lost_phone_is_removed(world: Any) -> None:
    old_id = _old_blocked_activation(world)
    journey = world.journey
    otp = _through_documents(world)
    documents = journey.identity("/api/identity/document/status").result
    assert {(d["type"], d["side"], d["status"]) for d in documents["documents"]} == {
        ("ID_CARD", "FRONT", "ACCEPTED"), ("ID_CARD", "BACK", "ACCEPTED")}
    attributes = journey.presence()
    verified = journey.verify(otp)
    assert verified["verified"] is True and verified["expired"] is False
    assert journey.status() == ("ACTIVATION_FINISH", "IN_PROGRESS")

    issued = journey.activation_code()
    code = issued["activationCode"]
    assert is_valid_activation_code(code) and len(code) == 23
    master = public_key_from_bytes(world.device.app.master_public_key)
    verify_activation_signature(code, issued["activationSignature"], master)  # raises when forged
    assert journey.activation_code() == issued          # the same code while it waits

    phone = _phone(world)
    created = phone.create_activation(code, signature=issued["activationSignature"], name="new phone")
    phone.persist_activation("4321")
    assert phone.fetch_activation_status().status is ActivationStatus.ACTIVE
    phone.validate_signature(pin="4321")      # the new activation signs (possession + knowledge)

    status = journey.onboarding("/api/onboarding/status").result
    assert status["onboardingStatus"] == "FINISHED"
    assert journey.status() == ("COMPLETED", "ACCEPTED")
    pas = _pas(world)
    assert pas.ok("/activation/status", {"activationId": old_id})["activationStatus"] == "REMOVED"
    new = pas.ok("/activation/status", {"activationId": created.activation_id})
    assert new["activationStatus"] == "ACTIVE"
    assert new["userId"] == world.evidence.customer()["userId"]
    listed = pas.ok("/activation/list", {"userId": new["userId"]})["activations"]
    live = [a["activationId"] for a in listed if a["activationStatus"] != "REMOVED"]
    assert live == [created.activation_id]
    # The bank heard of the finished process; the OTP never showed in the Wultra journal.
    with BankClient(world.stack.bank.url, session=world.session) as bank:
        events = [e["type"] for e in bank.events(processId=journey.process_id)]
    assert events == ["DOCUMENT_VERIFICATION_FINISHED", "PRESENCE_CHECK_FINISHED", "PROCESS_FINISHED"]
    assert not world.wultra.journal(text=otp, session=world.session)
    again = journey.identity("/api/identity/otp/verify", otpCode=otp)
    assert (again.status, again.code) == (400, "ONBOARDING_FAILED")
    # The trusted image is not kept at the face provider once the process is over.
    user = world.biometry_user(attributes["iProovUserId"])
    assert user.status_code == 400 and user.json()["error"] == "no_user"


def test_chip_evidence_alone_is_enough_and_its_portrait_is_trusted(world: Any) -> None:
    otp = _through_documents(world, submit="chip")
    world.journey.presence()
    assert world.journey.verify(otp)["verified"] is True


def test_wrong_otp_then_right_redoes_the_face_and_succeeds(world: Any) -> None:
    otp = _through_documents(world)
    journey = world.journey
    journey.presence()
    wrong = str((int(otp) + 1) % 10**8).zfill(8)
    failed = journey.verify(wrong)
    assert failed == {"processId": journey.process_id, "onboardingStatus": "VERIFICATION_IN_PROGRESS",
                      "verified": False, "expired": False, "remainingAttempts": 4}
    assert journey.status() == ("PRESENCE_CHECK", "NOT_INITIALIZED")
    journey.presence()
    assert journey.verify(otp)["verified"] is True


def test_five_wrong_otps_fail_the_process(world: Any) -> None:
    otp = _through_documents(world)
    journey = world.journey
    wrong = str((int(otp) + 1) % 10**8).zfill(8)
    remaining = []
    for _ in range(5):
        journey.presence()
        answer = journey.verify(wrong)
        remaining.append(answer["remainingAttempts"])
        assert answer["verified"] is False
    assert remaining == [4, 3, 2, 1, 0]
    assert answer["onboardingStatus"] == "FAILED"
    assert journey.onboarding("/api/onboarding/status").result["onboardingStatus"] == "FAILED"
    late = journey.identity("/api/identity/otp/verify", otpCode=otp)
    assert (late.status, late.code) == (400, "ONBOARDING_FAILED")


def test_impostor_fails_without_being_told_which_factor(world: Any) -> None:
    otp = _through_documents(world)
    journey = world.journey
    journey.presence(face="mallory")
    impostor_right_otp = journey.verify(otp)
    # The same answer a genuine face with a wrong OTP gets (see the test above): no factor named.
    assert impostor_right_otp == {"processId": journey.process_id,
                                  "onboardingStatus": "VERIFICATION_IN_PROGRESS", "verified": False,
                                  "expired": False, "remainingAttempts": 4}
    assert journey.status() == ("PRESENCE_CHECK", "NOT_INITIALIZED")
    refused = journey.identity("/api/identity/activation")
    assert (refused.status, refused.code) == (400, "IDENTITY_VERIFICATION_FAILED")


def test_replayed_liveness_capture_fails_like_any_other_factor(world: Any) -> None:
    otp = _through_documents(world)
    world.journey.presence(attack="replay")
    answer = world.journey.verify(otp)
    assert (answer["verified"], answer["remainingAttempts"]) == (False, 4)


def test_expired_otp_is_told_not_counted_and_a_resend_recovers(world: Any) -> None:
    _through_documents(world)
    journey = world.journey
    journey.presence()
    world.wultra.advance_clock(301)
    expired = journey.verify("00000000")
    assert (expired["verified"], expired["expired"], expired["remainingAttempts"]) == (False, True, 0)
    assert journey.status() == ("OTP_VERIFICATION", "VERIFICATION_PENDING")
    assert journey.identity("/api/identity/otp/resend").ok
    fresh = world.read_otp()
    assert journey.verify(fresh)["verified"] is True


def test_activation_code_expires_with_the_activation_phase(world: Any) -> None:
    otp = _through_documents(world)
    journey = world.journey
    journey.presence()
    assert journey.verify(otp)["verified"] is True
    issued = journey.activation_code()
    world.wultra.advance_clock(301)
    assert journey.onboarding("/api/onboarding/status").result["onboardingStatus"] == "FAILED"
    pas = _pas(world)
    lookup = pas.ok("/activation/list", {"userId": world.evidence.customer()["userId"]})["activations"]
    assert all(a["activationStatus"] == "REMOVED" for a in lookup)
    with pytest.raises(ServerError):
        _phone(world).create_activation(issued["activationCode"], signature=issued["activationSignature"])


def test_identity_calls_need_the_process_token(world: Any) -> None:
    journey = world.journey
    journey.start()
    for token in ("0" * 64, journey.token[:-1] + ("0" if journey.token[-1] != "0" else "1")):
        answer = world.device.call("/api/identity/status",
                                   {"processId": journey.process_id, "processToken": token})
        assert (answer.status, answer.code) == (400, "ONBOARDING_FAILED")
    missing = world.device.call("/api/identity/status", {"processId": journey.process_id})
    assert (missing.status, missing.code) == (400, "INVALID_REQUEST")
