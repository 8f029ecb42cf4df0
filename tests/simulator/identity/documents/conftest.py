"""Shared helpers: a placeholder portrait (the face package supplies real ones) and rendered pages."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw

from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.render import id_card_data, passport_data, render_face
from simulator.identity.people import Person, generate_person

RenderPage = Callable[..., Image.Image]


def draw_portrait(shade: int = 0) -> Image.Image:
    """A simple head-and-shoulders drawing; ``shade`` varies it so two portraits differ."""
    im = Image.new("RGB", (240, 300), (200 - shade, 205, 210))
    d = ImageDraw.Draw(im)
    d.ellipse((60, 50, 180, 200), fill=(225, 190 - shade, 160))
    d.rectangle((40, 220, 200, 300), fill=(60, 70 + shade, 120))
    d.ellipse((90, 100, 105, 115), fill=(40, 40, 40))
    d.ellipse((135, 100, 150, 115), fill=(40, 40, 40))
    d.arc((95, 130, 145, 170), 20, 160, fill=(120, 40, 40), width=4)
    return im


def render(kind: DocumentKind, person: Person, shade: int = 0) -> Image.Image:
    data = passport_data(person) if kind is DocumentKind.PASSPORT else id_card_data(person)
    portrait = None if kind is DocumentKind.ID_BACK else draw_portrait(shade)
    return render_face(kind, data, portrait)


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def person() -> Person:
    return generate_person(2024, 7, "cs_CZ")


@pytest.fixture(scope="session")
def other_person() -> Person:
    return generate_person(2024, 8, "cs_CZ")


@pytest.fixture(scope="session")
def render_page() -> RenderPage:
    """``render_page(kind, person, shade=0)``: a rendered page with a placeholder portrait."""
    return render


@pytest.fixture(scope="session")
def portrait_image() -> Callable[[int], Image.Image]:
    return draw_portrait


@pytest.fixture(scope="session")
def to_png() -> Callable[[Image.Image], bytes]:
    return png_bytes
