"""One client's phone in a scenario: the persona's world arranged, and the 11 steps as separate moves.

``run_journey`` drives a whole reactivation; scenarios that check one rule need finer moves (start,
then let 5 minutes pass, then type the OTP; scan a face twice with one token; create the activation
with a code used before).  :class:`ScenarioPhone` offers those moves on the same device pieces the
journey uses (PowerAuth SDK, onboarding client, SMS inbox, face SDK), every call over HTTP with the
scenario's ``X-Sim-Session``.  A move that the servers refuse raises the device's typed error; the
step library records it for the ``then`` steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from mocks.wultra.powerauth_server.client import signature_verify_request
from simulator.device.camera import DocumentPhoto
from simulator.device.face_sdk import CaptureReceipt, FaceSdk
from simulator.device.face_sdk import FaceBehaviour as FaceKind
from simulator.device.inbox import SmsInbox
from simulator.device.onboarding_client import (
    IdentityStatus,
    IssuedActivation,
    OnboardingClient,
    OnboardingProcess,
    OtpVerification,
    PresenceCheckSession,
    VerificationState,
)
from simulator.device.powerauth_sdk import ActivationResult, PowerAuthConfig, PowerAuthSDK
from simulator.device.powerauth_sdk.config import parse_device_version
from simulator.journey.personas import Persona
from simulator.journey.world import ClientWorld, Targets, arrange
from simulator.powerauth.status_blob import ActivationStatus

__all__ = ["SESSION_HEADER", "PhoneTimeouts", "ScenarioPhone", "rest_call"]

SESSION_HEADER = "X-Sim-Session"
REST_PREFIX = "/powerauth-java-server/rest/v3"


@dataclass(frozen=True)
class PhoneTimeouts:
    """How long the phone waits for an SMS and for the evidence verdict (real seconds)."""

    sms: float = 5.0
    verification: float = 30.0
    poll: float = 0.05


def rest_call(http: requests.Session, wultra_url: str, path: str,
              request_object: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One PowerAuth Server REST call as the bank's back office makes it: (HTTP status, body)."""
    response = http.post(wultra_url.rstrip("/") + REST_PREFIX + path,
                         json={"requestObject": request_object}, timeout=15)
    try:
        body = response.json()
    except ValueError:
        body = {}
    return response.status_code, body if isinstance(body, dict) else {}


