"""Everything that exists before step 1: the bank's client, the mobile app's PowerAuth application,
the client's phone with its old activation, and the evidence in the client's pocket.

Arranging uses the parties' own APIs only: the PowerAuth Server REST API (as the bank's back office
would) for the application and the old activation, the bank mock's admin API for its client registry.
Against a real bank (conformance mode) the client must already be known there; ``Targets.bank_admin``
is then false and the registry is left alone.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import requests

from mocks.bank.models import Customer
from mocks.biometry.documents.trust import seeded_csca
from simulator.device.camera import CaptureConditions, DocumentCamera, DocumentPhoto, DocumentType
from simulator.device.nfc import ChipEvidence, NfcReader
from simulator.device.onboarding_client import AppCredentials
from simulator.device.phone_http import ConnectionPool, PhoneSession
from simulator.device.powerauth_sdk import DeviceStorage, PowerAuthConfig, PowerAuthSDK, RequestsTransport
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.forgery import swap_portrait
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.pki import issue_document_signer
from simulator.identity.documents.render import passport_data
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td3_lines
from simulator.identity.people import Person, generate_person
from simulator.powerauth.codec import b64decode
from simulator.powerauth.vault import PIN_SALT_LENGTH, pin_key

from .personas import DocumentChoice, DocumentFault, Persona

__all__ = [
    "EVIDENCE_CACHE_SIZE", "ArrangeError", "ClientWorld", "Targets", "arrange", "person_for", "warm_evidence",
]

#: The back office's HTTP session: the journey's :class:`PhoneSession` or a ``requests.Session``.
HttpSession = PhoneSession | requests.Session

APPLICATION_ID = "rsim-mobile-banking"
OLD_PIN = "2580"


class ArrangeError(RuntimeError):
    """The world before step 1 could not be set up (a party refused the set-up call)."""


@dataclass(frozen=True)
class Targets:
    """The parties' base URLs, and which of them are our mocks (whose admin APIs may be used)."""

    wultra: str
    bank: str
    sms_gateway: str
    biometry: str
    bank_admin: bool = True
    admin_token: str | None = None
    application_id: str = APPLICATION_ID

    @classmethod
    def from_urls(cls, urls: dict[str, str], *, external: frozenset[str] = frozenset(),
                  admin_token: str | None = None) -> Targets:
        """From a stack's ``{party: url}``; parties in ``external`` are real systems."""
        return cls(wultra=urls["wultra"], bank=urls["bank"], sms_gateway=urls["sms-gateway"],
                   biometry=urls["biometry"], bank_admin="bank" not in external, admin_token=admin_token)


@dataclass
class ClientWorld:
    """The client, their phone and their evidence, as the journey starts."""

    person: Person
    user_id: str
    config: PowerAuthConfig
    app: AppCredentials
    storage: DeviceStorage
    old_activation_id: str
    photos: list[DocumentPhoto]
    chip: ChipEvidence | None
    face_identity: str

    @property
    def identification(self) -> dict[str, str]:
        """What the app asks the client to type to start: client number and date of birth."""
        return {"clientNumber": self.person.client_number, "birthDate": self.person.date_of_birth.isoformat()}


def person_for(persona: Persona, seed: int) -> Person:
    """The persona's client: person ``seed`` of the Czech population, with the persona's document fault."""
    person = generate_person(seed, 0, "cs_CZ")
    if persona.document_fault is DocumentFault.EXPIRED:
        expired = dt.date.today() - dt.timedelta(days=40)
        person = replace(person, id_card_issue_date=expired - dt.timedelta(days=3652),
                         id_card_expiry_date=expired)
    return person


