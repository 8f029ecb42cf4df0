"""Phone capture model: reproducible, a JPEG of the frame size, degradations grow with strength."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from simulator.identity.documents.capture import FRAME_SIZE, CaptureError, capture
from simulator.identity.documents.geometry import find_document
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.people import Person

Render = Callable[..., Image.Image]


def _tilt(jpeg: bytes) -> float:
    """Largest deviation, in pixels, of the page's edges from horizontal/vertical."""
    tl, tr, br, bl = find_document(Image.open(io.BytesIO(jpeg)).convert("L"))
    return float(max(abs(tr[1] - tl[1]), abs(br[1] - bl[1]), abs(bl[0] - tl[0]), abs(br[0] - tr[0])))


def test_capture_is_a_reproducible_jpeg_of_the_frame(person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.ID_BACK, person)
    a = capture(page, random.Random(3), 0.6)
    b = capture(page, random.Random(3), 0.6)
    c = capture(page, random.Random(4), 0.6)
    assert a == b and a != c
    img = Image.open(io.BytesIO(a))
    assert img.format == "JPEG" and img.size == FRAME_SIZE


def test_strength_zero_is_a_clean_centred_scan(person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.ID_BACK, person)
    g = np.asarray(
        Image.open(io.BytesIO(capture(page, random.Random(1), 0.0))).convert("L"), dtype=np.float32
    )
    h, w = g.shape
    assert g[h // 2, w // 2] > 150  # the page is in the middle
    assert g[5, 5] < 120  # the table shows at the corner


def test_geometry_distortion_grows_with_strength(person: Person, render_page: Render) -> None:
    page = render_page(DocumentKind.ID_BACK, person)
    assert _tilt(capture(page, random.Random(1), 0.0)) < 1.5
    assert max(_tilt(capture(page, random.Random(s), 1.0)) for s in (1, 2, 3)) > 15


@pytest.mark.parametrize("strength", [-0.1, 1.5])
def test_strength_out_of_range_is_rejected(strength: float, person: Person, render_page: Render) -> None:
    with pytest.raises(CaptureError):
        capture(render_page(DocumentKind.ID_BACK, person), random.Random(1), strength)
