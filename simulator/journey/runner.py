"""The scripted reactivation: a virtual phone with a persona runs the 11 steps against the parties by URL.

Every party is reached over HTTP only (the phone's SDKs, and for step 11 the PowerAuth Server REST API
as the bank's back office calls it), so any party can be a real system. Each step is timed and records
the HTTP calls made during it; the run stops at the first step that does not pass, and the event says
why. Waiting is real but short: the phone polls the SMS inbox and the verification status as an app
does, with timeouts from :class:`JourneyOptions`.

Decisions (where the flow leaves a choice to the app):

* Step 1 - a phone whose activation is BLOCKED or REMOVED forgets it locally and starts reactivation;
  an ACTIVE one is not offered reactivation (the step fails for that persona, as it must).
* Step 4 is the wait until the evidence is verified (state PRESENCE_CHECK); the server enrols the
  trusted image with the face provider when the phone asks for the token (step 5).
* Step 8 - a wrong OTP with attempts left sends the app back to the face scan (the server resets the
  presence check); the persona types its next code after a new scan, as the real app would.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from mocks.wultra.powerauth_server.client import signature_verify_request
from simulator.device.face_sdk import FaceBehaviour as SdkFace
from simulator.device.face_sdk import FaceSdk, FaceSdkError
from simulator.device.inbox import InboxError, SmsInbox
from simulator.device.onboarding_client import (
    OnboardingClient,
    OnboardingError,
    VerificationState,
)
from simulator.device.phone_http import ConnectionPool, PhoneResponse, PhoneSession
from simulator.device.powerauth_sdk import PowerAuthSDK, PowerAuthSdkError, RequestsTransport
from simulator.powerauth.status_blob import ActivationStatus

from .connections import SharedConnections
from .events import CallRecord, JourneyRun, StepEvent
from .personas import FaceBehaviour, OtpBehaviour, Persona
from .world import ArrangeError, ClientWorld, Targets, arrange

__all__ = ["JourneyOptions", "SharedConnections", "StepFailed", "run_journey"]

NEW_PIN = "1357"
WRONG_PIN_FREE_OTP = "00000000"
SESSION_HEADER = "X-Sim-Session"

_SDK_FACE = {
    FaceBehaviour.GENUINE: SdkFace.HONEST,
    FaceBehaviour.IMPOSTOR: SdkFace.OTHER_PERSON,
    FaceBehaviour.REPLAY: SdkFace.REPLAY,
}


class StepFailed(Exception):
    """The step did not pass; the message says what the phone saw."""


@dataclass(frozen=True)
class JourneyOptions:
    """Timeouts of the phone's waits (seconds) and the poll interval of its status checks."""

    sms_timeout: float = 20.0
    verification_timeout: float = 60.0
    poll_interval: float = 0.1


class _Recorder:
    """A response hook that files each call under the step running now."""

    def __init__(self) -> None:
        self.step: StepEvent | None = None

    def hook(self, response: PhoneResponse) -> None:
        if self.step is not None:
            request = response.request
            self.step.calls.append(CallRecord(request.method, request.url, response.status_code,
                                              response.elapsed.total_seconds() * 1000))


