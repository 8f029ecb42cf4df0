"""Tampered pages are caught, each with its own reason."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from PIL import Image

from simulator.identity.documents.capture import capture
from simulator.identity.documents.glyphs import text_mask
from simulator.identity.documents.layout import LAYOUTS, DocumentKind
from simulator.identity.documents.reader import ReadReason, read_document
from simulator.identity.documents.render import RENDER_PX_PER_MM, id_card_data
from simulator.identity.mrz import check_digit, td1_lines
from simulator.identity.people import Person

Render = Callable[..., Image.Image]
S = RENDER_PX_PER_MM


def _px(mm: float) -> int:
    return round(mm * S)


def _overprint(
    page: Image.Image, kind: DocumentKind, line: int, pos: int, char: str, paper: tuple[int, int, int]
) -> None:
    f = LAYOUTS[kind].mrz_lines[line]
    x0, y0 = _px(f.x + pos * f.pitch), _px(f.y)
    page.paste(paper, (x0, y0, _px(f.x + (pos + 1) * f.pitch), _px(f.y + f.pitch)))
    page.paste((22, 24, 34), (x0, y0), text_mask(char, f.pitch * S))


@pytest.mark.parametrize("strength", [0.2, 0.8])
def test_edited_mrz_digit_fails_its_check_digit(strength: float, person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.ID_BACK, person)
    line2 = td1_lines(id_card_data(person).mrz)[1]
    new = "9" if line2[3] != "9" else "8"
    _overprint(page, DocumentKind.ID_BACK, 1, 3, new, (226, 236, 240))
    reading = read_document(capture(page, random.Random(8), strength))
    assert reading.mrz_lines[1][3] == new  # read faithfully ...
    assert ReadReason.MRZ_INVALID in reading.reasons  # ... and rejected
    assert reading.mrz is not None
    assert set(reading.mrz.failures) == {"birth_date_check_digit", "composite_check_digit"}


def test_consistently_edited_mrz_breaks_the_pattern(person: Person, render_page: Render) -> None:
    """A forger who recomputes every check digit still cannot redraw the data-seeded guilloche."""
    page = render_page(DocumentKind.ID_BACK, person)
    l1, l2, _ = td1_lines(id_card_data(person).mrz)
    dob = l2[0] + str((int(l2[1]) + 1) % 10) + l2[2:6]  # another year, same day and month
    new2 = dob + check_digit(dob) + l2[7:29]
    new2 += check_digit(l1[5:30] + new2[0:7] + new2[8:15] + new2[18:29])
    for pos, char in enumerate(new2):
        if char != l2[pos]:
            _overprint(page, DocumentKind.ID_BACK, 1, pos, char, (226, 236, 240))
    reading = read_document(capture(page, random.Random(9), 0.5))
    assert reading.mrz is not None and reading.mrz.valid
    assert reading.reasons == (ReadReason.PATTERN_MISMATCH,)


def test_swapped_portrait_is_caught(person: Person, other_person: Person, render_page: Render) -> None:
    genuine = render_page(DocumentKind.PASSPORT, person)
    donor = render_page(DocumentKind.PASSPORT, other_person, shade=30)
    box = LAYOUTS[DocumentKind.PASSPORT].portrait
    assert box is not None
    area = (_px(box.x), _px(box.y), _px(box.x + box.w), _px(box.y + box.h))
    genuine.paste(donor.crop(area), area[:2])
    reading = read_document(capture(genuine, random.Random(10), 0.6))
    assert reading.mrz is not None and reading.mrz.valid
    assert reading.reasons == (ReadReason.PORTRAIT_PATTERN_MISMATCH,)


def test_altered_security_pattern_is_caught(
    person: Person, other_person: Person, render_page: Render
) -> None:
    genuine = render_page(DocumentKind.ID_FRONT, person)
    donor = render_page(DocumentKind.ID_FRONT, other_person)
    area = (_px(40), _px(38), _px(80), _px(52))  # pattern-only part of the front
    genuine.paste(donor.crop(area), area[:2])
    reading = read_document(capture(genuine, random.Random(11), 0.6))
    assert reading.kind is DocumentKind.ID_FRONT
    assert reading.reasons == (ReadReason.PATTERN_MISMATCH,)
    assert reading.pattern is not None and reading.pattern.portrait_ok


def test_mrz_pasted_from_another_passport_is_caught(
    person: Person, other_person: Person, render_page: Render
) -> None:
    genuine = render_page(DocumentKind.PASSPORT, person)
    donor = render_page(DocumentKind.PASSPORT, other_person)
    zone = LAYOUTS[DocumentKind.PASSPORT].mrz_zone
    assert zone is not None
    area = (0, _px(zone.y), genuine.width, genuine.height)
    genuine.paste(donor.crop(area), area[:2])
    reading = read_document(capture(genuine, random.Random(12), 0.5))
    assert reading.mrz is not None and reading.mrz.valid  # the donor's MRZ is itself valid
    assert ReadReason.PATTERN_MISMATCH in reading.reasons
    assert ReadReason.VIZ_MRZ_MISMATCH in reading.reasons


def test_reprinted_visual_zone_number_disagrees_with_the_mrz(person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.PASSPORT, person)
    f = LAYOUTS[DocumentKind.PASSPORT].field("document_number")
    old = person.passport_number[2]
    new = "7" if old != "7" else "4"
    x0, y0 = _px(f.x + 2 * f.pitch), _px(f.y)
    box = (x0, y0 + 2, _px(f.x + 3 * f.pitch), _px(f.y + f.pitch) - 2)
    page.paste((240, 234, 222), box)  # scrape the digit off (and the guilloche with it)
    page.paste((22, 24, 34), (x0, y0), text_mask(new, f.pitch * S))
    reading = read_document(capture(page, random.Random(13), 0.4))
    assert reading.fields["document_number"][2] == new
    assert ReadReason.VIZ_MRZ_MISMATCH in reading.reasons
    assert reading.mrz is not None and reading.mrz.valid
