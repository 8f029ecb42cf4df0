"""The document camera: its photos are read back by the document reader the provider runs."""

from __future__ import annotations

import random

import pytest

from simulator.device.camera import (
    CameraError,
    CaptureConditions,
    CardSide,
    DocumentCamera,
    DocumentPhoto,
    DocumentType,
    MrzScanError,
)
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.reader import ReadReason, read_document
from simulator.identity.documents.render import id_card_data, passport_data
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td1_lines, td3_lines
from simulator.identity.people import Person, generate_people

PERSON: Person = generate_people(41, 1)[0]


def _camera(seed: int = 1, strength: float = 0.3) -> DocumentCamera:
    return DocumentCamera(PERSON, rng=random.Random(seed), conditions=CaptureConditions(strength=strength))


def test_id_card_front_and_back_read_back_as_the_persons_card() -> None:
    camera = _camera(strength=0.5)
    front, back = camera.scan(DocumentType.ID_CARD)
    assert (front.filename, back.filename) == ("id_card_front.jpg", "id_card_back.jpg")
    read_front, read_back = read_document(front.jpeg), read_document(back.jpeg)
    assert read_front.ok and read_front.kind is DocumentKind.ID_FRONT
    assert read_front.portrait_jpeg is not None
    assert read_back.ok and read_back.kind is DocumentKind.ID_BACK
    assert read_back.mrz_lines == td1_lines(id_card_data(PERSON).mrz)
    assert camera.scan_mrz(back) == list(td1_lines(id_card_data(PERSON).mrz))


def test_passport_data_page_reads_back_with_its_mrz() -> None:
    camera = _camera(strength=0.8)
    [page] = camera.scan("PASSPORT")
    assert page.filename == "passport_front.jpg" and page.side is CardSide.FRONT
    reading = read_document(page.jpeg)
    assert reading.ok and reading.kind is DocumentKind.PASSPORT
    assert reading.mrz_lines == td3_lines(passport_data(PERSON).mrz)
    assert reading.mrz is not None and reading.mrz.fields is not None
    assert reading.mrz.fields.document_number == PERSON.passport_number


def test_photos_replay_from_the_seed_and_differ_between_seeds() -> None:
    small = CaptureConditions(frame_size=(320, 240))

    def photo(seed: int) -> DocumentPhoto:
        camera = DocumentCamera(PERSON, rng=random.Random(seed), conditions=small)
        return camera.photograph(DocumentType.PASSPORT)

    first = photo(7)
    assert first == photo(7) and first.jpeg != photo(8).jpeg


def test_shaky_hand_beyond_spec_makes_the_mrz_unreadable() -> None:
    camera = DocumentCamera(PERSON, rng=random.Random(1), conditions=CaptureConditions.preset("shaky"))
    with pytest.raises(MrzScanError) as info:
        camera.scan_mrz(camera.photograph(DocumentType.PASSPORT))
    assert info.value.reasons and set(info.value.reasons) <= {
        ReadReason.MRZ_NOT_FOUND, ReadReason.MRZ_UNREADABLE, ReadReason.MRZ_INVALID}


def test_document_issued_with_another_face_is_genuine_paper() -> None:
    """The ``portrait`` knob is the face printed at issuance: the page itself stays genuine."""
    other = portrait_jpeg("look-alike")
    camera = DocumentCamera(PERSON, rng=random.Random(3), portrait=other)
    assert camera.portrait == other
    assert read_document(camera.photograph(DocumentType.PASSPORT).jpeg).ok


def test_pasted_portrait_breaks_the_security_pattern() -> None:
    camera = DocumentCamera(PERSON, rng=random.Random(3), pasted_portrait=portrait_jpeg("someone-else"))
    reading = read_document(camera.photograph(DocumentType.PASSPORT).jpeg)
    assert ReadReason.PORTRAIT_PATTERN_MISMATCH in reading.reasons


def test_front_has_no_mrz_and_passport_has_no_back() -> None:
    camera = _camera()
    front = DocumentPhoto(DocumentType.ID_CARD, CardSide.FRONT, b"")
    with pytest.raises(MrzScanError, match="no MRZ"):
        camera.scan_mrz(front)
    with pytest.raises(CameraError):
        camera.photograph(DocumentType.PASSPORT, CardSide.BACK)
    with pytest.raises(CameraError):
        camera.photograph("DRIVING_LICENSE")


@pytest.mark.parametrize(
    "conditions",
    [{"strength": -0.1}, {"strength": 1.5}, {"extra_blur": -1.0}, {"frame_size": (10, 10)}],
)
def test_out_of_range_conditions_are_refused(conditions: dict[str, object]) -> None:
    with pytest.raises(CameraError):
        CaptureConditions(**conditions)  # type: ignore[arg-type]


def test_poor_but_in_spec_conditions_still_read() -> None:
    camera = DocumentCamera(PERSON, rng=random.Random(4), conditions=CaptureConditions.preset("poor"))
    assert camera.scan_mrz(camera.photograph(DocumentType.ID_CARD, CardSide.BACK)) == list(
        td1_lines(id_card_data(PERSON).mrz))
    with pytest.raises(CameraError, match="unknown capture preset"):
        CaptureConditions.preset("foggy")