class _Journey:
    """One phone going through the 11 steps for one persona."""

    def __init__(self, targets: Targets, persona: Persona, world: ClientWorld, session: str,
                 options: JourneyOptions, recorder: _Recorder, pool: ConnectionPool) -> None:
        self.targets, self.persona, self.world, self.options = targets, persona, world, options

        def http() -> PhoneSession:
            phone = PhoneSession(pool, on_response=recorder.hook)
            phone.headers[SESSION_HEADER] = session
            return phone

        # A journey never moves a party's virtual clock, so the phone keeps its one time sync as the
        # mobile SDK does, instead of asking the server's time before each reuse of a temporary key.
        transport = RequestsTransport(targets.wultra, session=session, http=http())
        self.sdk = PowerAuthSDK(world.config, world.storage, transport, resync_before_key_reuse=False)
        self.onboarding = OnboardingClient(targets.wultra, world.app, session=session, http=http(),
                                           encryptors=self.sdk.application_encryptor)
        self.inbox = SmsInbox(targets.sms_gateway, world.person.phone_number, http=http())
        self.face = FaceSdk(targets.biometry, world.face_identity, behaviour=_SDK_FACE[persona.face],
                            other_identity=f"impostor-of-{world.face_identity}", http=http())
        self.back_office = http()
        self.otp = ""
        self.typed = 0
        self.code: tuple[str, str | None] = ("", None)

    def close(self) -> None:
        for closable in (self.onboarding, self.inbox, self.face, self.back_office):
            closable.close()
        self.sdk.transport.close()

    def _sleep(self, _seconds: float) -> None:
        time.sleep(self.options.poll_interval)

    # ------------------------------------------------------------------ steps

    def step1(self) -> str:
        if not self.sdk.has_valid_activation():
            return "no activation on the phone: reactivation may start"
        status = self.sdk.fetch_activation_status().status
        if status is ActivationStatus.ACTIVE:
            raise StepFailed("the activation is ACTIVE: reactivation is not offered")
        self.sdk.remove_activation_local()
        return f"the phone's activation is {status.name}: forgotten locally, reactivation starts"

    def step2(self) -> str:
        process = self.onboarding.start(self.world.identification)
        try:
            received = self.inbox.wait_for_otp(timeout=self.options.sms_timeout, length=8,
                                               poll_interval=self.options.poll_interval)
        except InboxError as exc:
            raise StepFailed(
                f"process {process.process_id} started, but no OTP arrived by SMS: {exc}") from exc
        self.otp = received.code
        return f"process {process.process_id}; OTP received by SMS on {self.world.person.phone_number}"

    def step3(self) -> str:
        self.onboarding.identity_init()
        if self.world.chip is not None:
            self.onboarding.submit_chip(self.world.chip)
            return "passport chip read over NFC (DG1, DG2, EF.SOD) and submitted"
        self.onboarding.submit_documents(self.world.photos)
        return f"{len(self.world.photos)} document photo(s) submitted"

    def step4(self) -> str:
        deadline = time.monotonic() + self.options.verification_timeout
        while True:
            reached = self.onboarding.wait_for_state(
                VerificationState.PRESENCE_CHECK, VerificationState.DOCUMENTS,
                timeout=max(0.0, deadline - time.monotonic()), poll_interval=self.options.poll_interval,
                sleep=self._sleep)
            if reached.state is VerificationState.PRESENCE_CHECK:
                return "evidence verified; the trusted image comes from it"
            if reached.state is not VerificationState.DOCUMENTS:
                raise StepFailed(f"evidence not accepted: verification {reached.phase}/{reached.status}")
            # Back at the upload screen: the app shows which document to take again, if any.
            rejected = [f"{d.get('type')} {d.get('side')}: {d.get('errors') or d.get('status')}"
                        for d in self.onboarding.document_status().documents if d.get("status") == "REJECTED"]
            if rejected:
                raise StepFailed("evidence rejected - " + "; ".join(rejected))
            if time.monotonic() >= deadline:
                raise StepFailed("the verification never left the document upload")
            self._sleep(self.options.poll_interval)

    def _presence(self) -> tuple[str, str]:
        session = self.onboarding.presence_check_init()
        return session.token, session.challenge

    def step5(self) -> str:
        self._token, self._challenge = self._presence()
        return "verification token and liveness challenge received"

    def step6(self) -> str:
        try:
            receipt = self.face.launch(self._token, self._challenge)
        except FaceSdkError as exc:
            raise StepFailed(f"the face provider refused the capture: {exc}") from exc
        return f"{receipt.frames} frames uploaded ({self.persona.face.value} face)"

    def step7(self) -> str:
        self.onboarding.presence_check_submit()
        return "the server fetched the verdict from the provider"

    def _next_otp(self) -> str:
        self.typed += 1
        wrong = self.persona.otp is OtpBehaviour.ALWAYS_WRONG or (
            self.persona.otp is OtpBehaviour.WRONG_THEN_RIGHT and self.typed == 1)
        if not wrong:
            return self.otp
        return WRONG_PIN_FREE_OTP if self.otp != WRONG_PIN_FREE_OTP else "11111111"

    def step8(self) -> str:
        while True:
            verification = self.onboarding.verify_otp(self._next_otp())
            if verification.verified:
                break
            if not verification.allow_retry or self.persona.otp is OtpBehaviour.RIGHT:
                raise StepFailed(f"not verified (remaining attempts: {verification.remaining_attempts}, "
                                 f"process {verification.onboarding_status}); "
                                 "the app is not told which factor")
            # A wrong code resets the presence check: scan the face again, then type the next code.
            self.step4()
            self.step5()
            self.step6()
            self.step7()
        issued = self.onboarding.activation()
        self.code = (issued.code, issued.signature)
        return f"verified after {self.typed} code(s); activation code issued"

    def step9(self) -> str:
        code, signature = self.code
        result = self.sdk.create_activation(code, signature=signature, name="reactivated phone")
        return f"activation {result.activation_id}, fingerprint {result.fingerprint}"

    def step10(self) -> str:
        answer = self._rest("/activation/status", {"activationId": self.sdk.activation_id})
        if answer.get("activationStatus") not in ("ACTIVE", "PENDING_COMMIT"):
            raise StepFailed(f"server holds the activation as {answer.get('activationStatus')}")
        server_fp = answer.get("devicePublicKeyFingerprint")
        if server_fp is not None and server_fp != self.sdk.fingerprint:
            raise StepFailed(f"fingerprints differ: device {self.sdk.fingerprint}, server {server_fp}")
        process = self.onboarding.status()
        return (f"server holds it {answer['activationStatus']}; fingerprints agree; "
                f"onboarding process {process.onboarding_status}")

    def step11(self) -> str:
        self.sdk.persist_activation(NEW_PIN)
        status = self.sdk.fetch_activation_status().status
        if status is not ActivationStatus.ACTIVE:
            raise StepFailed(f"the new activation is {status.name}, not ACTIVE")
        body = b'{"operation":"login"}'
        header = self.sdk.sign("POST", "/login", body, "possession_knowledge", pin=NEW_PIN)
        verified = self._verify_signature(header, body)
        if not verified.get("signatureValid"):
            raise StepFailed(f"the signature did not verify: {verified}")
        listed = self._rest("/activation/list", {"userId": self.world.user_id,
                                                 "applicationId": self.targets.application_id})
        live = sorted(a["activationId"] for a in listed.get("activations", [])
                      if a.get("activationStatus") != "REMOVED")
        if live != [self.sdk.activation_id]:
            raise StepFailed(f"the client should have exactly the new activation left, has {live}")
        return "PIN set; possession+knowledge signature valid; previous activations removed"

    # ------------------------------------------------------------------ back office

    def _rest(self, path: str, request_object: dict[str, Any]) -> dict[str, Any]:
        url = self.targets.wultra.rstrip("/") + "/powerauth-java-server/rest/v3" + path
        response = self.back_office.post(url, json={"requestObject": request_object}, timeout=15)
        body = response.json() if response.content else {}
        if response.status_code != 200 or body.get("status") != "OK":
            raise StepFailed(f"PowerAuth Server {path} answered {response.status_code}: {body}")
        return dict(body.get("responseObject") or {})

    def _verify_signature(self, header: str, body: bytes) -> dict[str, Any]:
        return self._rest("/signature/verify",
                          signature_verify_request(header, method="POST", uri_id="/login", body=body))


