"""The reactivation's computations, run in one process with no HTTP between the parties.

Every step does the real work the parties will do once they are served over loopback: the status
blob is encrypted and decrypted, the document photo is rendered, degraded and read back from its
pixels, the chip answers APDUs under BAC and passes passive authentication, the liveness frames are
decoded against a fresh colour challenge and matched against the chip portrait, the activation code is
signed with the master key, the two-layer ECIES key exchange runs, and a PIN-protected
possession+knowledge signature is verified. Until the mocks serve these steps over HTTP, this is what
``rsim demo`` runs; each step reports an outcome and its wall time.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import TrustList, create_csca, issue_document_signer
from simulator.identity.chip.verifier import read_and_verify
from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.reader import read_document
from simulator.identity.documents.render import passport_data, render_person
from simulator.identity.faces.liveness import LivenessChallenge, capture_session
from simulator.identity.faces.matcher import FaceMatcher
from simulator.identity.faces.presence import check_presence
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td3_lines
from simulator.identity.people import Person, generate_person
from simulator.powerauth.activation import DeviceActivation, ServerActivation
from simulator.powerauth.activation_code import (
    generate_activation_code,
    new_activation_id,
    sign_activation_code,
)
from simulator.powerauth.keys import generate_private_key
from simulator.powerauth.request_auth import ClientCounter, sign_request, verify_request
from simulator.powerauth.signature import SignatureKeys, SignatureType
from simulator.powerauth.status_blob import (
    ActivationStatus,
    build_status_blob,
    decrypt_status_blob,
    encrypt_status_blob,
)
from simulator.powerauth.vault import protect_knowledge_key, unlock_knowledge_key

PROTOCOL_VERSION = "3.2"
APP_KEY = "w4hK3rX3qZ4u0Zb9S2yQxA=="
APP_SECRET = "Yk1r9Jm3n0QmQ7c0b3Jd2A=="


@dataclass(slots=True)
class StepResult:
    """One step of the flow: its number, name, parties, outcome and wall time."""

    number: int
    name: str
    parties: str
    ok: bool = False
    detail: str = ""
    ms: float = 0.0


@dataclass(slots=True)
class OfflineRun:
    """The whole run: the person, the steps in order, and the new activation's id."""

    seed: int
    person: Person
    steps: list[StepResult] = field(default_factory=list)
    activation_id: str = ""

    @property
    def ok(self) -> bool:
        return len(self.steps) == 11 and all(step.ok for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "mode": "offline",
            "persona": "honest_passport_chip",
            "seed": self.seed,
            "steps": [
                {"number": s.number, "name": s.name, "ok": s.ok, "ms": round(s.ms, 3), "detail": s.detail}
                for s in self.steps
            ],
            "activation_id": self.activation_id,
        }


