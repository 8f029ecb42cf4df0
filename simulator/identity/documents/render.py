"""Pillow renderer for the ID card front, ID card back (TD1 MRZ) and passport data page (TD3 MRZ).

Pages are drawn at :data:`RENDER_PX_PER_MM` from the millimetre layouts in :mod:`.layout`: background,
then the portrait, then the security pattern over everything except the MRZ clear zone (Doc 9303 keeps
the MRZ free of background print so OCR stays reliable) and the face itself (only the portrait's frame
carries it), then the printed text in the project's OCR glyph set. The portrait is supplied by the
caller (``PIL.Image`` or encoded bytes, e.g. ``simulator.identity.faces.render.portrait``).

The visual zone prints names in the glyph set's alphabet, i.e. transliterated as in the MRZ but with
spaces (``Jelínková`` -> ``JELINKOVA``): the reader reads every printed field with the same templates,
and a verifier compares names with the bank record through :func:`~simulator.identity.mrz.transliterate`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from simulator.identity.documents.glyphs import VIZ_CHARS, text_mask
from simulator.identity.documents.layout import LAYOUTS, PORTRAIT_FRAME_MM, DocumentKind, Layout, inset
from simulator.identity.documents.pattern import DEFAULT_ISSUER_KEY, pattern_ink, pattern_seed
from simulator.identity.mrz import MrzData, mrz_information, td1_lines, td3_lines, transliterate
from simulator.identity.people import Person

RENDER_PX_PER_MM = 12.0

_PAPER = {
    DocumentKind.ID_FRONT: ((226, 236, 240), (120, 150, 185)),
    DocumentKind.ID_BACK: ((226, 236, 240), (120, 150, 185)),
    DocumentKind.PASSPORT: ((240, 234, 222), (170, 120, 140)),
}
_PATTERN_STRENGTH = 0.55
_PORTRAIT_PATTERN_STRENGTH = 0.8
_INK = (22, 24, 34)
_LABEL_INK = (95, 100, 115)


class DocumentRenderError(ValueError):
    """Raised when a document cannot be drawn (unreadable portrait, text outside the glyph set)."""


@dataclass(frozen=True)
class DocumentData:
    """Everything printed on a document: the MRZ data plus the visual-zone-only facts."""

    mrz: MrzData
    issue_date: date
    authority: str = "MINISTRY OF INTERIOR"
    issuer_key: bytes = DEFAULT_ISSUER_KEY

    @property
    def seed(self) -> bytes:
        m = self.mrz
        return pattern_seed(mrz_information(m.document_number, m.birth_date, m.expiry_date), self.issuer_key)


def _held_document(
    person: Person, document_code: str, number: str, issued: date, expires: date
) -> DocumentData:
    """A document the person holds, issued by their state of nationality."""
    mrz = MrzData(
        document_code=document_code,
        issuing_state=person.nationality,
        document_number=number,
        primary_identifier=person.family_name,
        secondary_identifier=person.given_names,
        nationality=person.nationality,
        birth_date=person.date_of_birth,
        sex=person.sex,
        expiry_date=expires,
    )
    return DocumentData(mrz=mrz, issue_date=issued)


def id_card_data(person: Person) -> DocumentData:
    """The ID card (document code ``ID``) a person holds, issued by their state of nationality."""
    return _held_document(
        person, "ID", person.id_card_number, person.id_card_issue_date, person.id_card_expiry_date
    )


def passport_data(person: Person) -> DocumentData:
    """The passport (document code ``P<``) a person holds."""
    return _held_document(
        person, "P", person.passport_number, person.passport_issue_date, person.passport_expiry_date
    )


def document_data(kind: DocumentKind, person: Person) -> DocumentData:
    """The document a face belongs to: the ID card for its front and back, else the passport."""
    return passport_data(person) if kind is DocumentKind.PASSPORT else id_card_data(person)


def render_person(
    kind: DocumentKind, person: Person, portrait: Image.Image | bytes | None = None
) -> Image.Image:
    """Shortcut for the device: ``person``'s document face, drawn (``portrait`` unused on an ID back)."""
    return render_face(kind, document_data(kind, person), None if kind is DocumentKind.ID_BACK else portrait)


def viz_name(name: str) -> str:
    """A name as the visual zone prints it in the OCR glyph set: transliterated, spaces kept."""
    return transliterate(name).replace("<", " ")


def viz_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def visual_fields(kind: DocumentKind, data: DocumentData) -> dict[str, str]:
    """Text of every field on the face, keyed by the layout's field names."""
    m = data.mrz
    lines: tuple[str, ...] = ()
    if kind is DocumentKind.ID_BACK:
        lines = td1_lines(m)
    elif kind is DocumentKind.PASSPORT:
        lines = td3_lines(m)
    values = {
        "issuing_state": m.issuing_state.upper()[:3],
        "title": "IDENTITY CARD" if kind is DocumentKind.ID_FRONT else "PASSPORT",
        "surname": viz_name(m.primary_identifier),
        "given_names": viz_name(m.secondary_identifier),
        "sex": {"M": "M", "F": "F"}.get(m.sex.upper(), "X"),
        "nationality": m.nationality.upper(),
        "birth_date": viz_date(m.birth_date),
        "expiry_date": viz_date(m.expiry_date),
        "issue_date": viz_date(data.issue_date),
        "document_number": m.document_number.upper(),
        "authority": data.authority.upper(),
    }
    labels = {
        "label_surname": "SURNAME",
        "label_given_names": "GIVEN NAMES",
        "label_sex": "SEX",
        "label_nationality": "NATIONALITY",
        "label_birth_date": "DATE OF BIRTH",
        "label_document_number": "PASSPORT NO" if kind is DocumentKind.PASSPORT else "DOCUMENT NO",
        "label_expiry_date": "DATE OF EXPIRY",
        "label_issue_date": "DATE OF ISSUE",
        "label_authority": "AUTHORITY",
    }
    values.update(labels)
    values.update({f"mrz{i + 1}": line for i, line in enumerate(lines)})
    return values


