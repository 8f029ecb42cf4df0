"""Document rendering: sizes, modes, MRZ content, clear zone, and the data-seeded pattern."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from simulator.identity.documents.layout import LAYOUTS, DocumentKind
from simulator.identity.documents.pattern import pattern_ink, pattern_seed
from simulator.identity.documents.render import (
    RENDER_PX_PER_MM,
    DocumentRenderError,
    id_card_data,
    passport_data,
    render_face,
    render_passport,
    visual_fields,
)
from simulator.identity.mrz import parse_mrz
from simulator.identity.people import Person


@pytest.mark.parametrize(
    ("kind", "size"),
    [
        (DocumentKind.ID_FRONT, (1027, 648)),
        (DocumentKind.ID_BACK, (1027, 648)),
        (DocumentKind.PASSPORT, (1500, 1056)),
    ],
)
def test_pages_have_the_physical_size_at_render_resolution(
    kind: DocumentKind, size: tuple[int, int], person: Person, render_page: Callable[..., Image.Image]
) -> None:
    page = render_page(kind, person)
    assert page.mode == "RGB"
    assert page.size == size
    layout = LAYOUTS[kind]
    assert page.size == (round(layout.width * RENDER_PX_PER_MM), round(layout.height * RENDER_PX_PER_MM))


def test_rendering_is_deterministic(person: Person, render_page: Callable[..., Image.Image]) -> None:
    a = np.asarray(render_page(DocumentKind.PASSPORT, person))
    b = np.asarray(render_page(DocumentKind.PASSPORT, person))
    assert np.array_equal(a, b)


def test_printed_mrz_is_valid_and_matches_the_person(person: Person) -> None:
    values = visual_fields(DocumentKind.PASSPORT, passport_data(person))
    result = parse_mrz((values["mrz1"], values["mrz2"]))
    assert result.valid
    assert result.fields is not None and result.fields.document_number == person.passport_number
    back = visual_fields(DocumentKind.ID_BACK, id_card_data(person))
    assert parse_mrz((back["mrz1"], back["mrz2"], back["mrz3"])).valid
    assert values["birth_date"] == person.date_of_birth.strftime("%d.%m.%Y")


def test_mrz_zone_is_clear_of_the_pattern(person: Person, render_page: Callable[..., Image.Image]) -> None:
    page = np.asarray(render_page(DocumentKind.ID_BACK, person).convert("L"), dtype=np.float32)
    s = RENDER_PX_PER_MM
    clear = page[round(50 * s) : round(53 * s), :]  # below the MRZ lines
    patterned = page[round(20 * s) : round(30 * s), :]
    assert clear.std() < 2.0
    assert patterned.std() > 10.0


def test_pattern_depends_on_the_document_data(person: Person, other_person: Person) -> None:
    a = passport_data(person).seed
    b = passport_data(other_person).seed
    assert a != b and len(a) == 32
    pa = pattern_ink(a, 40, 30, 4.0)
    pb = pattern_ink(b, 40, 30, 4.0)
    assert pa.shape == (120, 160)
    assert np.corrcoef(pa.ravel(), pb.ravel())[0, 1] < 0.2
    assert np.array_equal(pa, pattern_ink(a, 40, 30, 4.0))
    assert pattern_seed("X", b"key-1") != pattern_seed("X", b"key-2")


def test_portrait_accepts_encoded_bytes_and_is_placed(
    person: Person, portrait_image: Callable[[int], Image.Image]
) -> None:
    buf = io.BytesIO()
    portrait_image(0).save(buf, format="JPEG")
    page = np.asarray(render_passport(passport_data(person), buf.getvalue()), dtype=np.float32)
    box = LAYOUTS[DocumentKind.PASSPORT].portrait
    assert box is not None
    s = RENDER_PX_PER_MM
    # the shoulders (dark blue) sit in the lower part of the portrait box
    shoulders = page[round((box.y + box.h - 3) * s), round((box.x + box.w / 2) * s)]
    assert shoulders[2] > shoulders[0] + 30


def test_missing_or_broken_portrait_is_a_typed_error(person: Person) -> None:
    with pytest.raises(DocumentRenderError):
        render_face(DocumentKind.ID_FRONT, id_card_data(person))
    with pytest.raises(DocumentRenderError):
        render_face(DocumentKind.PASSPORT, passport_data(person), b"not an image")


def test_render_person_picks_the_right_document(
    person: Person, portrait_image: Callable[[int], Image.Image]
) -> None:
    from simulator.identity.documents.render import document_data, render_person

    assert document_data(DocumentKind.PASSPORT, person).mrz.document_number == person.passport_number
    assert document_data(DocumentKind.ID_BACK, person).mrz.document_number == person.id_card_number
    back = render_person(DocumentKind.ID_BACK, person, portrait_image(0))
    assert np.array_equal(
        np.asarray(back), np.asarray(render_face(DocumentKind.ID_BACK, id_card_data(person)))
    )
    assert render_person(DocumentKind.PASSPORT, person, portrait_image(0)).size == (1500, 1056)
