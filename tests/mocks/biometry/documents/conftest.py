"""Evidence built once per test session: one person's document photos and chips, and an HTTP client."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from PIL import Image

from mocks.biometry.app import create_app
from mocks.biometry.documents.settings import DEFAULT_API_KEY
from mocks.biometry.documents.trust import seeded_csca
from mocks.framework import RunningServer, serve_in_thread
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import DocumentSigner, issue_document_signer
from simulator.identity.chip.reader import ChipRead, ChipReader
from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.render import passport_data, render_person
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td3_lines
from simulator.identity.people import Person, generate_person

BASE = "/api/v1/documents/investigations"


@dataclass(frozen=True)
class Evidence:
    person: Person
    portrait: bytes
    pages: dict[DocumentKind, Image.Image]
    photos: dict[DocumentKind, bytes]
    passport_lines: tuple[str, str]
    signer: DocumentSigner
    chip: ChipImage

    def expected(self, **override: Any) -> dict[str, Any]:
        p = self.person
        base = {
            "givenNames": p.given_names,
            "surname": p.family_name,
            "birthDate": p.date_of_birth.isoformat(),
        }
        return {**base, **override}


def read_files(image: ChipImage, lines: tuple[str, ...], challenge: bytes | None = None) -> dict[str, str]:
    """The chip read over BAC as the phone would upload it; with ``challenge``, AA answers that one."""
    reader = ChipReader(VirtualChip(image).transceive)
    read = reader.read(MrzKey.from_mrz_lines(lines))
    if challenge is not None:
        read = dataclasses.replace(
            read, aa_challenge=challenge, aa_signature=reader.active_authenticate(challenge)
        )
    return ChipRead.to_dict(read)


@pytest.fixture(scope="session")
def evidence() -> Evidence:
    person = generate_person(4711, 3, "cs_CZ")
    portrait = portrait_jpeg(person.client_number)
    pages = {kind: render_person(kind, person, portrait) for kind in DocumentKind}
    photos = {
        kind: capture(page, random.Random(i), strength=0.3) for i, (kind, page) in enumerate(pages.items())
    }
    passport = passport_data(person)
    lines = td3_lines(passport.mrz)
    now = dt.datetime.now(dt.UTC)
    signer = issue_document_signer(
        seeded_csca(passport.mrz.issuing_state), not_before=now - dt.timedelta(days=30)
    )
    chip = issue_chip(lines, portrait, signer, signed_at=now - dt.timedelta(days=1))
    return Evidence(person, portrait, pages, photos, lines, signer, chip)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve_in_thread(create_app({"seed": 11})) as running:
        yield running


class DocApi:
    """A client of the document API bound to one session."""

    def __init__(self, url: str, session: str, key: str = DEFAULT_API_KEY) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["X-Sim-Session"] = session
        self.http.headers["Authorization"] = f"api_key {key}"

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.http.request(method, self.url + path, json=body, timeout=30, **kw)

    def create(self, **body: Any) -> str:
        r = self.call("POST", BASE, body)
        assert r.status_code == 201, r.text
        return str(r.json()["investigationId"])

    def page(self, inv: str, document_type: str, side: str, image: bytes) -> requests.Response:
        import base64

        body = {"documentType": document_type, "side": side, "image": base64.b64encode(image).decode()}
        return self.call("POST", f"{BASE}/{inv}/pages", body)

    def chip(self, inv: str, files: dict[str, str]) -> requests.Response:
        return self.call("PUT", f"{BASE}/{inv}/chip", {"files": files})

    def submit(self, inv: str) -> requests.Response:
        return self.call("POST", f"{BASE}/{inv}/submit")

    def poll(self, inv: str) -> dict[str, Any]:
        r = self.call("GET", f"{BASE}/{inv}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def result(self, inv: str) -> dict[str, Any]:
        """Submit and poll until DONE (the default policy finishes at the first poll)."""
        r = self.submit(inv)
        assert r.status_code == 202, r.text
        for _ in range(20):
            body = self.poll(inv)
            if body["status"] == "DONE":
                return dict(body["result"])
        raise AssertionError("investigation never finished")

    def portrait(self, inv: str) -> requests.Response:
        return self.call("GET", f"{BASE}/{inv}/portrait")


def validators(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in result["validators"]}


def failed(result: dict[str, Any]) -> dict[str, str]:
    return {v["name"]: v["reason"] for v in result["validators"] if not v["passed"]}


@pytest.fixture
def api(server: RunningServer, request: pytest.FixtureRequest) -> DocApi:
    """A client on a session of its own (named from the test id, so reruns are reproducible)."""
    return DocApi(server.url, session="t-" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:20])
