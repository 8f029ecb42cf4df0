"""The page reader's cache: same bytes and date share one reading; any other byte or date reads again."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from mocks.biometry.documents import pages
from simulator.identity.digest_cache import DigestCache
from simulator.identity.documents.layout import DocumentKind

from .conftest import Evidence


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The images actually decoded by the reader during the test (cache emptied before)."""
    seen: list[bytes] = []
    real = pages.read_document

    def counting(image: bytes, **kw: object) -> object:
        seen.append(image)
        return real(image, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pages, "read_document", counting)
    pages.READINGS.clear()
    return seen


def _page(image: bytes, today: dt.date, page_id: str = "p1") -> dict[str, object]:
    return pages.read_page(page_id, "ID_CARD", "FRONT", None, image, today)


def _without_ids(record: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in record.items() if k not in ("pageId", "readMs")}


def test_same_bytes_same_day_are_read_once_and_give_the_same_record(
    evidence: Evidence, reads: list[bytes]
) -> None:
    today = dt.date.today()
    photo = evidence.photos[DocumentKind.ID_FRONT]
    first = _page(photo, today, "p1")
    second = _page(photo, today, "p2")
    assert len(reads) == 1
    assert second["pageId"] == "p2" and first["status"] == "READ"
    assert _without_ids(first) == _without_ids(second)


def test_a_changed_image_or_another_day_is_read_again(evidence: Evidence, reads: list[bytes]) -> None:
    today = dt.date.today()
    photo = evidence.photos[DocumentKind.ID_FRONT]
    _page(photo, today)
    picture = Image.open(io.BytesIO(photo)).convert("RGB")
    picture.putpixel((5, 5), (0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95)
    _page(out.getvalue(), today)
    _page(photo, today + dt.timedelta(days=1))
    assert len(reads) == 3


def test_the_cache_is_bounded(
    evidence: Evidence, reads: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "READINGS", DigestCache(2))
    photo = evidence.photos[DocumentKind.ID_FRONT]
    for day in range(3):
        _page(photo, dt.date(2030, 1, 1 + day))
    assert len(pages.READINGS) == 2
    _page(photo, dt.date(2030, 1, 1))  # the oldest went out first
    assert len(reads) == 4