class _Rest:
    """The PowerAuth Server REST API, as the bank's back office calls it."""

    def __init__(self, base_url: str, http: HttpSession) -> None:
        self.base = base_url.rstrip("/") + "/powerauth-java-server/rest/v3"
        self.http = http

    def call(self, path: str, request_object: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = self.http.post(self.base + path, json={"requestObject": request_object}, timeout=15)
        try:
            body = response.json()
        except ValueError:
            body = {}
        return response.status_code, body if isinstance(body, dict) else {}

    def ok(self, path: str, request_object: dict[str, Any]) -> dict[str, Any]:
        status, body = self.call(path, request_object)
        if status != 200 or body.get("status") != "OK":
            raise ArrangeError(f"PowerAuth Server {path} answered {status}: {body}")
        return dict(body.get("responseObject") or {})


def _application(rest: _Rest, application_id: str) -> tuple[str, str, bytes]:
    """Create the application once per session (a second create is refused; then read it)."""
    rest.call("/application/create", {"applicationId": application_id})
    detail = rest.ok("/application/detail", {"applicationId": application_id})
    version = next(v for v in detail["versions"] if v.get("supported", True))
    return version["applicationKey"], version["applicationSecret"], b64decode(detail["masterPublicKey"])


def _register_client(targets: Targets, http: HttpSession, person: Person) -> str:
    customer = Customer.from_person(person).to_record()
    if targets.bank_admin:
        headers = {"X-Admin-Token": targets.admin_token} if targets.admin_token else {}
        response = http.post(targets.bank.rstrip("/") + "/_admin/clients", json=customer, headers=headers,
                             timeout=15)
        if response.status_code not in (201, 409):
            raise ArrangeError(f"bank refused the client: {response.status_code} {response.text[:300]}")
    return str(customer["userId"])


@lru_cache(maxsize=256)
def _old_phone_pin(persona: Persona, seed: int) -> tuple[bytes, bytes]:
    """The old phone's keychain salt and the key PBKDF2 derives from the old PIN with it, per client.

    The old PIN is never typed in the journey (step 1 asks the status with the possession and
    transport keys, then forgets the activation), and PBKDF2 was the set-up's dearest step; the
    client's phone keeps one salt across load journeys instead of drawing one per journey.
    """
    salt = os.urandom(PIN_SALT_LENGTH)
    return salt, pin_key(OLD_PIN, salt)


def _old_phone(rest: _Rest, targets: Targets, config: PowerAuthConfig, user_id: str, session: str,
               *, keep_active: bool, pin: tuple[bytes, bytes] | None = None) -> tuple[DeviceStorage, str]:
    """The client's phone, activated long ago; BLOCKED now unless the persona keeps it ACTIVE."""
    init = rest.ok("/activation/init", {"applicationId": targets.application_id, "userId": user_id})
    storage = DeviceStorage()
    # The old phone borrows the set-up's kept-alive connections when it has a pool (the journey's).
    pool = getattr(rest.http, "pool", None)
    transport = RequestsTransport(targets.wultra, session=session,
                                  http=PhoneSession(pool) if isinstance(pool, ConnectionPool) else None)
    sdk = PowerAuthSDK(config, storage, transport)
    try:
        sdk.create_activation(init["activationCode"], signature=init["activationSignature"], name="old phone")
        sdk.persist_activation(OLD_PIN, derived_pin=pin)
    finally:
        sdk.transport.close()
    rest.ok("/activation/commit", {"activationId": init["activationId"]})
    if not keep_active:
        rest.ok("/activation/block", {"activationId": init["activationId"], "reason": "MAX_FAILED_ATTEMPTS"})
    return storage, str(init["activationId"])


#: How many clients' evidence stays cached (load runs size their pool of clients to fit).
EVIDENCE_CACHE_SIZE = 256


def warm_evidence(persona: Persona, seed: int) -> None:
    """Render the persona's evidence for ``seed`` now, so a later journey with them finds it cached."""
    _evidence(persona, person_for(persona, seed), seed)


@lru_cache(maxsize=EVIDENCE_CACHE_SIZE)
def _evidence(persona: Persona, person: Person, seed: int) -> tuple[list[DocumentPhoto], ChipEvidence | None]:
    """The photos or chip files in the client's pocket; deterministic per (persona, person, seed), so
    cached - rendering and photographing a document costs real CPU, and load runs reuse clients.
    Callers must not mutate the result."""
    camera = DocumentCamera(person, rng=random.Random(f"camera:{seed}"), conditions=CaptureConditions(0.3))
    if persona.document is DocumentChoice.ID_CARD:
        return camera.scan(DocumentType.ID_CARD), None
    if persona.document is DocumentChoice.PASSPORT:
        return camera.scan(DocumentType.PASSPORT), None
    passport = passport_data(person)
    lines = td3_lines(passport.mrz)
    now = dt.datetime.now(dt.UTC)
    csca = seeded_csca(passport.mrz.issuing_state)
    signer = issue_document_signer(csca, not_before=now - dt.timedelta(days=30))
    image = issue_chip(list(lines), portrait_jpeg(person.client_number), signer,
                       signed_at=now - dt.timedelta(days=1))
    if persona.document_fault is DocumentFault.TAMPERED_CHIP:
        image = swap_portrait(image, portrait_jpeg(f"impostor-{seed}"))
    scanned = camera.scan_mrz(camera.photograph(DocumentType.PASSPORT))
    chip = NfcReader(rng=random.Random(f"nfc:{seed}").randbytes).read(VirtualChip(image), scanned)
    return [], chip


def arrange(targets: Targets, persona: Persona, seed: int, session: str,
            http: HttpSession) -> ClientWorld:
    """Set up the world the persona starts in (see the module docstring)."""
    rest = _Rest(targets.wultra, http)
    key, secret, master = _application(rest, targets.application_id)
    config = PowerAuthConfig(key, secret, master, "3.3")
    person = person_for(persona, seed)
    user_id = _register_client(targets, http, person) if persona.known_client else \
        str(Customer.from_person(person).to_record()["userId"])
    storage, old_id = DeviceStorage(), ""
    if persona.known_client:
        storage, old_id = _old_phone(rest, targets, config, user_id, session,
                                     keep_active=persona.activation_active, pin=_old_phone_pin(persona, seed))
    photos, chip = _evidence(persona, person, seed)
    return ClientWorld(person=person, user_id=user_id, config=config,
                       app=AppCredentials(key, secret, master, "3.2"), storage=storage,
                       old_activation_id=old_id, photos=photos, chip=chip,
                       face_identity=person.client_number)
