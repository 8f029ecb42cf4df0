"""The phone's document camera: photos of a person's ID card (front and back) and passport data page.

The pages are drawn by :func:`simulator.identity.documents.render.render_person` and photographed by
the capture model (:func:`simulator.identity.documents.capture.capture`: perspective, lighting, blur,
noise, JPEG) under :class:`CaptureConditions`, with every random choice from the camera's own seeded
``random.Random``, so a persona's photos replay exactly.

The photos are named and typed as Wultra's onboarding SDK submits them (``DocumentType`` ``ID_CARD`` /
``PASSPORT``, ``CardSide`` ``FRONT`` / ``BACK``, file ``<type>_<side>.jpg``). The camera also runs the
app's on-device MRZ scan (:meth:`DocumentCamera.scan_mrz`, the document reader on the photo it took):
the NFC reader derives its BAC key from those lines, as a real app does before touching the chip.

Persona knobs: ``strength`` (how hard the phone makes the reader's life, within spec), ``extra_blur``
(a shaky hand beyond what the reader copes with), ``portrait`` (the face the document was issued
with, if not the holder's own) and ``pasted_portrait`` (someone else's photo glued over the printed one
after issuance: the security pattern printed across the photo's edge no longer fits).
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from PIL import Image, ImageFilter, ImageOps

from simulator.identity.documents.capture import FRAME_SIZE, capture
from simulator.identity.documents.layout import LAYOUTS, DocumentKind
from simulator.identity.documents.reader import DocumentReading, read_document
from simulator.identity.documents.render import RENDER_PX_PER_MM, render_person
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.people import Person

__all__ = [
    "CameraError",
    "CaptureConditions",
    "CardSide",
    "DocumentCamera",
    "DocumentPhoto",
    "DocumentType",
    "MrzScanError",
]


class CameraError(ValueError):
    """Conditions the camera cannot take a photo under (out-of-range strength, blur or frame size)."""


class MrzScanError(Exception):
    """The on-device MRZ scan found no valid MRZ on the photo; ``reasons`` are the reader's."""

    def __init__(self, message: str, reasons: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.reasons = tuple(reasons)


class DocumentType(StrEnum):
    """Wultra's ``DocumentType`` values for the documents this camera photographs."""

    ID_CARD = "ID_CARD"
    PASSPORT = "PASSPORT"


class CardSide(StrEnum):
    """Wultra's ``CardSide``; a passport's data page is its ``FRONT``."""

    FRONT = "FRONT"
    BACK = "BACK"


_KINDS: dict[tuple[DocumentType, CardSide], DocumentKind] = {
    (DocumentType.ID_CARD, CardSide.FRONT): DocumentKind.ID_FRONT,
    (DocumentType.ID_CARD, CardSide.BACK): DocumentKind.ID_BACK,
    (DocumentType.PASSPORT, CardSide.FRONT): DocumentKind.PASSPORT,
}
MAX_EXTRA_BLUR = 20.0


@dataclass(frozen=True, slots=True)
class CaptureConditions:
    """How the photo is taken. ``strength`` in [0, 1] scales every degradation the reader is specified
    to cope with; ``extra_blur`` (Gaussian radius in px) goes beyond that; ``frame_size`` is the
    camera's resolution."""

    strength: float = 0.3
    extra_blur: float = 0.0
    frame_size: tuple[int, int] = FRAME_SIZE

    @classmethod
    def preset(cls, name: str) -> CaptureConditions:
        """Named conditions for personas: ``good``, ``average``, ``poor`` (all within what the reader
        is specified to cope with) and ``shaky`` (a blur beyond it: the MRZ cannot be read)."""
        try:
            return _PRESETS[name]
        except KeyError:
            raise CameraError(f"unknown capture preset {name!r}; known: {sorted(_PRESETS)}") from None

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength <= 1.0:
            raise CameraError(f"strength must be within [0, 1], got {self.strength}")
        if not 0.0 <= self.extra_blur <= MAX_EXTRA_BLUR:
            raise CameraError(f"extra_blur must be within [0, {MAX_EXTRA_BLUR}], got {self.extra_blur}")
        width, height = self.frame_size
        if not (64 <= width <= 4096 and 64 <= height <= 4096):
            raise CameraError(f"frame size {self.frame_size} outside 64..4096 px")


_PRESETS = {
    "good": CaptureConditions(strength=0.15),
    "average": CaptureConditions(strength=0.5),
    "poor": CaptureConditions(strength=0.9),
    "shaky": CaptureConditions(strength=0.5, extra_blur=6.0),
}


@dataclass(frozen=True, slots=True)
class DocumentPhoto:
    """One photo as the app submits it."""

    document_type: DocumentType
    side: CardSide
    jpeg: bytes

    @property
    def filename(self) -> str:
        """``id_card_front.jpg`` …, the names Wultra's SDK gives submitted files."""
        return f"{self.document_type.value.lower()}_{self.side.value.lower()}.jpg"

    @property
    def kind(self) -> DocumentKind:
        """The document face in the identity world's terms."""
        return _KINDS[(self.document_type, self.side)]


class DocumentCamera:
    """The document camera of one phone, held by ``person``.

    ``portrait`` is the face printed on the documents (by default the person's own, as issued);
    ``rng`` makes the photos reproducible.
    """

    def __init__(
        self,
        person: Person,
        *,
        rng: random.Random | None = None,
        conditions: CaptureConditions | None = None,
        portrait: bytes | None = None,
        pasted_portrait: bytes | None = None,
    ) -> None:
        self.person = person
        self.rng = rng or random.Random(f"camera:{person.client_number}")
        self.conditions = conditions or CaptureConditions()
        self._portrait = portrait
        self.pasted_portrait = pasted_portrait

    @property
    def portrait(self) -> bytes:
        """The face printed on the documents (the person's canonical portrait unless replaced)."""
        if self._portrait is None:
            self._portrait = portrait_jpeg(self.person.client_number)
        return self._portrait

    def photograph(
        self, document_type: DocumentType | str, side: CardSide | str = CardSide.FRONT
    ) -> DocumentPhoto:
        """Photograph one side of one of the person's documents."""
        try:
            key = (DocumentType(document_type), CardSide(side))
            kind = _KINDS[key]
        except (ValueError, KeyError) as exc:
            raise CameraError(f"cannot photograph side {side!r} of document {document_type!r}") from exc
        page = _page(kind, self.person, None if kind is DocumentKind.ID_BACK else self.portrait)
        if self.pasted_portrait is not None and kind is not DocumentKind.ID_BACK:
            page = _paste(page, kind, self.pasted_portrait)
        c = self.conditions
        jpeg = capture(page, self.rng, strength=c.strength, frame_size=c.frame_size)
        if self.conditions.extra_blur > 0:
            jpeg = _blur(jpeg, self.conditions.extra_blur)
        return DocumentPhoto(key[0], key[1], jpeg)

    def scan(self, document_type: DocumentType | str) -> list[DocumentPhoto]:
        """Every side the document needs: front and back of an ID card, the passport's data page."""
        doc = DocumentType(document_type)
        sides = (CardSide.FRONT, CardSide.BACK) if doc is DocumentType.ID_CARD else (CardSide.FRONT,)
        return [self.photograph(doc, side) for side in sides]

    def scan_mrz(self, photo: DocumentPhoto) -> list[str]:
        """The app's on-device MRZ scan of ``photo``: valid MRZ lines, or :class:`MrzScanError`."""
        if photo.kind is DocumentKind.ID_FRONT:
            raise MrzScanError("the ID card front carries no MRZ; scan the back")
        reading: DocumentReading = read_document(photo.jpeg)
        if reading.mrz is None or not reading.mrz_lines or not reading.mrz.valid:
            raise MrzScanError(
                f"no valid MRZ on {photo.filename}", [str(reason) for reason in reading.reasons]
            )
        return list(reading.mrz_lines)


@lru_cache(maxsize=16)
def _page(kind: DocumentKind, person: Person, portrait: bytes | None) -> Image.Image:
    """The document face as printed (drawing it costs more than photographing it, and the document
    does not change between photos). Callers never modify the returned image."""
    return render_person(kind, person, portrait)


def _paste(page: Image.Image, kind: DocumentKind, photo: bytes) -> Image.Image:
    """Glue ``photo`` over the whole printed portrait box, frame included."""
    box = LAYOUTS[kind].portrait
    assert box is not None  # only faces with a portrait get here
    size = (round(box.w * RENDER_PX_PER_MM), round(box.h * RENDER_PX_PER_MM))
    try:
        face = Image.open(io.BytesIO(photo)).convert("RGB")
    except (OSError, ValueError) as exc:
        raise CameraError(f"pasted portrait is not an image: {exc}") from exc
    out = page.copy()
    out.paste(ImageOps.fit(face, size), (round(box.x * RENDER_PX_PER_MM), round(box.y * RENDER_PX_PER_MM)))
    return out


def _blur(jpeg: bytes, radius: float) -> bytes:
    image = Image.open(io.BytesIO(jpeg)).filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()
