"""Where everything sits on each document face, in millimetres — shared by the renderer and the reader.

A real document reader knows the layout of the document model it reads (ZenID and Innovatrics ship
per-model templates); ours is this module. Keeping the geometry in one place, in physical units, lets
the renderer draw at one resolution and the reader rectify to another without either knowing the other's
pixel sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MRZ_PITCH_MM = 2.54  # Doc 9303 Part 3: 10 characters per inch
#: Width of the guilloche frame printed over the portrait's edge. Only the edge: a pattern across the
#: face would destroy the skin texture the face matcher compares, as it would on a real document.
PORTRAIT_FRAME_MM = 3.0


class DocumentKind(StrEnum):
    """The three document faces the simulator renders and reads."""

    ID_FRONT = "id_front"
    ID_BACK = "id_back"
    PASSPORT = "passport"


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in millimetres from the document's top-left corner."""

    x: float
    y: float
    w: float
    h: float


def inset(box: Box, by: float) -> Box:
    """``box`` shrunk by ``by`` millimetres on every side (grown when negative)."""
    return Box(box.x + by, box.y + by, box.w - 2 * by, box.h - 2 * by)


@dataclass(frozen=True)
class TextField:
    """A line of fixed-pitch glyph text. ``read`` fields are machine read; labels are decoration."""

    name: str
    x: float
    y: float
    pitch: float
    max_chars: int
    read: bool = True

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.pitch * self.max_chars, self.pitch)


@dataclass(frozen=True)
class Layout:
    """Page size, portrait, text fields, MRZ lines and the MRZ clear zone of one document face."""

    kind: DocumentKind
    width: float
    height: float
    portrait: Box | None
    fields: tuple[TextField, ...]
    mrz_lines: tuple[TextField, ...]
    mrz_zone: Box | None

    def field(self, name: str) -> TextField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _rows(
    x: float,
    y0: float,
    step: float,
    label_pitch: float,
    value_pitch: float,
    rows: list[list[tuple[str, str, float, int]]],
) -> list[TextField]:
    """Label above value, one row per list entry; each entry is (name, label, x offset, max chars)."""
    out: list[TextField] = []
    for r, row in enumerate(rows):
        y = y0 + r * step
        for name, label, dx, n in row:
            out.append(TextField(f"label_{name}", x + dx, y, label_pitch, len(label), read=False))
            out.append(TextField(name, x + dx, y + label_pitch * 1.1, value_pitch, n))
    return out


_ID_W, _ID_H = 85.6, 54.0
_PP_W, _PP_H = 125.0, 88.0

ID_FRONT = Layout(
    kind=DocumentKind.ID_FRONT,
    width=_ID_W,
    height=_ID_H,
    portrait=Box(4.0, 10.0, 22.0, 28.0),
    fields=(
        TextField("issuing_state", 4.0, 3.0, 2.2, 3),
        TextField("title", 14.0, 3.4, 1.6, 13, read=False),
        *_rows(
            30.0,
            9.0,
            5.6,
            1.2,
            2.2,
            [
                [("surname", "SURNAME", 0.0, 24)],
                [("given_names", "GIVEN NAMES", 0.0, 24)],
                [("sex", "SEX", 0.0, 1), ("nationality", "NATIONALITY", 12.0, 3)],
                [("birth_date", "DATE OF BIRTH", 0.0, 10)],
                [("document_number", "DOCUMENT NO", 0.0, 9), ("expiry_date", "DATE OF EXPIRY", 25.0, 10)],
            ],
        ),
    ),
    mrz_lines=(),
    mrz_zone=None,
)

_TD1_MRZ_X = (_ID_W - 30 * MRZ_PITCH_MM) / 2
ID_BACK = Layout(
    kind=DocumentKind.ID_BACK,
    width=_ID_W,
    height=_ID_H,
    portrait=None,
    fields=(
        *_rows(
            4.0,
            4.0,
            5.6,
            1.2,
            2.0,
            [
                [("issue_date", "DATE OF ISSUE", 0.0, 10), ("authority", "AUTHORITY", 26.0, 20)],
            ],
        ),
    ),
    mrz_lines=tuple(TextField(f"mrz{i + 1}", _TD1_MRZ_X, 36.0 + 4.2 * i, MRZ_PITCH_MM, 30) for i in range(3)),
    mrz_zone=Box(0.0, 34.0, _ID_W, _ID_H - 34.0),
)

_TD3_MRZ_X = (_PP_W - 44 * MRZ_PITCH_MM) / 2
PASSPORT = Layout(
    kind=DocumentKind.PASSPORT,
    width=_PP_W,
    height=_PP_H,
    portrait=Box(6.0, 13.0, 32.0, 40.0),
    fields=(
        TextField("issuing_state", 6.0, 4.0, 3.0, 3),
        TextField("title", 20.0, 4.6, 2.0, 8, read=False),
        *_rows(
            44.0,
            12.0,
            6.4,
            1.4,
            2.54,
            [
                [("surname", "SURNAME", 0.0, 30)],
                [("given_names", "GIVEN NAMES", 0.0, 30)],
                [("nationality", "NATIONALITY", 0.0, 3), ("sex", "SEX", 30.0, 1)],
                [("birth_date", "DATE OF BIRTH", 0.0, 10), ("issue_date", "DATE OF ISSUE", 30.0, 10)],
                [("document_number", "PASSPORT NO", 0.0, 9), ("expiry_date", "DATE OF EXPIRY", 30.0, 10)],
            ],
        ),
    ),
    mrz_lines=tuple(TextField(f"mrz{i + 1}", _TD3_MRZ_X, 71.0 + 5.0 * i, MRZ_PITCH_MM, 44) for i in range(2)),
    mrz_zone=Box(0.0, 68.0, _PP_W, _PP_H - 68.0),
)

LAYOUTS: dict[DocumentKind, Layout] = {
    DocumentKind.ID_FRONT: ID_FRONT,
    DocumentKind.ID_BACK: ID_BACK,
    DocumentKind.PASSPORT: PASSPORT,
}
