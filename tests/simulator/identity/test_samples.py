"""`rsim samples`: every file is written, and each one verifies with the project's own readers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main
from simulator.identity.chip.pki import TrustList
from simulator.identity.chip.reader import ChipRead
from simulator.identity.chip.verifier import verify_passive
from simulator.identity.documents.reader import read_document
from simulator.identity.faces.matcher import FaceMatcher
from simulator.identity.people import Person, generate_person

EXPECTED = {
    "person.json",
    "id_card_front.jpg",
    "id_card_back.jpg",
    "passport.jpg",
    "mrz.txt",
    "portrait.jpg",
    "selfie.jpg",
    "chip",
}


def test_samples_write_verifiable_evidence(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["samples", "--out", str(tmp_path), "--seed", "11", "--count", "1"])
    assert result.exit_code == 0, result.output
    person = generate_person(11, 0)
    folder = tmp_path / person.client_number
    assert {p.name for p in folder.iterdir()} == EXPECTED
    assert Person.from_json((folder / "person.json").read_text()) == person

    mrz_lines = [line for line in (folder / "mrz.txt").read_text().splitlines() if not line.startswith("#")]
    id_lines, passport_lines = mrz_lines[:3], mrz_lines[3:]
    assert [len(line) for line in mrz_lines] == [30, 30, 30, 44, 44]

    today = dt.date.today()
    assert list(read_document((folder / "passport.jpg").read_bytes(), today).mrz_lines) == passport_lines
    assert list(read_document((folder / "id_card_back.jpg").read_bytes(), today).mrz_lines) == id_lines

    chip = ChipRead.from_files({p.name: p.read_bytes() for p in (folder / "chip").iterdir()})
    trust = TrustList.load_file(tmp_path / "trust" / "csca.pem")
    verdict = verify_passive(chip, trust, at=dt.datetime.now(dt.UTC), printed_mrz=passport_lines)
    assert verdict.ok, verdict

    match = FaceMatcher().compare(
        (folder / "selfie.jpg").read_bytes(), (folder / "portrait.jpg").read_bytes()
    )
    assert match.matched, match


def test_samples_refuse_a_zero_count(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["samples", "--out", str(tmp_path), "--count", "0"])
    assert result.exit_code == 2
    assert "count" in result.output.lower()
