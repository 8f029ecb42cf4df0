"""The portrait cut from a photographed document still matches its holder's face.

The guilloche is printed only over the portrait's frame, so the face itself reaches the face matcher
intact; a portrait pasted from another document fails the frame's pattern check instead.
"""

from __future__ import annotations

import random

import pytest

from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import LAYOUTS, DocumentKind
from simulator.identity.documents.reader import ReadReason, read_document
from simulator.identity.documents.render import RENDER_PX_PER_MM, id_card_data, passport_data, render_face
from simulator.identity.people import Person

faces_render = pytest.importorskip("simulator.identity.faces.render")
faces_capture = pytest.importorskip("simulator.identity.faces.capture")
faces_matcher = pytest.importorskip("simulator.identity.faces.matcher")


@pytest.mark.parametrize("kind", [DocumentKind.ID_FRONT, DocumentKind.PASSPORT])
def test_document_portrait_matches_the_selfie(kind: DocumentKind, person: Person) -> None:
    data = passport_data(person) if kind is DocumentKind.PASSPORT else id_card_data(person)
    page = render_face(kind, data, faces_render.portrait("holder-1"))
    reading = read_document(capture(page, random.Random(31), 0.7))
    assert reading.ok, reading.reasons
    assert reading.portrait_jpeg is not None
    matcher = faces_matcher.FaceMatcher()
    selfie = faces_capture.selfie("holder-1", random.Random(32))
    impostor = faces_capture.selfie("someone-else", random.Random(33))
    assert matcher.compare(selfie, reading.portrait_jpeg).matched
    assert not matcher.compare(impostor, reading.portrait_jpeg).matched


def test_pasted_face_portrait_is_caught(person: Person, other_person: Person) -> None:
    page = render_face(DocumentKind.PASSPORT, passport_data(person), faces_render.portrait("holder-1"))
    donor = render_face(DocumentKind.PASSPORT, passport_data(other_person), faces_render.portrait("forger"))
    box = LAYOUTS[DocumentKind.PASSPORT].portrait
    assert box is not None
    s = RENDER_PX_PER_MM
    area = (round(box.x * s), round(box.y * s), round((box.x + box.w) * s), round((box.y + box.h) * s))
    page.paste(donor.crop(area), area[:2])
    reading = read_document(capture(page, random.Random(34), 0.5))
    assert reading.reasons == (ReadReason.PORTRAIT_PATTERN_MISMATCH,)
