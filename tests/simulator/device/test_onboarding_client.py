"""The Onboarding Server client.

Over real HTTP against the Wultra mock (with the bank and SMS gateway mocks behind it) for the
endpoints the server offers; against a small stand-in server built from the protocol primitives
(application-scope ECIES, server role) for the request and answer shapes of every call.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, Response, request
from hypothesis import given
from hypothesis import strategies as st

from mocks.bank.app import create_app as create_bank
from mocks.bank.client import BankClient
from mocks.biometry.app import create_app as create_biometry
from mocks.biometry.documents.trust import seeded_csca
from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.sms_gateway.app import create_app as create_gateway
from mocks.wultra.app import create_app as create_wultra
from mocks.wultra.powerauth_server.client import PowerAuthServerClient
from simulator.device.camera import CardSide, DocumentCamera, DocumentPhoto, DocumentType
from simulator.device.face_sdk import FaceBehaviour, FaceSdk, FaceTokenError
from simulator.device.inbox import SmsInbox
from simulator.device.nfc import NfcReader, person_chip
from simulator.device.onboarding_client import (
    PATHS,
    AppCredentials,
    IdentityStatus,
    OnboardingClient,
    OnboardingConfigError,
    OnboardingError,
    OnboardingSecurityError,
    OnboardingServerError,
    OnboardingTimeoutError,
    OnboardingTransportError,
    ProcessNotStartedError,
    VerificationState,
    _server_error,
)
from simulator.device.powerauth_sdk import DeviceStorage, PowerAuthSDK
from simulator.device.powerauth_sdk.config import PowerAuthConfig
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.forgery import swap_portrait
from simulator.identity.chip.pki import issue_document_signer
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.people import Person, generate_person
from simulator.powerauth.activation_code import generate_activation_code, sign_activation_code
from simulator.powerauth.codec import b64decode
from simulator.powerauth.ecies import EciesContext, EciesDecryptor, EciesRequest, EncryptorId, dumps_compact
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader
from simulator.powerauth.keys import generate_private_key, public_key_to_bytes
from simulator.powerauth.versions import ProtocolVersion

_sessions = itertools.count()


# ==================================================================================== stand-in server

CODE = generate_activation_code(random=lambda n: bytes(range(n)))
APP_KEY = "dGVzdC1hcHAta2V5LTAwMQ=="
APP_SECRET = "dGVzdC1hcHAtc2VjcmV0MQ=="


@dataclass
class StandIn:
    """An Onboarding Server stand-in: decrypts like the real one, records request objects, answers
    the queued ``responseObject`` for a path (or an error envelope)."""

    url: str
    master: ec.EllipticCurvePrivateKey
    seen: list[tuple[str, dict[str, str], dict[str, Any]]]
    answers: dict[str, Any]

    @property
    def app(self) -> AppCredentials:
        return AppCredentials(APP_KEY, APP_SECRET, public_key_to_bytes(self.master.public_key()))


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    master = generate_private_key()
    state = StandIn("", master, [], {})
    app = Flask("onboarding_stand_in")

    @app.post("/enrollment-server-onboarding/<path:path>")
    def endpoint(path: str) -> Response:
        header = EncryptionHeader.parse(request.headers[ENCRYPTION_HEADER])
        context = EciesContext(ProtocolVersion(header.version), EncryptorId.APPLICATION_SCOPE_GENERIC,
                               APP_KEY, APP_SECRET)
        decryptor = EciesDecryptor(context, master)
        plain = decryptor.decrypt_request(EciesRequest.from_json(request.get_json(), header.version))
        wrapper = json.loads(plain)
        state.seen.append(("/" + path, {k.lower(): v for k, v in request.headers.items()}, wrapper))
        answer = state.answers.get("/" + path, {})
        if isinstance(answer, tuple):  # (status, plain body)
            return Response(json.dumps(answer[1]), status=answer[0], mimetype="application/json")
        if answer == "garbage":
            forged = {"encryptedData": "AAAAAAAAAAAAAAAAAAAAAA==", "mac": "A" * 43 + "=",
                      "nonce": "A" * 22 + "==", "timestamp": 1}
            return Response(json.dumps(forged), mimetype="application/json")
        body = {"status": "OK"} if answer is None else {"status": "OK", "responseObject": answer}
        sealed = decryptor.encrypt_response(dumps_compact(body))
        return Response(json.dumps(sealed.to_json()), mimetype="application/json")

    with serve_in_thread(app) as running:
        state.url = running.url
        yield state


@pytest.fixture
def fake(stand_in: StandIn) -> Iterator[StandIn]:
    stand_in.seen.clear()
    stand_in.answers.clear()
    stand_in.answers[PATHS["start"]] = {
        "processId": "5b7a0f0e-1111-4222-8333-944455556666", "processToken": "tok-" + "x" * 28,
        "onboardingStatus": "VERIFICATION_IN_PROGRESS",
        "config": {"otpResendPeriod": "PT30S", "otpResendPeriodSeconds": 30},
    }
    yield stand_in


def _started(fake: StandIn, **kwargs: Any) -> OnboardingClient:
    client = OnboardingClient(fake.url, fake.app, **kwargs)
    client.start({"clientNumber": "123", "birthDate": "1980-01-02"})
    return client


def test_start_sends_reactivation_and_keeps_the_process(fake: StandIn) -> None:
    client = _started(fake, language="cs", session="s-1")
    path, headers, wrapper = fake.seen[0]
    assert path == "/api/onboarding/start"
    assert wrapper == {"requestObject": {"identification": {"clientNumber": "123", "birthDate": "1980-01-02"},
                                         "processType": "reactivation"}}
    assert headers["accept-language"] == "cs" and headers["x-sim-session"] == "s-1"
    assert EncryptionHeader.parse(headers[ENCRYPTION_HEADER.lower()]).version == "3.2"
    assert client.process is not None and client.process.otp_resend_period_seconds == 30
    assert "tok-" not in repr(client.process)  # the token stays out of logs
    with pytest.raises(OnboardingError) as info:
        client.start({"clientNumber": "123"})
    assert info.value.code == "PROCESS_ALREADY_IN_PROGRESS"


def test_identity_calls_carry_process_id_and_token(fake: StandIn) -> None:
    client = _started(fake)
    fake.answers.update({
        PATHS["identity_status"]: {"processId": "p", "identityVerificationStatus": "IN_PROGRESS",
                                   "identityVerificationPhase": "PRESENCE_CHECK"},
        PATHS["presence_init"]: {"sessionAttributes": {"iProovVerificationToken": "vt-1",
                                                       "livenessChallenge": "{\"version\":1}"}},
        PATHS["otp_verify"]: {"processId": "p", "onboardingStatus": "VERIFICATION_IN_PROGRESS",
                              "verified": False, "expired": False, "remainingAttempts": 4},
        PATHS["activation"]: {"activationCode": CODE,
                              "activationSignature": sign_activation_code(CODE, fake.master)},
        PATHS["identity_init"]: None, PATHS["presence_submit"]: None,
    })
    client.identity_init()
    status = client.identity_status()
    assert (status.phase, status.status) == ("PRESENCE_CHECK", "IN_PROGRESS")
    session = client.presence_check_init()
    assert session.token == "vt-1" and session.challenge == "{\"version\":1}"
    client.presence_check_submit()
    result = client.verify_otp("12345678")
    assert not result.verified and result.remaining_attempts == 4 and result.allow_retry
    issued = client.activation()
    assert issued.code == CODE and issued.signature
    identity = [(path, wrapper["requestObject"]) for path, _h, wrapper in fake.seen[1:]]
    for path, body in identity:
        assert body["processId"] == "5b7a0f0e-1111-4222-8333-944455556666", path
        assert body["processToken"] == "tok-" + "x" * 28, path
    assert identity[4] == (PATHS["otp_verify"], {**identity[4][1], "otpCode": "12345678"})


def test_document_and_chip_submit_bodies(fake: StandIn) -> None:
    client = _started(fake)
    fake.answers[PATHS["document_submit"]] = None
    photos = [DocumentPhoto(DocumentType.ID_CARD, CardSide.FRONT, b"\xff\xd8front"),
              DocumentPhoto(DocumentType.ID_CARD, CardSide.BACK, b"\xff\xd8back")]
    client.submit_documents(photos, resubmit=True, original_ids={"id_card_back.jpg": "doc-9"})
    documents = fake.seen[-1][2]["requestObject"]["documents"]
    assert [(d["filename"], d["type"], d["side"]) for d in documents] == [
        ("id_card_front.jpg", "ID_CARD", "FRONT"), ("id_card_back.jpg", "ID_CARD", "BACK")]
    assert b64decode(documents[0]["data"]) == photos[0].jpeg
    assert "originalDocumentId" not in documents[0] and documents[1]["originalDocumentId"] == "doc-9"
    assert fake.seen[-1][2]["requestObject"]["resubmit"] is True

    class Evidence:
        def to_json(self) -> dict[str, str]:
            return {"EF.COM": "AA==", "EF.SOD": "AA=="}

    client.submit_chip(Evidence())
    body = fake.seen[-1][2]["requestObject"]
    assert body["documents"] == []
    assert body["chip"] == {"documentType": "PASSPORT", "files": {"EF.COM": "AA==", "EF.SOD": "AA=="}}
    client.submit_documents(photos[:1], chip=Evidence(), chip_document_type="ID_CARD")
    body = fake.seen[-1][2]["requestObject"]
    assert len(body["documents"]) == 1 and body["chip"]["documentType"] == "ID_CARD"


def test_activation_code_is_checked_before_use(fake: StandIn) -> None:
    client = _started(fake)
    other_key = generate_private_key()
    for bad in ({"activationCode": CODE[:-1] + ("A" if CODE[-1] != "A" else "B")},
                {"activationCode": CODE, "activationSignature": sign_activation_code(CODE, other_key)},
                {"activationCode": CODE, "activationSignature": "not base64!"}):
        fake.answers[PATHS["activation"]] = bad
        with pytest.raises(OnboardingSecurityError):
            client.activation()
    fake.answers[PATHS["activation"]] = {"activationCode": CODE}  # unsigned: format checked only
    assert client.activation().signature is None


def test_server_errors_are_typed_with_code_status_and_attempts(fake: StandIn) -> None:
    client = _started(fake)
    fake.answers[PATHS["otp_verify"]] = (400, {"status": "ERROR", "remainingAttempts": 2, "responseObject": {
        "code": "ONBOARDING_OTP_FAILED", "message": "wrong"}})
    with pytest.raises(OnboardingServerError) as info:
        client.verify_otp("1")
    assert (info.value.code, info.value.http_status, info.value.remaining_attempts) == (
        "ONBOARDING_OTP_FAILED", 400, 2)
    assert info.value.allow_otp_retry
    fake.answers[PATHS["status"]] = (502, "<html>bad gateway</html>")
    with pytest.raises(OnboardingTransportError) as transport:
        client.status()
    assert transport.value.http_status == 502
    fake.answers[PATHS["status"]] = "garbage"
    with pytest.raises(OnboardingSecurityError):
        client.status()
    fake.answers[PATHS["activation"]] = {}
    with pytest.raises(OnboardingTransportError, match="activationCode"):
        client.activation()
    fake.answers[PATHS["presence_init"]] = {"sessionAttributes": {}}
    with pytest.raises(OnboardingTransportError, match="token"):
        client.presence_check_init()


def test_calls_before_start_and_bad_configuration(fake: StandIn) -> None:
    client = OnboardingClient(fake.url, fake.app)
    with pytest.raises(ProcessNotStartedError):
        client.status()
    with pytest.raises(ProcessNotStartedError):
        client.identity_status()
    public = fake.app.master_public_key
    with pytest.raises(OnboardingConfigError, match=r"3\.3"):
        AppCredentials(APP_KEY, APP_SECRET, public, "3.3")  # type: ignore[arg-type]
    with pytest.raises(OnboardingConfigError, match="P-256"):
        AppCredentials(APP_KEY, APP_SECRET, b"\x04" + b"\x01" * 64)
    with pytest.raises(OnboardingConfigError):
        AppCredentials("", APP_SECRET, public)
    with OnboardingClient("http://127.0.0.1:9", fake.app, timeout=2) as dead, \
            pytest.raises(OnboardingTransportError):
        dead.start({"clientNumber": "1"})


def test_credentials_from_the_powerauth_sdk_config(fake: StandIn) -> None:
    config = PowerAuthConfig(APP_KEY, APP_SECRET, fake.app.master_public_key)  # the SDK speaks 3.3
    app = AppCredentials.from_config(config)
    assert app.version.value == "3.2" and app.master_public_key == fake.app.master_public_key
    client = OnboardingClient(fake.url, app)
    assert client.start({"clientNumber": "1"}).process_id == "5b7a0f0e-1111-4222-8333-944455556666"


def test_cleanup_forgets_the_process_even_when_refused(fake: StandIn) -> None:
    client = _started(fake)
    fake.answers[PATHS["cleanup"]] = (400, {"status": "ERROR", "responseObject": {
        "code": "ONBOARDING_FAILED", "message": "finished"}})
    with pytest.raises(OnboardingServerError):
        client.cleanup()
    assert client.process is None


# ==================================================================================== the real mock


@dataclass
class Stack:
    wultra: RunningServer
    sms: RunningServer
    bank: RunningServer
    biometry: RunningServer


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with serve_in_thread(create_gateway({"seed": 3})) as sms, \
            serve_in_thread(create_biometry({"seed": 6})) as biometry, \
            serve_in_thread(create_bank({"seed": 4, "extra": {"sms_gateway_url": sms.url,
                                                               "sms_retry_backoff": 0.0}})) as bank:
        extra = {"bank_url": bank.url, "biometry_url": biometry.url, "document_provider_url": biometry.url}
        wultra_app = create_wultra({"seed": 5, "max_request_bytes": 8 * 1024 * 1024, "extra": extra})
        with serve_in_thread(wultra_app) as wultra:
            yield Stack(wultra, sms, bank, biometry)


@dataclass
class World:
    session: str
    app: AppCredentials
    client: dict[str, Any]
    stack: Stack

    def device(self, language: str = "en") -> OnboardingClient:
        return OnboardingClient(self.stack.wultra.url, self.app, language=language, session=self.session)

    def inbox(self) -> SmsInbox:
        return SmsInbox(self.stack.sms.url, self.client["phoneNumber"], session=self.session)

    def identification(self) -> dict[str, str]:
        return {"clientNumber": self.client["clientNumber"], "birthDate": self.client["dateOfBirth"]}

    def admin(self, party: RunningServer) -> AdminClient:
        return AdminClient(party.url, session=self.session)


@pytest.fixture
def world(stack: Stack, request: pytest.FixtureRequest) -> Iterator[World]:
    session = f"onbc-{next(_sessions)}-{request.node.name}"[:60]
    pas = PowerAuthServerClient(stack.wultra.url, session=session)
    try:
        created = pas.ok("/application/create", {"applicationId": "rsim-mobile"})
        detail = pas.ok("/application/detail", {"applicationId": created["applicationId"]})
    finally:
        pas.close()
    version = detail["versions"][0]
    app = AppCredentials(version["applicationKey"], version["applicationSecret"],
                         b64decode(detail["masterPublicKey"]))
    with BankClient(stack.bank.url, session=session) as bank:
        client = bank.generate_clients(31, 1)["clients"][0]
    yield World(session, app, client, stack)
    for party in (stack.wultra, stack.sms, stack.bank):
        with AdminClient(party.url, session=session) as admin:
            admin.reset(session)


def _read_otp(world: World) -> str:
    with world.admin(world.stack.sms) as sms, world.inbox() as inbox:
        def sleep(_seconds: float) -> None:
            sms.advance_clock(2)

        return inbox.wait_for_otp(timeout=30, poll_interval=0, sleep=sleep, length=8).code


def test_start_otp_by_sms_status_resend_cleanup_over_http(world: World) -> None:
    with world.device(language="cs") as device:
        process = device.start(world.identification())
        assert process.onboarding_status == "VERIFICATION_IN_PROGRESS"
        assert process.otp_resend_period_seconds == 30
        first = _read_otp(world)
        assert len(first) == 8 and first.isdigit()
        assert device.status().onboarding_status == "VERIFICATION_IN_PROGRESS"
        with pytest.raises(OnboardingServerError) as info:
            device.resend_otp()  # within the resend period
        assert (info.value.code, info.value.http_status) == ("ONBOARDING_OTP_FAILED", 400)
        with world.admin(world.stack.wultra) as wultra:
            wultra.advance_clock(31)
        device.resend_otp()
        second = _read_otp(world)
        assert second != first
        process_id, token = process.process_id, process.process_token
        device.cleanup()
        assert device.process is None
        status = device.resume(process_id, token)
        assert status.onboarding_status == "FAILED" and status.otp_resend_period_seconds is None
        assert device.process is not None and device.process.onboarding_status == "FAILED"


def test_unknown_client_gets_the_same_answer_and_no_sms(world: World) -> None:
    with world.device() as device:
        process = device.start({"clientNumber": "0000000001", "birthDate": "1970-01-01"})
        assert process.onboarding_status == "VERIFICATION_IN_PROGRESS" and process.process_token
    with world.admin(world.stack.sms) as sms, world.inbox() as inbox:
        sms.advance_clock(30)
        assert inbox.messages() == []


def test_sixth_start_in_a_day_is_refused(world: World) -> None:
    with world.device() as device:
        for _ in range(5):
            device.start(world.identification())
            device.process = None  # a new installation each time
        with pytest.raises(OnboardingServerError) as info:
            device.start(world.identification())
    assert (info.value.code, info.value.http_status) == ("TOO_MANY_ONBOARDING_PROCESSES", 429)


def test_foreign_application_key_is_refused(world: World) -> None:
    foreign = AppCredentials("Zm9yZWlnbi1hcHAta2V5MQ==", world.app.application_secret,
                             world.app.master_public_key)
    with OnboardingClient(world.stack.wultra.url, foreign, session=world.session) as device, \
            pytest.raises(OnboardingServerError) as info:
        device.start(world.identification())
    assert info.value.http_status == 400 and info.value.code


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@given(status=st.integers(min_value=201, max_value=599), body=_JSON)
def test_any_error_answer_becomes_a_typed_error(status: int, body: Any) -> None:
    error = _server_error(status, body, json.dumps(body))
    assert isinstance(error, OnboardingServerError | OnboardingTransportError)
    assert error.http_status == status
    assert error.remaining_attempts is None or isinstance(error.remaining_attempts, int)


@given(code=st.text(min_size=1, max_size=30), remaining=st.integers(min_value=0, max_value=5))
def test_envelope_errors_keep_code_and_attempts(code: str, remaining: int) -> None:
    body = {"status": "ERROR", "remainingAttempts": remaining,
            "responseObject": {"code": code, "message": "m"}}
    error = _server_error(400, body, "")
    assert isinstance(error, OnboardingServerError)
    assert (error.code, error.remaining_attempts, error.allow_otp_retry) == (code, remaining, remaining > 0)


@pytest.mark.parametrize(
    ("phase", "status", "state"),
    [
        (None, "NOT_INITIALIZED", VerificationState.INTRO),
        (None, "FAILED", VerificationState.FAILED),
        ("DOCUMENT_UPLOAD", "IN_PROGRESS", VerificationState.DOCUMENTS),
        ("DOCUMENT_UPLOAD", "VERIFICATION_PENDING", VerificationState.PROCESSING),
        ("CLIENT_EVALUATION", "IN_PROGRESS", VerificationState.PROCESSING),
        ("CLIENT_EVALUATION", "REJECTED", VerificationState.REJECTED),
        ("PRESENCE_CHECK", "NOT_INITIALIZED", VerificationState.PRESENCE_CHECK),
        ("PRESENCE_CHECK", "VERIFICATION_PENDING", VerificationState.PROCESSING),
        ("OTP_VERIFICATION", "VERIFICATION_PENDING", VerificationState.OTP),
        ("ACTIVATION_FINISH", "IN_PROGRESS", VerificationState.FINISH_ACTIVATION),
        ("COMPLETED", "ACCEPTED", VerificationState.SUCCESS),
        ("COMPLETED", "FAILED", VerificationState.FAILED),
        ("SOMETHING_NEW", "IN_PROGRESS", VerificationState.FAILED),
    ],
)
def test_sdk_state_mapping(phase: str | None, status: str, state: VerificationState) -> None:
    assert IdentityStatus(status, phase).state is state


def test_wait_for_state_polls_until_the_phase_or_a_terminal_state(fake: StandIn) -> None:
    client = _started(fake)
    phases = iter(["DOCUMENT_UPLOAD", "DOCUMENT_UPLOAD", "PRESENCE_CHECK"])
    statuses = iter(["VERIFICATION_PENDING", "VERIFICATION_PENDING", "NOT_INITIALIZED"])
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        fake.answers[PATHS["identity_status"]] = {
            "identityVerificationStatus": next(statuses), "identityVerificationPhase": next(phases)}

    sleep(0)
    reached = client.wait_for_state(VerificationState.PRESENCE_CHECK, poll_interval=0.5, sleep=sleep)
    assert reached.phase == "PRESENCE_CHECK" and sleeps == [0, 0.5, 0.5]
    fake.answers[PATHS["identity_status"]] = {"identityVerificationStatus": "REJECTED",
                                              "identityVerificationPhase": "CLIENT_EVALUATION"}
    assert client.wait_for_state(VerificationState.OTP).state is VerificationState.REJECTED
    fake.answers[PATHS["identity_status"]] = {"identityVerificationStatus": "VERIFICATION_PENDING",
                                              "identityVerificationPhase": "DOCUMENT_UPLOAD"}
    ticks = iter(range(100))
    with pytest.raises(OnboardingTimeoutError):
        client.wait_for_state(VerificationState.OTP, timeout=3, sleep=lambda _s: None,
                              monotonic=lambda: float(next(ticks)))


# ==================================================================================== the whole app side


@dataclass
class Phone:
    """The virtual phone of one client: every capability, each talking HTTP to its own party."""

    world: World
    person: Person
    client: OnboardingClient
    camera: DocumentCamera

    def read_otp(self) -> str:
        return _read_otp(self.world)

    def poll(self, *states: VerificationState) -> IdentityStatus:
        return self.client.wait_for_state(*states, timeout=20, poll_interval=0.0, sleep=lambda _s: None)

    def face(self, behaviour: FaceBehaviour) -> FaceSdk:
        return FaceSdk(self.world.stack.biometry.url, self.person.client_number, behaviour=behaviour,
                       rng=random.Random(23), session=self.world.session)

    def presence_check(self, behaviour: FaceBehaviour = FaceBehaviour.HONEST) -> None:
        session = self.client.presence_check_init()
        with self.face(behaviour) as sdk:
            sdk.launch(session.token, session.challenge)
        self.client.presence_check_submit()


@pytest.fixture
def phone(world: World) -> Iterator[Phone]:
    person = generate_person(JOURNEY_SEED, 0)
    with world.device(language="de") as client:
        yield Phone(world, person, client, DocumentCamera(person, rng=random.Random(2)))


JOURNEY_SEED = 31


def _issued_chip(person: Person) -> VirtualChip:
    now = dt.datetime.now(dt.UTC)
    signer = issue_document_signer(seeded_csca(person.nationality), not_before=now - dt.timedelta(days=30))
    return person_chip(person, signer, signed_at=now - dt.timedelta(days=1))


def test_honest_reactivation_with_id_card_photos(phone: Phone) -> None:
    """Steps 2-8 from the phone: OTP by SMS, ID card photos, face scan, OTP, activation code."""
    assert phone.person.client_number == phone.world.client["clientNumber"]
    phone.client.start(phone.world.identification())
    otp = phone.read_otp()
    assert phone.client.identity_status().state is VerificationState.INTRO
    phone.client.identity_init()
    assert phone.client.identity_status().state is VerificationState.DOCUMENTS
    phone.client.submit_documents(phone.camera.scan(DocumentType.ID_CARD))
    assert phone.poll(VerificationState.PRESENCE_CHECK).state is VerificationState.PRESENCE_CHECK
    assert {d["status"] for d in phone.client.document_status().documents} == {"ACCEPTED"}
    phone.presence_check()
    assert phone.poll(VerificationState.OTP).state is VerificationState.OTP
    result = phone.client.verify_otp(otp)
    assert result.verified and not result.expired
    assert phone.poll(VerificationState.FINISH_ACTIVATION).state is VerificationState.FINISH_ACTIVATION
    issued = phone.client.activation()  # checked: Base32 + CRC-16, signed by the master key
    assert len(issued.code) == 23 and issued.code.count("-") == 3 and issued.signature
    assert phone.client.activation().code == issued.code  # the same code while it waits


def test_chip_read_over_nfc_is_accepted_evidence(phone: Phone) -> None:
    phone.client.start(phone.world.identification())
    phone.client.identity_init()
    mrz = phone.camera.scan_mrz(phone.camera.photograph(DocumentType.PASSPORT))
    evidence = NfcReader().read(_issued_chip(phone.person), mrz)
    phone.client.submit_chip(evidence)
    assert phone.poll(VerificationState.PRESENCE_CHECK).state is VerificationState.PRESENCE_CHECK


def _to_otp_step(phone: Phone, behaviour: FaceBehaviour = FaceBehaviour.HONEST) -> str:
    phone.client.start(phone.world.identification())
    otp = phone.read_otp()
    phone.client.identity_init()
    phone.client.submit_documents(phone.camera.scan(DocumentType.PASSPORT))
    phone.poll(VerificationState.PRESENCE_CHECK)
    phone.presence_check(behaviour)
    assert phone.poll(VerificationState.OTP).state is VerificationState.OTP  # reached either way
    return otp


@pytest.mark.parametrize("behaviour", [FaceBehaviour.SCREEN, FaceBehaviour.OTHER_PERSON])
def test_failed_face_is_not_told_and_the_correct_otp_is_not_enough(
    phone: Phone, behaviour: FaceBehaviour
) -> None:
    otp = _to_otp_step(phone, behaviour)
    result = phone.client.verify_otp(otp)
    # the same answer a wrong OTP gets (RX-15): one attempt gone, face and OTP to be redone
    assert (result.verified, result.expired, result.remaining_attempts) == (False, False, 4)
    assert phone.client.identity_status().state is VerificationState.PRESENCE_CHECK
    with pytest.raises(OnboardingServerError):
        phone.client.activation()
    phone.presence_check(FaceBehaviour.HONEST)
    phone.poll(VerificationState.OTP)
    assert phone.client.verify_otp(otp).verified


def test_wrong_otp_gets_the_same_answer_and_counts_down(phone: Phone) -> None:
    otp = _to_otp_step(phone)
    wrong = f"{(int(otp) + 1) % 10**8:08d}"
    result = phone.client.verify_otp(wrong)
    assert (result.verified, result.expired, result.remaining_attempts) == (False, False, 4)
    assert result.allow_retry
    assert phone.client.identity_status().state is VerificationState.PRESENCE_CHECK
    phone.presence_check()
    phone.poll(VerificationState.OTP)
    assert phone.client.verify_otp(wrong).remaining_attempts == 3
    phone.presence_check()
    phone.poll(VerificationState.OTP)
    assert phone.client.verify_otp(otp).verified


def test_expired_otp_is_told_and_a_resent_one_works(phone: Phone) -> None:
    otp = _to_otp_step(phone)
    with phone.world.admin(phone.world.stack.wultra) as wultra:
        wultra.advance_clock(301)
    result = phone.client.verify_otp(otp)
    assert (result.verified, result.expired, result.remaining_attempts) == (False, True, 0)
    assert not result.allow_retry
    phone.client.resend_identity_otp()
    fresh = phone.read_otp()
    assert fresh != otp
    phone.poll(VerificationState.OTP)
    assert phone.client.verify_otp(fresh).verified


def test_identity_cleanup_restarts_the_verification(phone: Phone) -> None:
    phone.client.start(phone.world.identification())
    phone.client.identity_init()
    phone.client.submit_documents(phone.camera.scan(DocumentType.PASSPORT))
    phone.client.identity_cleanup()
    assert phone.client.identity_status().state is VerificationState.INTRO
    phone.client.identity_init()
    assert phone.client.identity_status().state is VerificationState.DOCUMENTS
    with pytest.raises(OnboardingServerError) as info:
        phone.client.identity_init()  # already initialised
    assert info.value.http_status == 400


def test_identity_calls_need_the_process_token(phone: Phone) -> None:
    process = phone.client.start(phone.world.identification())
    phone.client.resume(process.process_id, "forged-token-0000000000")
    with pytest.raises(OnboardingServerError) as info:
        phone.client.identity_status()
    assert (info.value.code, info.value.http_status) == ("ONBOARDING_FAILED", 400)


def _submitted(phone: Phone, **evidence: Any) -> IdentityStatus:
    """Start, init, submit; then poll until the server has judged the evidence."""
    phone.client.start(phone.world.identification())
    phone.client.identity_init()
    phone.client.submit_documents(**evidence)
    return phone.poll(VerificationState.PRESENCE_CHECK, VerificationState.DOCUMENTS)


def test_slow_user_gets_a_new_token_after_the_old_one_expired(phone: Phone) -> None:
    _submitted(phone, photos=phone.camera.scan(DocumentType.PASSPORT))
    stale = phone.client.presence_check_init()
    with phone.world.admin(phone.world.stack.biometry) as biometry:
        biometry.advance_clock(121)  # a verification token lives 2 minutes
    with phone.face(FaceBehaviour.HONEST) as sdk, pytest.raises(FaceTokenError) as info:
        sdk.launch(stale.token, stale.challenge)
    assert info.value.code == "token_expired"
    fresh = phone.client.presence_check_init()  # re-init is allowed while the check is open
    assert fresh.token != stale.token
    with phone.face(FaceBehaviour.HONEST) as sdk:
        sdk.launch(fresh.token, fresh.challenge)
    phone.client.presence_check_submit()
    assert phone.poll(VerificationState.OTP).state is VerificationState.OTP


def test_tampered_chip_is_rejected_with_a_generic_error(phone: Phone) -> None:
    mrz = phone.camera.scan_mrz(phone.camera.photograph(DocumentType.PASSPORT))
    genuine = _issued_chip(phone.person)
    chip = VirtualChip(swap_portrait(genuine.image, portrait_jpeg("mallory")))
    status = _submitted(phone, chip=NfcReader().read(chip, mrz))
    assert status.state is VerificationState.DOCUMENTS  # upload again
    [document] = phone.client.document_status().documents
    assert document["status"] == "REJECTED" and document["errors"] == ["Error verifying the document."]


def test_pasted_portrait_on_the_id_card_is_rejected(phone: Phone) -> None:
    camera = DocumentCamera(phone.person, rng=random.Random(9), pasted_portrait=portrait_jpeg("mallory"))
    status = _submitted(phone, photos=camera.scan(DocumentType.ID_CARD))
    assert status.state is VerificationState.DOCUMENTS
    assert {d["status"] for d in phone.client.document_status().documents} == {"REJECTED"}


START_PATH = "/enrollment-server-onboarding/api/onboarding/start"


@pytest.mark.parametrize("version", ["3.3", "3.2"])
def test_the_powerauth_sdk_encryptor_seals_every_call_at_its_version(world: World, version: str) -> None:
    """As WDO takes the PowerAuth SDK's application-scope encryptor: 3.3 encrypts to a temporary key
    fetched from ``/pa/v3/keystore/create``, and the server decrypts it as such."""
    config = PowerAuthConfig(world.app.application_key, world.app.application_secret,
                             world.app.master_public_key, ProtocolVersion(version))
    sdk = PowerAuthSDK(config, DeviceStorage(), world.stack.wultra.url, session=world.session)
    try:
        with OnboardingClient(world.stack.wultra.url, world.app, session=world.session,
                              encryptors=sdk.application_encryptor) as device:
            process = device.start(world.identification())
            assert device.status().process_id == process.process_id
    finally:
        sdk.close()
    with world.admin(world.stack.wultra) as wultra:
        starts = wultra.journal(session=world.session, path=START_PATH)
        keystore = wultra.journal(session=world.session, path="/enrollment-server/pa/v3/keystore/create")
    assert ("temporaryKeyId" in starts[0]["requestBody"]) == (version == "3.3")
    assert len(keystore) == (1 if version == "3.3" else 0)  # one key, cached for both calls


def test_a_temporary_key_signed_by_another_master_key_is_not_used(world: World) -> None:
    other_master = public_key_to_bytes(generate_private_key().public_key())
    config = PowerAuthConfig(world.app.application_key, world.app.application_secret, other_master,
                             ProtocolVersion("3.3"))
    sdk = PowerAuthSDK(config, DeviceStorage(), world.stack.wultra.url, session=world.session)
    try:
        with OnboardingClient(world.stack.wultra.url, world.app, session=world.session,
                              encryptors=sdk.application_encryptor) as device, \
                pytest.raises(OnboardingSecurityError):
            device.start(world.identification())
    finally:
        sdk.close()
    with world.admin(world.stack.wultra) as wultra:
        assert wultra.journal(session=world.session, path=START_PATH) == []
