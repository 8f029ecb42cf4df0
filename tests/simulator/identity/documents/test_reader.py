"""Reader round trips on degraded captures, and typed reasons on pages that are not readable."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import LAYOUTS, DocumentKind
from simulator.identity.documents.reader import PORTRAIT_PX_PER_MM, ReadReason, read_document, viz_mismatches
from simulator.identity.documents.render import RENDER_PX_PER_MM, id_card_data, passport_data, visual_fields
from simulator.identity.mrz import td1_lines, td3_lines
from simulator.identity.people import Person, generate_person

Render = Callable[..., Image.Image]


def _expected(kind: DocumentKind, person: Person) -> tuple[str, ...]:
    if kind is DocumentKind.PASSPORT:
        return td3_lines(passport_data(person).mrz)
    if kind is DocumentKind.ID_BACK:
        return td1_lines(id_card_data(person).mrz)
    return ()


@pytest.mark.parametrize("strength", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_round_trip_on_captures(
    kind: DocumentKind, strength: float, render_page: Render, portrait_image: Callable[[int], Image.Image]
) -> None:
    person = generate_person(77, int(strength * 10) + len(kind.value))
    jpeg = capture(render_page(kind, person), random.Random(f"{kind.value}|{strength}"), strength)
    reading = read_document(jpeg, reference_date=date(2026, 1, 1))
    assert reading.reasons == ()
    assert reading.ok
    assert reading.kind is kind
    assert reading.mrz_lines == _expected(kind, person)
    if kind is not DocumentKind.ID_FRONT:
        assert reading.mrz is not None and reading.mrz.valid
    data = passport_data(person) if kind is DocumentKind.PASSPORT else id_card_data(person)
    printed = visual_fields(kind, data)
    for name, value in reading.fields.items():
        assert value == printed[name].strip(), name
    assert reading.pattern is not None and reading.pattern.background_ok
    layout = LAYOUTS[kind]
    if layout.portrait is None:
        assert reading.portrait_jpeg is None
    else:
        assert reading.portrait_jpeg is not None
        crop = Image.open(io.BytesIO(reading.portrait_jpeg))
        assert crop.format == "JPEG"
        assert crop.size == (
            round(layout.portrait.w * PORTRAIT_PX_PER_MM),
            round(layout.portrait.h * PORTRAIT_PX_PER_MM),
        )
        # the crop is the printed portrait: it correlates with the placeholder that was printed
        printed = ImageOps.fit(portrait_image(0), crop.size).convert("L")
        a = np.asarray(printed, dtype=np.float32).ravel()
        c = np.asarray(crop.convert("L"), dtype=np.float32).ravel()
        assert np.corrcoef(a, c)[0, 1] > 0.8


def test_front_fields_are_read_from_pixels(person: Person, render_page: Render) -> None:
    reading = read_document(capture(render_page(DocumentKind.ID_FRONT, person), random.Random(5), 0.7))
    assert reading.kind is DocumentKind.ID_FRONT
    assert reading.fields["document_number"] == person.id_card_number
    assert reading.fields["birth_date"] == person.date_of_birth.strftime("%d.%m.%Y")
    assert reading.fields["expiry_date"] == person.id_card_expiry_date.strftime("%d.%m.%Y")
    assert reading.fields["nationality"] == "CZE"
    assert reading.mrz is None and reading.mrz_lines == ()


def test_png_input_is_accepted(
    person: Person, render_page: Render, to_png: Callable[[Image.Image], bytes]
) -> None:
    page = render_page(DocumentKind.ID_BACK, person)
    framed = Image.new("RGB", (page.width + 200, page.height + 160), (40, 45, 50))
    framed.paste(page, (100, 80))
    reading = read_document(to_png(framed))
    assert reading.ok and reading.mrz_lines == td1_lines(id_card_data(person).mrz)


def test_expired_document_is_reported(person: Person, render_page: Render) -> None:
    jpeg = capture(render_page(DocumentKind.PASSPORT, person), random.Random(2), 0.3)
    later = read_document(
        jpeg, reference_date=person.passport_expiry_date.replace(year=person.passport_expiry_date.year + 1)
    )
    assert later.reasons == (ReadReason.MRZ_INVALID,)
    assert later.mrz is not None and later.mrz.failures == ("expired",)


def test_garbage_bytes_are_an_invalid_image() -> None:
    reading = read_document(b"\x00\x01definitely not an image")
    assert reading.reasons == (ReadReason.INVALID_IMAGE,)
    assert not reading.ok


@pytest.mark.parametrize("fill", ["dark", "bright", "noise"])
def test_no_document_in_the_picture(fill: str, to_png: Callable[[Image.Image], bytes]) -> None:
    rng = np.random.default_rng(1)
    if fill == "noise":
        arr = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    else:
        arr = np.full((480, 640, 3), 30 if fill == "dark" else 235, dtype=np.uint8)
    reading = read_document(to_png(Image.fromarray(arr)))
    assert reading.reasons == (ReadReason.DOCUMENT_NOT_FOUND,)


def test_passport_without_mrz_lines_is_mrz_not_found(person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.PASSPORT, person)
    zone = LAYOUTS[DocumentKind.PASSPORT].mrz_zone
    assert zone is not None
    s = RENDER_PX_PER_MM
    page.paste((240, 234, 222), (0, round(zone.y * s) + 2, page.width, page.height))
    reading = read_document(capture(page, random.Random(3), 0.4))
    assert reading.kind is DocumentKind.PASSPORT
    assert ReadReason.MRZ_NOT_FOUND in reading.reasons


def test_smudged_mrz_is_unreadable(person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.PASSPORT, person)
    layout = LAYOUTS[DocumentKind.PASSPORT]
    s = RENDER_PX_PER_MM
    rng = np.random.default_rng(4)
    arr = np.asarray(page).copy()
    line = layout.mrz_lines[1]
    y0, y1 = round(line.y * s), round((line.y + line.pitch) * s)
    x0, x1 = round(line.x * s), round((line.x + 10 * line.pitch) * s)
    arr[y0:y1, x0:x1] = rng.integers(0, 255, (y1 - y0, x1 - x0, 1), dtype=np.uint8)
    reading = read_document(capture(Image.fromarray(arr), random.Random(3), 0.3))
    assert ReadReason.MRZ_UNREADABLE in reading.reasons
    assert ReadReason.MRZ_INVALID in reading.reasons


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash_the_reader(data: bytes) -> None:
    reading = read_document(data)
    assert not reading.ok
    assert reading.reasons[0] in (ReadReason.INVALID_IMAGE, ReadReason.DOCUMENT_NOT_FOUND)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=1, max_value=300),
    st.sampled_from(["RGB", "L", "RGBA", "P", "1"]),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_odd_images_get_typed_reasons(width: int, height: int, mode: str, seed: int) -> None:
    arr = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).convert(mode).save(buf, format="PNG")
    reading = read_document(buf.getvalue())
    assert not reading.ok
    assert all(isinstance(r, ReadReason) for r in reading.reasons)


def test_plain_bright_card_is_not_read_as_a_document(to_png: Callable[[Image.Image], bytes]) -> None:
    arr = np.full((480, 640, 3), 30, dtype=np.uint8)
    arr[100:380, 120:520] = 230
    reading = read_document(to_png(Image.fromarray(arr)))
    assert not reading.ok
    assert reading.pattern is None  # no data could be read to predict a pattern from


def test_mrz_band_is_located_when_printed_off_position(person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.PASSPORT, person)
    zone = LAYOUTS[DocumentKind.PASSPORT].mrz_zone
    assert zone is not None
    top = round(zone.y * RENDER_PX_PER_MM)
    shift = round(1.0 * RENDER_PX_PER_MM)  # 1 mm low, 5 px per cell at the reading resolution
    band = page.crop((0, top, page.width, page.height - shift))
    page.paste(band, (0, top + shift))
    reading = read_document(capture(page, random.Random(6), 0.5))
    assert reading.mrz_lines == td3_lines(passport_data(person).mrz)


def test_front_and_back_are_cross_checked(person: Person, other_person: Person, render_page: Render) -> None:
    front = read_document(capture(render_page(DocumentKind.ID_FRONT, person), random.Random(21), 0.6))
    back = read_document(capture(render_page(DocumentKind.ID_BACK, person), random.Random(22), 0.6))
    stranger = read_document(capture(render_page(DocumentKind.ID_BACK, other_person), random.Random(23), 0.6))
    assert back.mrz is not None and stranger.mrz is not None
    assert viz_mismatches(front, back.mrz) == ()
    assert {"document_number", "birth_date", "surname"} <= set(viz_mismatches(front, stranger.mrz))


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_uploaded_page_file_without_surroundings_is_read(
    kind: DocumentKind, person: Person, render_page: Render, to_png: Callable[[Image.Image], bytes]
) -> None:
    page = render_page(kind, person)
    reading = read_document(to_png(page.resize((page.width * 2 // 3, page.height * 2 // 3))))
    assert reading.ok, reading.reasons
    assert reading.kind is kind
    assert reading.mrz_lines == _expected(kind, person)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_page_photographed_upside_down_is_read(
    kind: DocumentKind, person: Person, render_page: Render
) -> None:
    page = render_page(kind, person).rotate(180)
    reading = read_document(capture(page, random.Random(f"flip|{kind.value}"), 0.6))
    assert reading.ok, reading.reasons
    assert reading.kind is kind
    assert reading.mrz_lines == _expected(kind, person)
    if kind is DocumentKind.ID_FRONT:
        assert reading.fields["document_number"] == person.id_card_number


def test_large_photo_is_decoded_at_reduced_scale(person: Person, render_page: Render) -> None:
    jpeg = capture(render_page(DocumentKind.ID_BACK, person), random.Random(41), 0.5, frame_size=(2600, 1950))
    reading = read_document(jpeg)
    assert reading.ok, reading.reasons
    assert reading.mrz_lines == _expected(DocumentKind.ID_BACK, person)
    # corners are reported in the original photo's pixels although it was decoded at half scale
    xs = [x for x, _ in reading.corners]
    assert 0.65 * 2600 < max(xs) - min(xs) < 0.95 * 2600