def _session_name(persona: Persona, seed: int) -> str:
    return f"journey-{persona.name}-{seed}-{uuid.uuid4().hex[:8]}"


@contextmanager
def _timed(run: JourneyRun, number: int, recorder: _Recorder,
           on_step: Callable[[StepEvent], None] | None) -> Iterator[StepEvent]:
    event = StepEvent(number)
    recorder.step = event
    run.steps.append(event)
    started = time.perf_counter()
    try:
        yield event
    finally:
        event.ms = (time.perf_counter() - started) * 1000
        recorder.step = None
        if on_step is not None:
            on_step(event)


def run_journey(
    targets: Targets,
    persona: Persona,
    *,
    seed: int = 1,
    options: JourneyOptions | None = None,
    on_step: Callable[[StepEvent], None] | None = None,
    session: str | None = None,
    connections: SharedConnections | None = None,
) -> JourneyRun:
    """Arrange the persona's world, then run the 11 steps until one fails; ``on_step`` sees each event.

    ``connections``: a pool kept alive across this client's journeys (see :class:`SharedConnections`);
    without one the journey's connections are its own, closed at its end.
    """
    session = session or _session_name(persona, seed)
    run = JourneyRun(persona=persona.name, seed=seed, session=session,
                     expected_failure=persona.expected_failure)
    recorder = _Recorder()
    pool = connections if connections is not None else ConnectionPool()
    arrange_http = PhoneSession(pool)
    arrange_http.headers[SESSION_HEADER] = session
    try:
        world = arrange(targets, persona, seed, session, arrange_http)
    except (ArrangeError, requests.RequestException, PowerAuthSdkError) as exc:
        if connections is None:
            pool.close()
        raise ArrangeError(f"could not set up the world before step 1: {exc}") from exc
    journey = _Journey(targets, persona, world, session, options or JourneyOptions(), recorder, pool)
    try:
        for number in range(1, 12):
            with _timed(run, number, recorder, on_step) as event:
                try:
                    event.detail = getattr(journey, f"step{number}")()
                    event.ok = True
                except StepFailed as exc:
                    event.detail = str(exc)
                except (OnboardingError, PowerAuthSdkError, FaceSdkError, InboxError) as exc:
                    event.detail = f"{type(exc).__name__}: {exc}"
                except requests.RequestException as exc:
                    event.detail = f"network error: {exc}"
            if not event.ok:
                break
        run.activation_id = journey.sdk.activation_id or ""
    finally:
        journey.close()
        if connections is None:
            pool.close()
    return run