def _load_portrait(portrait: Image.Image | bytes) -> Image.Image:
    if isinstance(portrait, Image.Image):
        return portrait.convert("RGB")
    try:
        return Image.open(io.BytesIO(portrait)).convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise DocumentRenderError(f"portrait is not a readable image: {exc}") from exc


def _px(mm: float) -> int:
    return round(mm * RENDER_PX_PER_MM)


def _draw_text(
    page: Image.Image,
    text: str,
    x_mm: float,
    y_mm: float,
    pitch_mm: float,
    max_chars: int,
    colour: tuple[int, int, int],
) -> None:
    clean = "".join(c if c in VIZ_CHARS else " " for c in text.upper())[:max_chars].rstrip()
    if not clean:
        return
    mask = text_mask(clean, pitch_mm * RENDER_PX_PER_MM)
    page.paste(colour, (_px(x_mm), _px(y_mm)), mask)


def render_face(
    kind: DocumentKind, data: DocumentData, portrait: Image.Image | bytes | None = None
) -> Image.Image:
    """Draw one document face as an RGB image of the layout's size at :data:`RENDER_PX_PER_MM`."""
    layout: Layout = LAYOUTS[kind]
    size = (_px(layout.width), _px(layout.height))
    paper, pattern_colour = _PAPER[kind]
    canvas = np.empty((size[1], size[0], 3), dtype=np.float32)
    canvas[:] = paper
    if layout.portrait is not None:
        if portrait is None:
            raise DocumentRenderError(f"{kind.value} needs a portrait")
        box = layout.portrait
        photo = ImageOps.fit(_load_portrait(portrait), (_px(box.w), _px(box.h)), Image.Resampling.LANCZOS)
        arr = np.asarray(photo, dtype=np.float32)
        y0, x0 = _px(box.y), _px(box.x)
        canvas[y0 : y0 + arr.shape[0], x0 : x0 + arr.shape[1]] = arr
    ink = pattern_ink(data.seed, layout.width, layout.height, RENDER_PX_PER_MM)[: size[1], : size[0]]
    strength = np.full(ink.shape, _PATTERN_STRENGTH, dtype=np.float32)
    if layout.portrait is not None:
        b = layout.portrait
        strength[_px(b.y) : _px(b.y + b.h), _px(b.x) : _px(b.x + b.w)] = _PORTRAIT_PATTERN_STRENGTH
        c = inset(b, PORTRAIT_FRAME_MM)
        strength[_px(c.y) : _px(c.y + c.h), _px(c.x) : _px(c.x + c.w)] = 0.0
    if layout.mrz_zone is not None:
        z = layout.mrz_zone
        strength[_px(z.y) : _px(z.y + z.h), _px(z.x) : _px(z.x + z.w)] = 0.0
    alpha = (ink * strength)[..., None]
    tint = np.asarray(pattern_colour, dtype=np.float32)
    if layout.portrait is not None:
        # over the photo's frame the pattern is printed as a multiplicative tint, so it darkens dark and
        # light parts of the photo alike and the verifier's correlation keeps one sign
        b = layout.portrait
        ys, xs = slice(_px(b.y), _px(b.y + b.h)), slice(_px(b.x), _px(b.x + b.w))
        photo = canvas[ys, xs] * (1.0 - alpha[ys, xs] * (1.0 - tint / 255.0))
    canvas = canvas * (1.0 - alpha) + tint * alpha
    if layout.portrait is not None:
        canvas[ys, xs] = photo
    page = Image.fromarray(np.clip(canvas + 0.5, 0, 255).astype(np.uint8), "RGB")
    values = visual_fields(kind, data)
    for field in layout.fields:
        colour = _INK if field.read else _LABEL_INK
        _draw_text(page, values.get(field.name, ""), field.x, field.y, field.pitch, field.max_chars, colour)
    for line_field in layout.mrz_lines:
        _draw_text(
            page,
            values[line_field.name],
            line_field.x,
            line_field.y,
            line_field.pitch,
            line_field.max_chars,
            _INK,
        )
    return page


def render_id_front(data: DocumentData, portrait: Image.Image | bytes) -> Image.Image:
    return render_face(DocumentKind.ID_FRONT, data, portrait)


def render_id_back(data: DocumentData) -> Image.Image:
    return render_face(DocumentKind.ID_BACK, data)


def render_passport(data: DocumentData, portrait: Image.Image | bytes) -> Image.Image:
    return render_face(DocumentKind.PASSPORT, data, portrait)
