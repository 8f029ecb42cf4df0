"""One synthetic client with everything a phone would present: document photos, chip files, face.

Built from the identity world (people, documents, chips, faces) so the Onboarding Server is tested
against the real document and face providers, whose verdicts come from the evidence itself.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from mocks.bank.models import Customer
from mocks.biometry.documents.trust import seeded_csca
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import issue_document_signer
from simulator.identity.chip.reader import ChipRead, ChipReader
from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.render import passport_data, render_person
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td3_lines
from simulator.identity.people import Person, generate_person


@dataclass(frozen=True)
class Evidence:
    person: Person
    photos: dict[DocumentKind, bytes]
    chip_files: dict[str, str]

    @property
    def face(self) -> str:
        """The identity whose face is on the documents (what the face renderer draws)."""
        return self.person.client_number

    @property
    def identification(self) -> dict[str, str]:
        return {"clientNumber": self.person.client_number,
                "birthDate": self.person.date_of_birth.isoformat()}

    def customer(self) -> dict[str, object]:
        return Customer.from_person(self.person).to_record()


def build_evidence(seed: int = 8080, index: int = 1) -> Evidence:
    person = generate_person(seed, index, "cs_CZ")
    portrait = portrait_jpeg(person.client_number)
    photos = {kind: capture(render_person(kind, person, portrait), random.Random(i), strength=0.3)
              for i, kind in enumerate(DocumentKind)}
    passport = passport_data(person)
    lines = td3_lines(passport.mrz)
    now = dt.datetime.now(dt.UTC)
    signer = issue_document_signer(seeded_csca(passport.mrz.issuing_state),
                                   not_before=now - dt.timedelta(days=30))
    chip = issue_chip(lines, portrait, signer, signed_at=now - dt.timedelta(days=1))
    read = ChipReader(VirtualChip(chip).transceive).read(MrzKey.from_mrz_lines(lines))
    return Evidence(person, photos, ChipRead.to_dict(read))
