"""Document reader: from image bytes alone to MRZ, printed fields, portrait crop and a pattern verdict.

This is what the mock document-verification provider runs on uploaded pages, so it trusts nothing but
pixels. Pipeline (each stage numpy-vectorised; per 1280×960 photo on one core about 30 ms for an ID card
face and 45 ms for a passport page — see ``loadtests/benchmarks/identity_documents.py``):

1. decode JPEG/PNG; segment the page and fit its four edges (:mod:`.geometry`);
2. tell the document model by its paper (ID cards are printed on blue stock, passport pages on rose),
   then the face and which way up it lies by where the dark print falls (:func:`_match_layout`);
3. rectify to :data:`READ_PX_PER_MM` with the page's homography, normalise ink against local paper
   brightness, and read the MRZ and printed fields with fixed-pitch template OCR (:mod:`.ocr`), with
   per-position character classes as field-type repair (:mod:`.charclasses`);
4. parse and verify the MRZ (:func:`simulator.identity.mrz.parse_mrz`), compare printed fields with it;
5. recompute the security pattern from the data just read and correlate it, tile by tile and over the
   portrait, with the page (:mod:`.pattern`) — an edited number, a pasted portrait or retouched
   background leaves tiles that do not correlate;
6. cut the portrait out as JPEG for the face-matching step.

Nothing raises on bad input: :func:`read_document` returns a :class:`DocumentReading` whose ``reasons``
name every problem found (:class:`ReadReason`).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

import numpy as np
from PIL import Image, ImageFilter, UnidentifiedImageError
from threadpoolctl import ThreadpoolController

from simulator.identity.documents.charclasses import MRZ_CLASSES, viz_classes
from simulator.identity.documents.geometry import DocumentNotFoundError, find_document, homography
from simulator.identity.documents.glyphs import GLYPH_HEIGHT_RATIO
from simulator.identity.documents.layout import (
    LAYOUTS,
    PORTRAIT_FRAME_MM,
    Box,
    DocumentKind,
    Layout,
    TextField,
    inset,
)
from simulator.identity.documents.ocr import LineReading, ink_image, read_cells
from simulator.identity.documents.pattern import DEFAULT_ISSUER_KEY, pattern_ink, pattern_seed
from simulator.identity.mrz import MRZ_ALPHABET, MrzFormat, MrzResult, check_digit, parse_mrz

READ_PX_PER_MM = 7.0  # ~1:1 with a phone photo of a passport page; 6 starts to lose glyph detail
PATTERN_PX_PER_MM = 3.5
PORTRAIT_PX_PER_MM = 8.0  # about the printed photo's own resolution (240x300 px on 32x40 mm)
MAX_PIXELS = 40_000_000
_DECODE_MIN_SIDE = 960  # decode large JPEGs down to no less than this on the shorter side

MRZ_MIN_SCORE = 0.45  # below this, a character is a guess, not a reading
FIELD_MIN_SCORE = 0.40
PATTERN_TILE_MIN = 0.30  # genuine tiles score 0.8–1.0 on captures, another seed's pattern 0.0 ± 0.1
PORTRAIT_PATTERN_MIN = 0.25  # portrait frame: genuine 0.5–1.0 (real faces), pasted portrait ~0.0
_TILE_MM = 16.0
# One reading is ~10 small matrix products; letting OpenBLAS fan them out over threads only adds
# hand-off cost, and on a busy machine (a server handling many uploads, CI) its spinning threads
# stall a 30 ms reading for seconds. Readings run with single-threaded BLAS; scale out with processes.
_BLAS = ThreadpoolController()
_PATTERN_INK = 0.22


class ReadReason(StrEnum):
    """Why a reading is not clean. Fatal ones stop the pipeline; the rest are findings."""

    INVALID_IMAGE = "invalid_image"
    DOCUMENT_NOT_FOUND = "document_not_found"
    MRZ_NOT_FOUND = "mrz_not_found"
    MRZ_UNREADABLE = "mrz_unreadable"
    MRZ_INVALID = "mrz_invalid"
    FIELDS_UNREADABLE = "fields_unreadable"
    VIZ_MRZ_MISMATCH = "viz_mrz_mismatch"
    PATTERN_MISMATCH = "pattern_mismatch"
    PORTRAIT_PATTERN_MISMATCH = "portrait_pattern_mismatch"


class DocumentReadError(ValueError):
    """A stage could not go on; ``reason`` says which and why in the reader's vocabulary."""

    def __init__(self, reason: ReadReason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason


@dataclass(frozen=True)
class PatternCheck:
    """Correlation of the page with the pattern its data predicts."""

    tile_scores: tuple[float, ...]
    portrait_score: float | None

    @property
    def min_tile_score(self) -> float:
        return min(self.tile_scores) if self.tile_scores else 0.0

    @property
    def background_ok(self) -> bool:
        return bool(self.tile_scores) and self.min_tile_score >= PATTERN_TILE_MIN

    @property
    def portrait_ok(self) -> bool:
        return self.portrait_score is None or self.portrait_score >= PORTRAIT_PATTERN_MIN


@dataclass(frozen=True)
class DocumentReading:
    """Everything the reader found on one image."""

    kind: DocumentKind | None = None
    corners: tuple[tuple[float, float], ...] = ()
    mrz_lines: tuple[str, ...] = ()
    mrz_min_score: float | None = None
    mrz: MrzResult | None = None
    fields: dict[str, str] = field(default_factory=dict)
    field_readings: dict[str, LineReading] = field(default_factory=dict, repr=False, compare=False)
    portrait_jpeg: bytes | None = None
    pattern: PatternCheck | None = None
    reasons: tuple[ReadReason, ...] = ()
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.reasons


# --------------------------------------------------------------------------------------------------
# helpers


def _decode(data: bytes) -> tuple[Image.Image, float]:
    """RGB image and the factor from its pixels to the original image's (1 unless DCT-scaled)."""
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            raise DocumentReadError(ReadReason.INVALID_IMAGE, f"image too large: {img.width}×{img.height}")
        # a JPEG far above the reading resolution is decoded at 1/2, 1/4 … scale by the decoder itself
        # (DCT scaling), so a 12 MP phone photo is read from 3 MP of pixels
        original = img.width
        shorter = min(img.size)
        if img.format == "JPEG" and shorter >= 2 * _DECODE_MIN_SIDE:
            scale = 2 ** int(np.log2(shorter / _DECODE_MIN_SIDE))
            img.draft("RGB", (img.width // scale, img.height // scale))
        rgb = img.convert("RGB")
        return rgb, original / rgb.width
    except DocumentReadError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DocumentReadError(ReadReason.INVALID_IMAGE, f"not a decodable image: {exc}") from exc


def _whole_image_page(gray: Image.Image) -> np.ndarray | None:
    """Corners of the whole image when it *is* the page: a flatbed scan or an uploaded file, cropped to
    a document format (aspect within 2 % of ID-1 or the passport page) — no surface around it to find.
    """
    w, h = gray.size
    if min(w, h) < 100:
        return None
    aspect = w / h
    for layout in (LAYOUTS[DocumentKind.ID_BACK], LAYOUTS[DocumentKind.PASSPORT]):
        if abs(aspect / (layout.width / layout.height) - 1.0) < 0.02:
            return np.asarray([(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))])
    return None


def _page_matrix(corners: np.ndarray, layout: Layout) -> np.ndarray:
    """Homography from page millimetres to photo pixels."""
    page = np.asarray([(0.0, 0.0), (layout.width, 0.0), (layout.width, layout.height), (0.0, layout.height)])
    return homography(page, corners)


def _warp(image: Image.Image, page_to_photo: np.ndarray, box: Box, px_per_mm: float) -> Image.Image:
    """Resample the page region ``box`` (mm) at ``px_per_mm`` from the photo."""
    scale = np.asarray([[1 / px_per_mm, 0, box.x], [0, 1 / px_per_mm, box.y], [0, 0, 1]])
    m = page_to_photo @ scale
    m = m / m[2, 2]
    size = (round(box.w * px_per_mm), round(box.h * px_per_mm))
    return image.transform(
        size, Image.Transform.PERSPECTIVE, tuple(m.flatten()[:8]), Image.Resampling.BILINEAR
    )


def _is_passport_stock(rgb: Image.Image, corners: np.ndarray) -> bool:
    """Paper colour of the page interior: passport pages are rose (R > B), ID cards blue (B > R)."""
    ctr = corners.mean(axis=0)
    inner = ctr + (corners - ctr) * 0.8
    quad = Box(0, 0, 1, 1)
    m = homography(np.asarray([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]), inner)
    sample = np.asarray(_warp(rgb, m, quad, 48.0), dtype=np.float32)
    return float(sample[..., 0].mean() - sample[..., 2].mean()) > 0.0


def _box_px(box: Box, s: float) -> tuple[int, int, int, int]:
    return round(box.y * s), round((box.y + box.h) * s), round(box.x * s), round((box.x + box.w) * s)


def _dark_fraction(ink: np.ndarray, box: Box, s: float) -> float:
    y0, y1, x0, x1 = _box_px(box, s)
    region = ink[y0:y1, x0:x1]
    return float((region > 0.45).mean()) if region.size else 0.0


def _layout_score(dark: np.ndarray, layout: Layout, s: float) -> float:
    """Share of the page's dark print (outside the portrait) that lies where ``layout`` prints text."""
    where = np.zeros(dark.shape, dtype=bool)
    for f in (*layout.fields, *layout.mrz_lines):
        y0, y1, x0, x1 = _box_px(inset(f.box, -0.5), s)
        where[max(0, y0) : y1, max(0, x0) : x1] = True
    counted = dark
    if layout.portrait is not None:
        counted = dark.copy()
        y0, y1, x0, x1 = _box_px(layout.portrait, s)
        counted[y0:y1, x0:x1] = False
    total = int(counted.sum())
    return float((counted & where).sum()) / total if total else 0.0


def _match_layout(ink: np.ndarray, passport: bool, s: float) -> tuple[Layout, bool]:
    """Which face, and which way up: the layout whose text boxes hold most of the dark print.

    Upright and 180°-turned readings of the page are the same array flipped, so trying both costs
    no second warp. ID card fronts and backs share the card stock and are told apart the same way.
    """
    kinds = (DocumentKind.PASSPORT,) if passport else (DocumentKind.ID_BACK, DocumentKind.ID_FRONT)
    dark = ink[::2, ::2] > 0.45
    best: tuple[float, DocumentKind, bool] = (-1.0, kinds[0], False)
    for kind in kinds:
        for flipped in (False, True):
            score = _layout_score(dark[::-1, ::-1] if flipped else dark, LAYOUTS[kind], s / 2)
            if score > best[0]:
                best = (score, kind, flipped)
    return LAYOUTS[best[1]], best[2]


def _high_pass(a: np.ndarray, radius: int) -> np.ndarray:
    """``a`` (0..1) minus its local mean over a (2r+1)² box, the mean taken by Pillow's C box blur."""
    img = Image.fromarray(np.uint8(np.clip(a, 0.0, 1.0) * 255.0 + 0.5))
    mean = np.asarray(img.filter(ImageFilter.BoxBlur(radius)), dtype=np.float32) / 255.0
    return a - mean


# --------------------------------------------------------------------------------------------------
# stages


def _line_offset(ink: np.ndarray, line: TextField, s: float, reach_mm: float = 1.5) -> int:
    """Vertical offset (px) of a printed line from its layout position, by row projection.

    The MRZ band is located rather than assumed: the ink of the line's columns is summed per row and
    the glyph-height window holding the most ink wins. This absorbs residual rectification error and
    print-position tolerance before the per-cell search.
    """
    pitch = line.pitch * s
    cell = round(pitch)
    glyph = max(1, round(pitch * GLYPH_HEIGHT_RATIO))
    top = (cell - glyph) // 2
    reach = round(reach_mm * s)
    y0 = round(line.y * s) - reach
    x0, x1 = max(0, round(line.x * s)), min(ink.shape[1], round((line.x + line.box.w) * s))
    rows = np.zeros(cell + 2 * reach, dtype=np.float64)
    lo, hi = max(0, y0), min(ink.shape[0], y0 + rows.size)
    if hi <= lo or x1 <= x0:
        return 0
    rows[lo - y0 : hi - y0] = ink[lo:hi, x0:x1].mean(axis=1)
    sums = np.concatenate([[0.0], np.cumsum(rows)])
    starts = np.arange(2 * reach + 1) + top
    window = sums[starts + glyph] - sums[starts]
    return int(np.argmax(window)) - reach


def _read_mrz(ink: np.ndarray, layout: Layout, fmt: MrzFormat) -> list[LineReading]:
    s = READ_PX_PER_MM
    readings = []
    for line, classes in zip(layout.mrz_lines, MRZ_CLASSES[fmt], strict=True):
        dy = _line_offset(ink, line, s)
        readings.append(read_cells(ink, line.x * s, line.y * s + dy, line.pitch * s, classes, search=2))
    return readings


def _read_fields(ink: np.ndarray, layout: Layout) -> dict[str, LineReading]:
    s = READ_PX_PER_MM
    # printed fields sit on the guilloche; its light lines (ink <~0.25) are cut away so that only
    # the dark print takes part in the correlation
    ink = np.clip((ink - _PATTERN_INK) / (1.0 - _PATTERN_INK), 0.0, 1.0)
    readings: dict[str, LineReading] = {}
    for f in layout.fields:
        if f.read:
            readings[f.name] = read_cells(
                ink,
                f.x * s,
                f.y * s,
                f.pitch * s,
                viz_classes(f.name, f.max_chars),
                search=2,
                blank_threshold=0.2,
            )
    return readings


def _viz_date(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        return None


def viz_mismatches(reading: DocumentReading, mrz: MrzResult) -> tuple[str, ...]:
    """Printed fields of ``reading`` that disagree with ``mrz`` — e.g. an ID card front against the
    MRZ read from its back (the provider checks the pair belongs together). Same tolerance rule as
    the passport's own VIZ/MRZ check: only confident differences count.
    """
    return tuple(_viz_mismatches(reading.field_readings, mrz))


def _viz_mismatches(readings: dict[str, LineReading], mrz: MrzResult) -> list[str]:
    """Printed fields that disagree with the MRZ (spec 1.7 #5).

    A printed character that differs from the MRZ's only counts when the MRZ's character was not an
    equally good reading of that glyph: a blurred 8 read as 0 is the camera's fault, a re-printed digit
    with a clean, confident shape is a forgery.
    """
    f = mrz.fields
    if f is None:
        return []
    expected: dict[str, str | None] = {
        "document_number": f.document_number,
        "birth_date": f.birth_date.strftime("%d.%m.%Y") if f.birth_date else None,
        "expiry_date": f.expiry_date.strftime("%d.%m.%Y") if f.expiry_date else None,
        "sex": {"<": "X"}.get(f.sex, f.sex),
    }
    if not f.name_truncated:
        expected["surname"] = f.primary_identifier
    wrong = []
    for name, want in expected.items():
        reading = readings.get(name)
        if reading is None:
            continue
        if want is None or not reading.accepts(want):
            wrong.append(name)
    return wrong


def _front_mrz_information(values: dict[str, str]) -> str | None:
    """BAC-style MRZ information from the printed front (number, birth date, expiry)."""
    number = values.get("document_number", "").replace(" ", "")
    dob = _viz_date(values.get("birth_date", ""))
    exp = _viz_date(values.get("expiry_date", ""))
    if not number or dob is None or exp is None:
        return None
    num_f = number.ljust(9, "<")
    d, e = dob.strftime("%y%m%d"), exp.strftime("%y%m%d")
    return num_f + check_digit(num_f) + d + check_digit(d) + e + check_digit(e)


def _pattern_check(ink: np.ndarray, layout: Layout, seed: bytes) -> PatternCheck:
    """Tile-wise correlation of the page's high-passed ink with the predicted pattern."""
    factor = round(READ_PX_PER_MM / PATTERN_PX_PER_MM)
    h, w = (ink.shape[0] // factor) * factor, (ink.shape[1] // factor) * factor
    small = sum(ink[dy:h:factor, dx:w:factor] for dy in range(factor) for dx in range(factor)) / (
        factor * factor
    )
    s = PATTERN_PX_PER_MM
    expected = pattern_ink(seed, layout.width, layout.height, s)[: small.shape[0], : small.shape[1]].copy()
    # predict the print, not just the pattern: nothing is printed in the MRZ clear zone or on the face
    for clear in (layout.mrz_zone, layout.portrait and inset(layout.portrait, PORTRAIT_FRAME_MM)):
        if clear is not None:
            y0, y1, x0, x1 = _box_px(clear, s)
            expected[y0:y1, x0:x1] = 0.0
    radius = round(1.25 * s)
    a = _high_pass(small, radius)
    b = _high_pass(expected, radius)
    mask = np.ones(small.shape, dtype=bool)
    margin = round(2.0 * s)
    mask[:margin, :] = mask[-margin:, :] = False
    mask[:, :margin] = mask[:, -margin:] = False
    grow = 0.8
    for f in (*layout.fields, *layout.mrz_lines):
        bx = f.box
        y0, y1, x0, x1 = _box_px(Box(bx.x - grow, bx.y - grow, bx.w + 2 * grow, bx.h + 2 * grow), s)
        mask[max(0, y0) : y1, max(0, x0) : x1] = False
    if layout.mrz_zone is not None:
        y0, y1, x0, x1 = _box_px(layout.mrz_zone, s)
        mask[y0:y1, x0:x1] = False
    portrait_score = None
    if layout.portrait is not None:
        p = layout.portrait
        ring = np.zeros(small.shape, dtype=bool)
        y0, y1, x0, x1 = _box_px(inset(p, 0.4), s)
        ring[y0:y1, x0:x1] = True
        y0, y1, x0, x1 = _box_px(inset(p, PORTRAIT_FRAME_MM - 0.4), s)
        ring[y0:y1, x0:x1] = False
        pa, pb = a[ring], b[ring]
        portrait_score = float((pa * pb).sum() / max(np.sqrt((pa * pa).sum() * (pb * pb).sum()), 1e-9))
        y0, y1, x0, x1 = _box_px(Box(p.x - grow, p.y - grow, p.w + 2 * grow, p.h + 2 * grow), s)
        mask[y0:y1, x0:x1] = False
    tile = round(_TILE_MM * s)
    ty, tx = -(-small.shape[0] // tile), -(-small.shape[1] // tile)
    pad = ((0, ty * tile - small.shape[0]), (0, tx * tile - small.shape[1]))
    am = np.pad(np.where(mask, a, 0.0), pad).reshape(ty, tile, tx, tile)
    bm = np.pad(np.where(mask, b, 0.0), pad).reshape(ty, tile, tx, tile)
    count = np.pad(mask, pad).reshape(ty, tile, tx, tile).sum(axis=(1, 3))
    num = (am * bm).sum(axis=(1, 3))
    den = np.sqrt((am * am).sum(axis=(1, 3)) * (bm * bm).sum(axis=(1, 3)))
    used = count >= 0.3 * tile * tile
    scores = num[used] / np.maximum(den[used], 1e-9)
    return PatternCheck(tile_scores=tuple(float(v) for v in scores), portrait_score=portrait_score)


def _portrait_jpeg(rgb: Image.Image, page_to_photo: np.ndarray, layout: Layout) -> bytes | None:
    if layout.portrait is None:
        return None
    crop = _warp(rgb, page_to_photo, layout.portrait, PORTRAIT_PX_PER_MM)
    buf = io.BytesIO()
    crop.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------


class _Stopped(Exception):
    """A fatal finding after part of the page was read: carries what was read so far."""

    def __init__(self, reason: ReadReason, partial: DocumentReading) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.partial = partial


def read_document(
    data: bytes,
    reference_date: date | None = None,
    issuer_key: bytes = DEFAULT_ISSUER_KEY,
) -> DocumentReading:
    """Read one photographed document page. ``reference_date`` enables the MRZ ``expired`` check."""
    started = time.perf_counter()
    draft = DocumentReading()
    reasons: list[ReadReason] = []
    try:
        with _BLAS.limit(limits=1, user_api="blas"):
            draft = _run(data, reference_date, issuer_key, reasons)
    except _Stopped as stop:
        draft = stop.partial
        reasons.append(stop.reason)
    except DocumentReadError as exc:
        reasons.append(exc.reason)
    elapsed = (time.perf_counter() - started) * 1000.0
    return replace(draft, reasons=tuple(dict.fromkeys(reasons)), elapsed_ms=elapsed)


def _run(
    data: bytes,
    reference_date: date | None,
    issuer_key: bytes,
    reasons: list[ReadReason],
) -> DocumentReading:
    rgb, to_original = _decode(data)
    gray = rgb.convert("L")
    try:
        corners = find_document(gray)
    except (DocumentNotFoundError, np.linalg.LinAlgError) as exc:
        corners = _whole_image_page(gray)
        if corners is None:
            raise DocumentReadError(ReadReason.DOCUMENT_NOT_FOUND, str(exc)) from exc
    passport = _is_passport_stock(rgb, corners)
    layout = LAYOUTS[DocumentKind.PASSPORT if passport else DocumentKind.ID_BACK]
    page_to_photo = _page_matrix(corners, layout)
    s = READ_PX_PER_MM
    rect = _warp(gray, page_to_photo, Box(0, 0, layout.width, layout.height), s)
    ink = ink_image(rect, s)
    layout, upside_down = _match_layout(ink, passport, s)
    if upside_down:  # the page was photographed rotated by 180°: turn the reading frame with it
        corners = np.roll(corners, 2, axis=0)
        page_to_photo = _page_matrix(corners, layout)
        ink = np.ascontiguousarray(ink[::-1, ::-1])
    has_mrz = False
    if layout.mrz_lines:
        first, last = layout.mrz_lines[0], layout.mrz_lines[-1]
        mrz_box = Box(first.x, first.y, first.box.w, last.y + last.pitch - first.y)
        has_mrz = _dark_fraction(ink, mrz_box, s) > 0.03
    field_readings = _read_fields(ink, layout)
    reading = DocumentReading(
        kind=layout.kind,
        corners=tuple((float(x) * to_original, float(y) * to_original) for x, y in corners),
        fields={name: " ".join(r.text.split()) for name, r in field_readings.items()},
        field_readings=field_readings,
        portrait_jpeg=_portrait_jpeg(rgb, page_to_photo, layout),
    )
    field_score = min((r.min_score for r in field_readings.values()), default=1.0)
    seed_info: str | None = None
    if layout.mrz_lines:
        if not has_mrz:
            raise _Stopped(ReadReason.MRZ_NOT_FOUND, reading)
        lines = _read_mrz(ink, layout, MrzFormat.TD3 if passport else MrzFormat.TD1)
        mrz = parse_mrz([r.text for r in lines], reference_date)
        min_score = min(r.min_score for r in lines)
        reading = replace(reading, mrz_lines=tuple(r.text for r in lines), mrz_min_score=min_score, mrz=mrz)
        if min_score < MRZ_MIN_SCORE:
            reasons.append(ReadReason.MRZ_UNREADABLE)
        if mrz.failures:
            reasons.append(ReadReason.MRZ_INVALID)
        if mrz.fields is not None:
            seed_info = mrz.fields.mrz_information
        if passport and _viz_mismatches(field_readings, mrz):
            reasons.append(ReadReason.VIZ_MRZ_MISMATCH)
    else:
        seed_info = _front_mrz_information(reading.fields)
    if field_score < FIELD_MIN_SCORE or (layout.kind is DocumentKind.ID_FRONT and seed_info is None):
        reasons.append(ReadReason.FIELDS_UNREADABLE)
    if seed_info is None or any(c not in MRZ_ALPHABET for c in seed_info):
        return reading
    check = _pattern_check(ink, layout, pattern_seed(seed_info, issuer_key))
    if not check.background_ok:
        reasons.append(ReadReason.PATTERN_MISMATCH)
    if not check.portrait_ok:
        reasons.append(ReadReason.PORTRAIT_PATTERN_MISMATCH)
    return replace(reading, pattern=check)
