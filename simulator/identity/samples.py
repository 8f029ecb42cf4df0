"""Write synthetic people with all their evidence to a folder, for people and other tools to use.

Layout (one folder per person, named by client number)::

    DIR/<client number>/person.json        the person's data, ISO dates
    DIR/<client number>/id_card_front.jpg  phone photos of the documents (capture model, mild strength)
    DIR/<client number>/id_card_back.jpg
    DIR/<client number>/passport.jpg
    DIR/<client number>/mrz.txt            the MRZ lines of each document
    DIR/<client number>/chip/              EF.COM, DG1.bin, DG2.bin, EF.SOD as a reader gets them
    DIR/<client number>/portrait.jpg       the canonical portrait (document and DG2)
    DIR/<client number>/selfie.jpg        a selfie through the capture model
    DIR/trust/csca.pem                    the country signing CA certificates that sign the chips

The chip files are read from a virtual chip over BAC and secure messaging, exactly as a phone's NFC
reader would get them. Everything follows from ``seed``: the same seed gives the same people, faces and
MRZs (keys and signatures are fresh, as a real issuer's would be).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import (
    CountrySigningCA,
    DocumentSigner,
    TrustList,
    create_csca,
    issue_document_signer,
)
from simulator.identity.chip.reader import read_chip
from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.render import id_card_data, passport_data, render_person
from simulator.identity.faces.capture import selfie
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td1_lines, td3_lines
from simulator.identity.people import Person, generate_people

CAPTURE_STRENGTH = 0.3
CHIP_FILES = ("EF.COM", "DG1.bin", "DG2.bin", "EF.SOD")


@dataclass
class _Issuers:
    """One country signing CA and one document signer per issuing state, created on first use."""

    now: dt.datetime
    by_state: dict[str, tuple[CountrySigningCA, DocumentSigner]]

    def signer(self, state: str) -> DocumentSigner:
        if state not in self.by_state:
            csca = create_csca(state, not_before=self.now - dt.timedelta(days=400))
            self.by_state[state] = (
                csca,
                issue_document_signer(csca, not_before=self.now - dt.timedelta(days=300)),
            )
        return self.by_state[state][1]

    def trust_list(self) -> TrustList:
        return TrustList([csca.certificate for csca, _ in self.by_state.values()])


def write_person(person: Person, folder: Path, issuers: _Issuers, rng: random.Random) -> None:
    """Write one person's data, document photos, MRZ lines, chip files, portrait and selfie."""
    folder.mkdir(parents=True, exist_ok=True)
    face_id = person.client_number
    portrait = portrait_jpeg(face_id)
    (folder / "person.json").write_text(person.to_json() + "\n", encoding="utf-8")
    (folder / "portrait.jpg").write_bytes(portrait)
    (folder / "selfie.jpg").write_bytes(selfie(face_id, rng))
    for kind, name in (
        (DocumentKind.ID_FRONT, "id_card_front.jpg"),
        (DocumentKind.ID_BACK, "id_card_back.jpg"),
        (DocumentKind.PASSPORT, "passport.jpg"),
    ):
        page = render_person(kind, person, portrait)
        (folder / name).write_bytes(capture(page, rng, strength=CAPTURE_STRENGTH))
    id_lines = td1_lines(id_card_data(person).mrz)
    passport = passport_data(person)
    passport_lines = td3_lines(passport.mrz)
    (folder / "mrz.txt").write_text(
        "# id card (TD1)\n" + "\n".join(id_lines) + "\n# passport (TD3)\n" + "\n".join(passport_lines) + "\n",
        encoding="utf-8",
    )
    chip = VirtualChip(
        issue_chip(
            passport_lines,
            portrait,
            issuers.signer(passport.mrz.issuing_state),
            signed_at=issuers.now - dt.timedelta(days=1),
        )
    )
    files = read_chip(chip.transceive, MrzKey.from_mrz_lines(passport_lines)).files()
    chip_dir = folder / "chip"
    chip_dir.mkdir(exist_ok=True)
    for name in CHIP_FILES:
        (chip_dir / name).write_bytes(files[name])


def write_samples(out: Path, seed: int, count: int) -> list[Person]:
    """Write ``count`` people generated from ``seed`` under ``out`` plus ``trust/csca.pem``."""
    if count < 1:
        raise ValueError("count must be at least 1")
    issuers = _Issuers(now=dt.datetime.now(dt.UTC), by_state={})
    people = generate_people(seed, count)
    for person in people:
        write_person(person, out / person.client_number, issuers, random.Random(f"{seed}:{person.index}"))
    (out / "trust").mkdir(parents=True, exist_ok=True)
    issuers.trust_list().dump_file(out / "trust" / "csca.pem")
    return people
