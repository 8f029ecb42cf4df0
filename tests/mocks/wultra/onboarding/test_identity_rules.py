"""Identity-verification rules over HTTP: limits, rejections, failing providers, order of calls."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import requests
from PIL import Image

from mocks.bank.client import BankClient
from mocks.biometry.settings import DEFAULT_API_KEY, DEFAULT_SECRET
from mocks.wultra.powerauth_server.client import PowerAuthServerClient
from simulator.identity.documents.layout import DocumentKind


def _blank_photo() -> str:
    """A photo of nothing: the document provider finds no document in it."""
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (128, 128, 128)).save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _started(world: Any, identification: dict[str, str] | None = None) -> Any:
    journey = world.journey
    journey.start(identification)
    assert journey.identity("/api/identity/init").ok
    return journey


def _verified_documents(world: Any) -> Any:
    journey = _started(world)
    assert journey.submit_id_card().ok
    journey.poll_until("PRESENCE_CHECK", "NOT_INITIALIZED")
    return journey


def test_a_resend_invalidates_the_previous_otp(world: Any) -> None:
    journey = world.journey
    journey.start()
    first = world.read_otp()
    world.wultra.advance_clock(31)
    assert journey.onboarding("/api/onboarding/otp/resend").ok
    second = world.read_otp()
    assert journey.identity("/api/identity/init").ok
    assert journey.submit_id_card().ok
    journey.poll_until("PRESENCE_CHECK", "NOT_INITIALIZED")
    journey.presence()
    assert journey.verify(first)["verified"] is False
    journey.presence()
    assert journey.verify(second)["verified"] is True


def test_calls_out_of_order_are_refused(world: Any) -> None:
    journey = _started(world)
    twice = journey.identity("/api/identity/init")
    assert (twice.status, twice.code) == (400, "IDENTITY_VERIFICATION_FAILED")
    calls = (("/api/identity/presence-check/init", {}), ("/api/identity/presence-check/submit", {}),
             ("/api/identity/otp/verify", {"otpCode": "12345678"}), ("/api/identity/activation", {}))
    for path, fields in calls:
        answer = journey.identity(path, **fields)
        assert (answer.status, answer.code) == (400, "IDENTITY_VERIFICATION_FAILED"), path


def test_incomplete_evidence_waits_for_the_other_side(world: Any) -> None:
    journey = _started(world)
    assert journey.submit([journey.page(DocumentKind.ID_FRONT)]).ok
    assert journey.status() == ("DOCUMENT_UPLOAD", "IN_PROGRESS")
    assert journey.submit([journey.page(DocumentKind.ID_BACK)]).ok
    journey.poll_until("PRESENCE_CHECK", "NOT_INITIALIZED")


def test_expired_document_is_rejected_with_a_generic_error(world: Any) -> None:
    journey = _started(world)
    expiry = world.evidence.person.id_card_expiry_date
    days = (expiry - dt.datetime.now(dt.UTC).date()).days + 2
    world.biometry.advance_clock(days * 86400)
    assert journey.submit_id_card().ok
    assert journey.poll_until("DOCUMENT_UPLOAD", "IN_PROGRESS") == ("DOCUMENT_UPLOAD", "IN_PROGRESS")
    documents = journey.identity("/api/identity/document/status").result["documents"]
    assert [d["status"] for d in documents] == ["REJECTED", "REJECTED"]
    assert all(d["errors"] == ["Error verifying the document."] for d in documents)


def test_tampered_chip_is_rejected(world: Any) -> None:
    journey = _started(world)
    files = dict(world.evidence.chip_files)
    dg1 = bytearray(base64.b64decode(files["DG1.bin"]))
    dg1[-3] ^= 0x01
    files["DG1.bin"] = base64.b64encode(bytes(dg1)).decode("ascii")
    assert journey.submit([], {"documentType": "PASSPORT", "files": files}).ok
    journey.poll_until("DOCUMENT_UPLOAD", "IN_PROGRESS")
    documents = journey.identity("/api/identity/document/status").result["documents"]
    assert [(d["side"], d["status"]) for d in documents] == [("CHIP", "REJECTED")]


def test_seventh_failed_submit_resets_the_verification(world: Any) -> None:
    journey = _started(world)
    blank = {"filename": "id_card_front.jpg", "type": "ID_CARD", "side": "FRONT", "data": _blank_photo()}
    for _ in range(6):
        assert journey.submit([blank]).ok
        assert journey.status() == ("DOCUMENT_UPLOAD", "IN_PROGRESS")
    limited = journey.submit([blank])
    assert (limited.status, limited.code) == (429, "IDENTITY_VERIFICATION_LIMIT_REACHED")
    assert journey.status() == (None, "NOT_INITIALIZED")
    assert journey.identity("/api/identity/init").ok
    # 6 rejected documents (12) and the reset (3) make an error score of 15; one more rejection ends it.
    assert journey.submit([blank]).ok
    assert journey.onboarding("/api/onboarding/status").result["onboardingStatus"] == "FAILED"


def test_fifth_identity_cleanup_fails_the_process(world: Any) -> None:
    journey = _started(world)
    for _ in range(4):
        assert journey.identity("/api/identity/cleanup").ok
        assert journey.status() == (None, "NOT_INITIALIZED")
        assert journey.identity("/api/identity/init").ok
    limited = journey.identity("/api/identity/cleanup")
    assert (limited.status, limited.code) == (429, "ONBOARDING_PROCESS_LIMIT_REACHED")
    assert journey.onboarding("/api/onboarding/status").result["onboardingStatus"] == "FAILED"


def test_sixth_presence_check_fails_the_process(world: Any) -> None:
    journey = _verified_documents(world)
    tokens = {journey.presence_init()["iProovVerificationToken"] for _ in range(5)}
    assert len(tokens) == 5
    limited = journey.identity("/api/identity/presence-check/init")
    assert (limited.status, limited.code) == (429, "PRESENCE_CHECK_LIMIT_REACHED")
    assert journey.onboarding("/api/onboarding/status").result["onboardingStatus"] == "FAILED"


def test_submit_without_a_capture_is_a_failed_face(world: Any) -> None:
    journey = _verified_documents(world)
    otp = world.read_otp()
    journey.presence_init()
    assert journey.identity("/api/identity/presence-check/submit").ok
    assert journey.status() == ("OTP_VERIFICATION", "VERIFICATION_PENDING")
    assert journey.verify(otp)["verified"] is False


def test_unknown_client_cannot_get_past_the_bank(world: Any) -> None:
    journey = _started(world, world.unknown)
    assert journey.submit_id_card().ok
    assert journey.poll_until("CLIENT_EVALUATION", "REJECTED") == ("CLIENT_EVALUATION", "REJECTED")
    assert not world.bank.journal(path="/client/evaluate", session=world.session)
    world.sms.advance_clock(60)
    assert world.inbox.messages() == []


def test_bank_verdict_on_data_mismatch_stops_the_verification(world: Any) -> None:
    journey = _started(world)
    world.bank.push_verdict("client-evaluation", {"result": "NOK", "resultReason": "dataMismatch:familyName"})
    assert journey.submit_id_card().ok
    assert journey.poll_until("CLIENT_EVALUATION", "REJECTED") == ("CLIENT_EVALUATION", "REJECTED")


def test_failing_providers_give_a_clear_error_and_lose_nothing(world: Any) -> None:
    journey = _started(world)
    rule = world.fault(world.biometry, "/api/v1/documents/*", 503)
    down = journey.submit_id_card()
    assert (down.status, down.code) == (409, "REMOTE_COMMUNICATION_ERROR")
    assert journey.status() == ("DOCUMENT_UPLOAD", "IN_PROGRESS")
    world.biometry.remove_faults(rule)
    assert journey.submit_id_card().ok
    journey.poll_until("PRESENCE_CHECK", "NOT_INITIALIZED")
    rule = world.fault(world.biometry, "/api/v2/claim/verify/token", 503)
    down = journey.identity("/api/identity/presence-check/init")
    assert (down.status, down.code) == (409, "REMOTE_COMMUNICATION_ERROR")
    world.biometry.remove_faults(rule)
    journey.presence()


def test_bank_lookup_failure_looks_like_an_unknown_client(world: Any) -> None:
    world.fault(world.bank, "/user/lookup", 500)
    result = world.journey.start()
    assert result["onboardingStatus"] == "VERIFICATION_IN_PROGRESS" and result["processToken"]
    world.sms.advance_clock(60)
    assert world.inbox.messages() == []


def test_cleanup_after_the_code_was_issued_removes_the_waiting_activation(world: Any) -> None:
    journey = _verified_documents(world)
    otp = world.read_otp()
    journey.presence()
    assert journey.verify(otp)["verified"] is True
    journey.activation_code()
    assert journey.onboarding("/api/onboarding/cleanup").ok
    pas = PowerAuthServerClient(world.stack.wultra.url, session=world.session)
    listed = pas.ok("/activation/list", {"userId": world.evidence.customer()["userId"]})["activations"]
    assert [a["activationStatus"] for a in listed] == ["REMOVED"]


def test_a_submit_broken_halfway_keeps_what_reached_the_provider(world: Any) -> None:
    journey = _started(world)
    world.biometry.add_fault(route="/api/v1/documents/investigations/*/pages", session=world.session,
                             everyNth=2, times=1, error={"status": 503})
    broken = journey.submit_id_card()
    assert (broken.status, broken.code) == (409, "REMOTE_COMMUNICATION_ERROR")
    kept = journey.identity("/api/identity/document/status").result["documents"]
    assert [(d["side"], d["status"]) for d in kept] == [("FRONT", "VERIFICATION_PENDING")]
    assert journey.submit([journey.page(DocumentKind.ID_BACK)]).ok
    journey.poll_until("PRESENCE_CHECK", "NOT_INITIALIZED")


def test_consent_text_and_answer_go_to_the_bank(world: Any) -> None:
    journey = world.journey
    journey.start()
    status = journey.identity("/api/identity/status").result
    assert status["consentRequired"] is True
    text = journey.identity("/api/identity/consent/text", consentType="GDPR").result["consentText"]
    assert "<html" in text.lower()
    assert journey.identity("/api/identity/consent/approve", consentType="GDPR", approved=True).ok
    stored = BankClient(world.stack.bank.url, session=world.session).consents()
    assert [(c["consentType"], c["approved"]) for c in stored] == [("GDPR", True)]


def test_unknown_client_is_asked_for_consent_alike(world: Any) -> None:
    journey = world.journey
    journey.start(world.unknown)
    assert journey.identity("/api/identity/status").result["consentRequired"] is True
    assert journey.identity("/api/identity/consent/approve", approved=True).ok


def test_a_new_presence_check_voids_the_previous_token(world: Any) -> None:
    journey = _verified_documents(world)
    first = journey.presence_init()
    second = journey.presence_init()
    stale = journey.capture(first)
    assert stale.status_code == 400, stale.text
    assert journey.capture(second).status_code == 200


def test_every_identity_call_on_a_failed_process_is_a_clean_refusal(world: Any) -> None:
    journey = _started(world)
    assert journey.onboarding("/api/onboarding/cleanup").ok
    assert journey.status() == ("DOCUMENT_UPLOAD", "FAILED")
    calls = {"/api/identity/init": {}, "/api/identity/cleanup": {}, "/api/identity/consent/text": {},
             "/api/identity/consent/approve": {"approved": True}, "/api/identity/presence-check/init": {},
             "/api/identity/presence-check/submit": {}, "/api/identity/otp/resend": {},
             "/api/identity/otp/verify": {"otpCode": "12345678"}, "/api/identity/activation": {},
             "/api/v2/identity/document/submit": {"documents": [journey.page(DocumentKind.ID_FRONT)]}}
    for path, fields in calls.items():
        answer = journey.identity(path, **fields)
        assert (answer.status, answer.code) == (400, "ONBOARDING_FAILED"), path
    documents = journey.identity("/api/identity/document/status").result
    assert documents == {"status": "FAILED", "documents": []}


def test_trusted_image_is_uploaded_again_when_the_provider_forgot_it(world: Any) -> None:
    journey = _verified_documents(world)
    otp = world.read_otp()
    attributes = journey.presence_init()
    gone = requests.delete(f"{world.stack.biometry.url}/api/v2/users/{attributes['iProovUserId']}",
                           params={"api_key": DEFAULT_API_KEY, "secret": DEFAULT_SECRET},
                           headers={"X-Sim-Session": world.session}, timeout=10)
    assert gone.status_code == 200
    journey.presence()
    assert journey.verify(otp)["verified"] is True