class StepFailed(Exception):
    """A step's check did not hold; the run stops there."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def run_offline_journey(
    seed: int = 1, on_step: Callable[[StepResult], None] | None = None, pin: str = "1234"
) -> OfflineRun:
    """Run the 11 steps for the honest persona with a passport chip; stop at the first failing step."""
    rng = random.Random(seed)
    person = generate_person(seed, 0)
    run = OfflineRun(seed=seed, person=person)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    state: dict[str, Any] = {}

    @contextmanager
    def step(number: int, name: str, parties: str) -> Iterator[StepResult]:
        result = StepResult(number, name, parties)
        started = time.perf_counter()
        try:
            yield result
            result.ok = True
        except StepFailed as exc:
            result.detail = str(exc)
        result.ms = (time.perf_counter() - started) * 1000
        run.steps.append(result)
        if on_step is not None:
            on_step(result)
        if not result.ok:
            raise StepFailed(result.detail)

    try:
        with step(1, "activation status: old activation is BLOCKED", "device, PowerAuth") as r:
            old_transport = os.urandom(16)
            challenge, nonce = os.urandom(16), os.urandom(16)
            blob = build_status_blob(
                status=ActivationStatus.BLOCKED, transport_key=old_transport, ctr_data=os.urandom(16), ctr=7
            )
            status = decrypt_status_blob(
                encrypt_status_blob(blob, old_transport, challenge, nonce), old_transport, challenge, nonce
            )
            _require(status.status is ActivationStatus.BLOCKED, f"status blob says {status.status.name}")
            r.detail = f"decrypted status {status.status.name}: reactivation may start"

        with step(2, "OTP generated for the client", "Wultra") as r:
            otp = "".join(rng.choice("0123456789") for _ in range(8))
            state["otp"] = otp
            _require(len(otp) == 8 and otp.isdigit(), "OTP is not 8 digits")
            r.detail = f"8 digits, to be sent by SMS to {person.phone_number}"

        with step(3, "passport photo read and chip verified", "device, document provider") as r:
            data = passport_data(person)
            lines = td3_lines(data.mrz)
            face = portrait_jpeg(person.client_number)
            photo = capture(render_person(DocumentKind.PASSPORT, person, face), rng, strength=0.5)
            reading = read_document(photo, reference_date=today)
            _require(reading.ok, f"document reader: {', '.join(reading.reasons)}")
            _require(list(reading.mrz_lines) == list(lines), "MRZ read from the photo differs from the print")
            csca = create_csca(data.mrz.issuing_state, not_before=now - dt.timedelta(days=400))
            signer = issue_document_signer(csca, not_before=now - dt.timedelta(days=300))
            chip = VirtualChip(issue_chip(lines, face, signer, signed_at=now - dt.timedelta(days=10)))
            verdict, read = read_and_verify(
                chip.transceive,
                MrzKey.from_mrz_lines(lines),
                TrustList([csca.certificate]),
                at=now,
                printed_mrz=lines,
            )
            _require(verdict.ok and read is not None, f"passive authentication failed: {verdict}")
            state["trusted_image"] = face
            r.detail = f"MRZ read from pixels in {reading.elapsed_ms:.0f} ms; BAC + passive authentication OK"

        with step(4, "trusted image enrolled (chip DG2)", "Wultra, biometry provider") as r:
            matcher = FaceMatcher()
            state["template"] = matcher.extract(state["trusted_image"])
            r.detail = "face template extracted from the chip portrait"

        with step(5, "verification token carries a liveness challenge", "biometry provider, device") as r:
            state["challenge"] = LivenessChallenge.generate(rng)
            r.detail = f"{len(state['challenge'].colours)} colour slots"

        with step(6, "face scan captured and uploaded", "device, biometry provider") as r:
            state["frames"] = capture_session(person.client_number, state["challenge"], rng)
            r.detail = f"{len(state['frames'])} frames"

        with step(7, "presence check evaluated server-side", "Wultra, biometry provider") as r:
            result = check_presence(state["frames"], state["challenge"], state["template"])
            _require(result.passed, f"presence check failed: {result.reason}")
            r.detail = f"liveness passed, face score {result.signals.get('face_score', 0):.2f}"

        with step(8, "OTP verified, activation code issued", "device, Wultra, PowerAuth") as r:
            _require(state["otp"] == otp, "OTP mismatch")
            master = generate_private_key()
            code = generate_activation_code()
            state.update(master=master, code=code, signature=sign_activation_code(code, master))
            r.detail = f"code {code[:5]}-… signed by the application master key"

        with step(9, "activation created (two-layer ECIES)", "device, Wultra") as r:
            master = state["master"]
            device = DeviceActivation(PROTOCOL_VERSION, APP_KEY, APP_SECRET, master.public_key())
            request = device.build_request(
                state["code"],
                activation_signature=state["signature"],
                master_public_key=master.public_key(),
                platform="android",
                device_info="rsim",
            )
            server = ServerActivation(PROTOCOL_VERSION, APP_KEY, APP_SECRET, master)
            server.open_request(request)
            state.update(device=device, server=server.respond(activation_id=new_activation_id()))
            r.detail = f"protocol {PROTOCOL_VERSION}, layer-2 device key inside layer 1"

        with step(10, "server answer decrypted and verified", "Wultra, device") as r:
            done = state["device"].process_response(state["server"].response)
            _require(done.fingerprint == state["server"].fingerprint, "fingerprints differ")
            state["done"] = done
            run.activation_id = done.activation_id
            r.detail = f"fingerprint {done.fingerprint}"

        with step(11, "PIN set; possession+knowledge signature verifies", "device, PowerAuth") as r:
            done = state["done"]
            salt = os.urandom(16)
            stored = protect_knowledge_key(pin, salt, done.keys.knowledge)
            device_keys = SignatureKeys(done.keys.possession, unlock_knowledge_key(pin, salt, stored), None)
            body = b'{"requestObject":{}}'
            header = sign_request(
                version=PROTOCOL_VERSION,
                activation_id=done.activation_id,
                application_key=APP_KEY,
                application_secret=APP_SECRET,
                keys=device_keys,
                signature_type=SignatureType.POSSESSION_KNOWLEDGE,
                counter=ClientCounter(done.ctr_data),
                method="POST",
                uri_id="/pa/signature/validate",
                body=body,
            )
            server_keys = state["server"].keys
            match = verify_request(
                header,
                application_secret=APP_SECRET,
                keys=SignatureKeys(server_keys.possession, server_keys.knowledge, server_keys.biometry),
                ctr_data=state["server"].ctr_data,
                method="POST",
                uri_id="/pa/signature/validate",
                body=body,
            )
            _require(match is not None, "signature did not verify")
            r.detail = "signature verified at counter offset 0"
    except StepFailed:
        pass
    return run
