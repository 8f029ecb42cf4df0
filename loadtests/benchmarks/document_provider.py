"""Provider-side CPU time of one document investigation on the biometry mock's document API.

An investigation = create + page uploads (each page is read from its pixels: page detection, OCR,
MRZ, pattern correlation, portrait crop) + chip upload + submit (validators, passive authentication,
face presence on the portraits) + poll until DONE + portrait download. Three kinds are measured:
an ID card (front and back), a passport data page, and a passport page with its chip. Requests go
through Flask's test client in-process (no network), each investigation in its own isolation session,
so the figures are the provider's own work: JSON, Base64, the store and the verification. The device
side (rendering and photographing the pages, issuing and reading the chip) is prepared beforehand and
not counted. CPU time is ``time.process_time`` of this process; besides the total per investigation
it prints the mean of the uploads (where the pages are read) and of the submit (where the verdict is
computed). Target: under 100 ms per investigation.

Run: ``python -m loadtests.benchmarks.document_provider [--people 4] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from mocks.biometry.app import create_app
from mocks.biometry.documents.settings import DEFAULT_API_KEY
from mocks.biometry.documents.trust import seeded_csca
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import issue_document_signer
from simulator.identity.chip.reader import read_chip
from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.render import passport_data, render_person
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td3_lines
from simulator.identity.people import generate_person

BASE = "/api/v1/documents/investigations"


@dataclass(frozen=True)
class Evidence:
    """What a device would upload for one person."""

    photos: dict[DocumentKind, str]
    chip_files: dict[str, str]


def prepare(index: int) -> Evidence:
    person = generate_person(90210, index)
    portrait = portrait_jpeg(person.client_number)
    rng = random.Random(index)
    photos = {
        kind: base64.b64encode(capture(render_person(kind, person, portrait), rng, strength=0.3)).decode()
        for kind in DocumentKind
    }
    passport = passport_data(person)
    lines = td3_lines(passport.mrz)
    now = dt.datetime.now(dt.UTC)
    signer = issue_document_signer(
        seeded_csca(passport.mrz.issuing_state), not_before=now - dt.timedelta(days=9)
    )
    chip = issue_chip(lines, portrait, signer, signed_at=now - dt.timedelta(days=1))
    read = read_chip(VirtualChip(chip).transceive, MrzKey.from_mrz_lines(lines))
    return Evidence(photos, read.to_dict())


def _investigate(
    client: FlaskClient, session: str, uploads: Callable[[Callable[..., Any], str], None]
) -> tuple[str, float, float]:
    """One investigation; returns the verdict and the CPU seconds of the uploads and of the submit."""
    h = {"X-Sim-Session": session, "Authorization": f"api_key {DEFAULT_API_KEY}"}

    def call(method: str, path: str, body: Any = None) -> Any:
        response = client.open(path, method=method, json=body, headers=h)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)}")
        return response.get_json()

    inv = call("POST", BASE, {})["investigationId"]
    t0 = time.process_time()
    uploads(call, inv)
    t1 = time.process_time()
    call("POST", f"{BASE}/{inv}/submit")
    t2 = time.process_time()
    body = call("GET", f"{BASE}/{inv}")
    call("GET", f"{BASE}/{inv}/portrait")
    return str(body["result"]["verdict"]), t1 - t0, t2 - t1


def _pages(ev: Evidence, pages: list[tuple[str, str, DocumentKind]], chip: bool) -> Callable[..., None]:
    def upload(call: Callable[..., Any], inv: str) -> None:
        for doc_type, side, kind in pages:
            call(
                "POST",
                f"{BASE}/{inv}/pages",
                {"documentType": doc_type, "side": side, "image": ev.photos[kind]},
            )
        if chip:
            call("PUT", f"{BASE}/{inv}/chip", {"files": ev.chip_files})

    return upload


KINDS: dict[str, tuple[list[tuple[str, str, DocumentKind]], bool]] = {
    "ID card (front + back)": (
        [("ID_CARD", "FRONT", DocumentKind.ID_FRONT), ("ID_CARD", "BACK", DocumentKind.ID_BACK)],
        False,
    ),
    "passport data page": ([("PASSPORT", "DATA_PAGE", DocumentKind.PASSPORT)], False),
    "passport page + chip": ([("PASSPORT", "DATA_PAGE", DocumentKind.PASSPORT)], True),
    "chip only": ([], True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=4, help="distinct people (evidence sets)")
    parser.add_argument("--rounds", type=int, default=3, help="investigations per person and kind")
    args = parser.parse_args(argv)
    client = create_app({"seed": 1}).test_client()
    people = [prepare(i) for i in range(args.people)]
    _investigate(client, "warm-up", _pages(people[0], KINDS["passport page + chip"][0], True))
    print(f"people: {args.people}, rounds: {args.rounds} (provider CPU per investigation, target < 100 ms)")
    counter = 0
    for label, (pages, chip) in KINDS.items():
        times: list[float] = []
        reading: list[float] = []
        verifying: list[float] = []
        accepted = 0
        for _ in range(args.rounds):
            for ev in people:
                counter += 1
                started = time.process_time()
                verdict, uploads, submit = _investigate(client, f"bench-{counter}", _pages(ev, pages, chip))
                times.append(time.process_time() - started)
                reading.append(uploads)
                verifying.append(submit)
                accepted += verdict == "ACCEPTED"
        print(
            f"  {label:24s} mean {1000 * statistics.mean(times):6.1f} ms, "
            f"median {1000 * statistics.median(times):6.1f} ms, max {1000 * max(times):6.1f} ms "
            f"(uploads {1000 * statistics.mean(reading):5.1f}, "
            f"submit {1000 * statistics.mean(verifying):5.1f}), "
            f"accepted {accepted}/{len(times)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
