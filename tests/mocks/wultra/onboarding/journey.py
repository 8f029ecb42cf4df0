"""The app's side of the reactivation, step by step, for tests: what a phone sends to whom.

Onboarding Server calls go through :class:`OnboardingDevice` (application-scope ECIES); the face
capture goes to the face provider with the token the server handed over, as a biometry SDK does.
"""

from __future__ import annotations

import base64
import random
from typing import Any

import requests

from simulator.identity.documents.layout import DocumentKind
from simulator.identity.faces.liveness import LivenessChallenge, capture_session, stage_attack

POLL_LIMIT = 10


class Journey:
    """One phone going through one reactivation process."""

    def __init__(self, device: Any, biometry_url: str, evidence: Any) -> None:
        self.device = device
        self.biometry_url = biometry_url.rstrip("/")
        self.evidence = evidence
        self.process_id: str | None = None
        self.token: str | None = None
        self.face_rng = random.Random(17)

    # ------------------------------------------------------------------ onboarding

    def start(self, identification: dict[str, str] | None = None) -> dict[str, Any]:
        answer = self.device.call("/api/onboarding/start",
                                  {"identification": identification or self.evidence.identification,
                                   "processType": "reactivation"})
        result = answer.result
        self.process_id, self.token = result["processId"], result["processToken"]
        return dict(result)

    def onboarding(self, path: str) -> Any:
        return self.device.call(path, {"processId": self.process_id})

    def identity(self, path: str, **fields: Any) -> Any:
        """An identity call bound to the process by its token."""
        return self.device.call(path, {"processId": self.process_id, "processToken": self.token, **fields})

    def status(self) -> tuple[str | None, str]:
        result = self.identity("/api/identity/status").result
        return result["identityVerificationPhase"], result["identityVerificationStatus"]

    def poll_until(self, phase: str, *statuses: str) -> tuple[str | None, str]:
        seen = self.status()
        for _ in range(POLL_LIMIT):
            if seen[0] == phase and (not statuses or seen[1] in statuses):
                return seen
            seen = self.status()
        raise AssertionError(f"verification stuck at {seen}, expected {phase} {statuses}")

    # ------------------------------------------------------------------ documents

    def page(self, kind: DocumentKind, filename: str | None = None) -> dict[str, Any]:
        types = {DocumentKind.ID_FRONT: ("ID_CARD", "FRONT"), DocumentKind.ID_BACK: ("ID_CARD", "BACK"),
                 DocumentKind.PASSPORT: ("PASSPORT", "FRONT")}
        doc_type, side = types[kind]
        return {"filename": filename or f"{doc_type.lower()}_{side.lower()}.jpg", "type": doc_type,
                "side": side, "data": base64.b64encode(self.evidence.photos[kind]).decode("ascii")}

    def submit(self, documents: list[dict[str, Any]], chip: dict[str, Any] | None = None) -> Any:
        fields: dict[str, Any] = {"documents": documents}
        if chip is not None:
            fields["chip"] = chip
        return self.identity("/api/v2/identity/document/submit", **fields)

    def submit_id_card(self) -> Any:
        return self.submit([self.page(DocumentKind.ID_FRONT), self.page(DocumentKind.ID_BACK)])

    def submit_chip(self) -> Any:
        return self.submit([], {"documentType": "PASSPORT", "files": dict(self.evidence.chip_files)})

    # ------------------------------------------------------------------ presence check

    def presence_init(self) -> dict[str, Any]:
        return dict(self.identity("/api/identity/presence-check/init").result["sessionAttributes"])

    def capture(self, attributes: dict[str, Any], face: str | None = None,
                attack: str | None = None) -> requests.Response:
        """What the biometry SDK does with the token: capture the frames and upload them."""
        challenge = LivenessChallenge.from_json(attributes["livenessChallenge"])
        who = face or self.evidence.face
        frames = (stage_attack(attack, who, challenge, self.face_rng) if attack
                  else capture_session(who, challenge, self.face_rng))
        body = {"token": attributes["iProovVerificationToken"],
                "frames": [base64.b64encode(f).decode("ascii") for f in frames]}
        return requests.post(self.biometry_url + "/api/v2/claim/verify/capture", json=body, timeout=30,
                             headers={"X-Sim-Session": self.device.http.headers["X-Sim-Session"]})

    def presence(self, face: str | None = None, attack: str | None = None) -> dict[str, Any]:
        """Init, capture, submit: the OTP step follows whatever the verdict.  Returns the attributes."""
        attributes = self.presence_init()
        uploaded = self.capture(attributes, face, attack)
        assert uploaded.status_code == 200, uploaded.text
        assert self.identity("/api/identity/presence-check/submit").ok
        assert self.status() == ("OTP_VERIFICATION", "VERIFICATION_PENDING")
        return attributes

    def verify(self, otp: str) -> dict[str, Any]:
        return dict(self.identity("/api/identity/otp/verify", otpCode=otp).result)

    def activation_code(self) -> dict[str, Any]:
        return dict(self.identity("/api/identity/activation").result)