class ScenarioPhone:
    """The persona's phone; ``version`` is the PowerAuth protocol its SDK speaks for step 9."""

    def __init__(self, targets: Targets, persona: Persona, *, seed: int, session: str,
                 version: str = "3.3", timeouts: PhoneTimeouts | None = None) -> None:
        self.targets, self.persona, self.session = targets, persona, session
        self.timeouts = timeouts or PhoneTimeouts()
        self.back_office = self._http()
        self.world: ClientWorld = arrange(targets, persona, seed, session, self.back_office)
        config = self.world.config
        self.config = PowerAuthConfig(config.application_key, config.application_secret,
                                      config.master_public_key, parse_device_version(version))
        self.sdk = PowerAuthSDK(self.config, self.world.storage, targets.wultra, session=session)
        self.onboarding = OnboardingClient(targets.wultra, self.world.app, session=session, http=self._http(),
                                           encryptors=self.sdk.application_encryptor)
        self.inbox = SmsInbox(targets.sms_gateway, self.world.person.phone_number, http=self._http())
        self.presence: PresenceCheckSession | None = None
        self.otp = ""
        self.issued: IssuedActivation | None = None
        self.activation: ActivationResult | None = None

    def _http(self) -> requests.Session:
        http = requests.Session()
        http.trust_env = False
        http.headers[SESSION_HEADER] = self.session
        return http

    def close(self) -> None:
        for closable in (self.onboarding, self.inbox, self.back_office):
            closable.close()
        self.sdk.close()

    # ------------------------------------------------------------------ step 1

    def local_status(self) -> ActivationStatus | None:
        """The status decrypted from the blob (``None``: no activation on the phone)."""
        if not self.sdk.has_valid_activation():
            return None
        return self.sdk.fetch_activation_status().status

    # ------------------------------------------------------------------ steps 2-4

    def start(self, identification: dict[str, str] | None = None) -> OnboardingProcess:
        return self.onboarding.start(identification or self.world.identification)

    def read_otp(self) -> str:
        received = self.inbox.wait_for_otp(timeout=self.timeouts.sms, length=8,
                                           poll_interval=self.timeouts.poll)
        self.otp = received.code
        return self.otp

    def submit_evidence(self, photos: list[DocumentPhoto] | None = None) -> None:
        """Identity init, then the persona's evidence (or only ``photos`` when given)."""
        self.onboarding.identity_init()
        if photos is None and self.world.chip is not None:
            self.onboarding.submit_chip(self.world.chip)
            return
        self.onboarding.submit_documents(self.world.photos if photos is None else photos)

    def wait_for_verdict(self) -> IdentityStatus:
        """Poll until the evidence is verified (presence check next) or sent back / rejected."""
        deadline = time.monotonic() + self.timeouts.verification
        while True:
            status = self.onboarding.identity_status()
            if status.state in (VerificationState.PRESENCE_CHECK, VerificationState.FAILED,
                                VerificationState.REJECTED):
                return status
            if status.state is VerificationState.DOCUMENTS and self._rejected():
                return status
            if time.monotonic() >= deadline:
                return status
            time.sleep(self.timeouts.poll)

    def _rejected(self) -> bool:
        documents = self.onboarding.document_status().documents
        return bool(documents) and all(d.get("status") in ("REJECTED", "FAILED") for d in documents)

    # ------------------------------------------------------------------ steps 5-7

    def face_sdk(self, kind: FaceKind) -> FaceSdk:
        return FaceSdk(self.targets.biometry, self.world.face_identity, behaviour=kind,
                       other_identity=f"impostor-of-{self.world.face_identity}", http=self._http())

    def presence_init(self) -> PresenceCheckSession:
        self.presence = self.onboarding.presence_check_init()
        return self.presence

    def scan(self, kind: FaceKind, presence: PresenceCheckSession | None = None) -> CaptureReceipt:
        """The face SDK's capture and upload with the token handed over (the latest by default)."""
        session = presence or self.presence or self.presence_init()
        with self.face_sdk(kind) as sdk:
            return sdk.launch(session.token, session.challenge)

    def face_check(self, kind: FaceKind) -> None:
        """Steps 5-7: token, capture, submit (the server fetches the verdict itself)."""
        self.presence_init()
        self.scan(kind)
        self.onboarding.presence_check_submit()

    # ------------------------------------------------------------------ step 8

    def wrong_otp(self) -> str:
        return "00000000" if self.otp != "00000000" else "11111111"

    def verify_otp(self, code: str | None = None) -> OtpVerification:
        return self.onboarding.verify_otp(self.otp if code is None else code)

    def activation_code(self) -> IssuedActivation:
        self.issued = self.onboarding.activation()
        return self.issued

    # ------------------------------------------------------------------ steps 9-11

    def forget_local_activation(self) -> None:
        self.sdk.remove_activation_local()

    def create_activation(self, code: str | None = None, signature: str | None = None) -> ActivationResult:
        if code is None:
            if self.issued is None:
                raise ValueError("no activation code was issued to this phone")
            code, signature = self.issued.code, self.issued.signature
        self.activation = self.sdk.create_activation(code, signature=signature, name="reactivated phone")
        return self.activation

    def persist(self, pin: str) -> None:
        self.sdk.persist_activation(pin)

    def signature_valid(self, pin: str) -> dict[str, Any]:
        """Sign a login request with possession+knowledge and let the PowerAuth Server verify it."""
        body = b'{"operation":"login"}'
        header = self.sdk.sign("POST", "/login", body, "possession_knowledge", pin=pin)
        request_object = signature_verify_request(header, method="POST", uri_id="/login", body=body)
        status, answer = rest_call(self.back_office, self.targets.wultra, "/signature/verify", request_object)
        if status != 200 or answer.get("status") != "OK":
            raise RuntimeError(f"PowerAuth Server signature/verify answered {status}: {answer}")
        return dict(answer.get("responseObject") or {})

    # ------------------------------------------------------------------ compound moves

    def reach_presence_check(self) -> None:
        """Steps 1-4 for an honest client: start, OTP by SMS, evidence verified."""
        if self.local_status() is not None:
            self.forget_local_activation()
        self.start()
        self.read_otp()
        self.submit_evidence()
        status = self.wait_for_verdict()
        if status.state is not VerificationState.PRESENCE_CHECK:
            raise RuntimeError(f"the evidence was not verified: {status.phase}/{status.status}")

    def reach_activation_code(self) -> IssuedActivation:
        """Steps 1-8 for an honest client."""
        self.reach_presence_check()
        self.face_check(FaceKind.HONEST)
        verification = self.verify_otp()
        if not verification.verified:
            raise RuntimeError(f"the honest client was not verified: {verification}")
        return self.activation_code()

    def reactivate(self, pin: str) -> None:
        """Steps 1-11 for an honest client: reactivated, PIN set."""
        self.reach_activation_code()
        self.create_activation()
        self.onboarding.status()  # the app learns the process FINISHED; the server removes the old ones
        self.persist(pin)
