"""One uploaded page: checks on the upload itself, then the identity world's reader, kept as a record.

The page is read once, at upload (as a ZenID sample is), and the record keeps what the verdict needs
later - MRZ lines, OCR confidences, pattern correlations, the portrait crop, and for an ID card front
the per-character OCR candidates of the fields its back's MRZ is compared with - so submitting an
investigation never decodes an image again.

Reading is a pure function of the image bytes and the reference date (the MRZ ``expired`` check), so
the reading is cached by the image's SHA-256 and the date: a client photographing the same page
again (a load test's pool of clients, a retried upload) costs a hash, not a read.  Only the pixels'
reading is shared; every upload still gets its own page record, and every check made on records
(declared side, page pairs, expiry against the investigation, the submit's validators) runs as before.
A changed byte is a different digest and a fresh read.
"""

from __future__ import annotations

import base64
import binascii
import io
import time
import warnings
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from simulator.encoding import b64decode_strict
from simulator.identity.digest_cache import DigestCache, digest
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.ocr import LineReading
from simulator.identity.documents.reader import (
    FIELD_MIN_SCORE,
    MAX_PIXELS,
    MRZ_MIN_SCORE,
    DocumentReading,
    ReadReason,
    read_document,
    viz_mismatches,
)
from simulator.identity.mrz import MrzResult

from .errors import ImageTooLargeError, InvalidImageError
from .extraction import page_extracted_data
from .settings import MAX_IMAGE_BYTES, MIN_IMAGE_SIDE

#: Declared (documentType, side) of each page the reader can recognise.
KIND_SIDES: dict[DocumentKind, tuple[str, str]] = {
    DocumentKind.ID_FRONT: ("ID_CARD", "FRONT"),
    DocumentKind.ID_BACK: ("ID_CARD", "BACK"),
    DocumentKind.PASSPORT: ("PASSPORT", "DATA_PAGE"),
}
SIDES_OF: dict[str, tuple[str, ...]] = {"ID_CARD": ("FRONT", "BACK"), "PASSPORT": ("DATA_PAGE",)}
#: Printed fields of an ID card front that the MRZ on its back must confirm.
FRONT_COMPARED_FIELDS = ("document_number", "birth_date", "expiry_date", "sex", "surname")
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"))


def decode_image(data_b64: str) -> bytes:
    """The image bytes of a page upload, or a typed 4xx: not Base64, too large, not PNG/JPEG, too small."""
    if len(data_b64) > (MAX_IMAGE_BYTES * 4) // 3 + 8:
        raise ImageTooLargeError(f"image exceeds {MAX_IMAGE_BYTES} bytes")
    try:
        data = b64decode_strict(data_b64)
    except (binascii.Error, ValueError):
        raise InvalidImageError("image is not valid Base64") from None
    if not data:
        raise InvalidImageError("image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLargeError(f"image exceeds {MAX_IMAGE_BYTES} bytes")
    if not any(data.startswith(magic) for magic, _ in _MAGIC):
        raise InvalidImageError("image must be a JPEG or PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise InvalidImageError(f"image cannot be decoded: {exc}") from None
    if min(width, height) < MIN_IMAGE_SIDE:
        raise InvalidImageError(
            f"image of {width}x{height} px is too small (shorter side < {MIN_IMAGE_SIDE})"
        )
    if width * height > MAX_PIXELS:
        raise InvalidImageError(f"image of {width}x{height} px exceeds {MAX_PIXELS} pixels")
    return data


def encode_line(reading: LineReading) -> dict[str, Any]:
    """A line reading (text, scores, per-position candidate scores) as JSON; float16 keeps it small."""
    candidates = np.asarray(reading.candidates, dtype=np.float16)
    return {
        "text": reading.text,
        "scores": [round(float(s), 4) for s in reading.scores],
        "shape": list(candidates.shape),
        "candidates": base64.b64encode(candidates.tobytes()).decode("ascii"),
    }


def decode_line(raw: dict[str, Any]) -> LineReading:
    """Inverse of :func:`encode_line` (to float16 precision)."""
    rows, cols = raw["shape"]
    array = np.frombuffer(base64.b64decode(raw["candidates"]), dtype=np.float16).reshape(rows, cols)
    return LineReading(raw["text"], tuple(raw["scores"]), array.astype(np.float64))


def front_mismatches(front: dict[str, Any], back_mrz: MrzResult) -> tuple[str, ...]:
    """Printed fields of an ID card front (from its record) that its back's MRZ contradicts."""
    readings = {name: decode_line(raw) for name, raw in front.get("frontReadings", {}).items()}
    return viz_mismatches(DocumentReading(field_readings=readings), back_mrz)


#: Readings kept (a reading with its OCR candidates and portrait crop is some tens of kB).
READINGS = DigestCache[tuple[bytes, date], DocumentReading](64)


def _read(image: bytes, today: date) -> DocumentReading:
    """``read_document`` memoised on (SHA-256 of the bytes, date); ``elapsed_ms`` is this call's own
    time (a hit costs the hash)."""
    started = time.perf_counter()
    reading = READINGS.get_or_compute((digest(image), today),
                                      lambda: read_document(image, reference_date=today))
    return replace(reading, elapsed_ms=(time.perf_counter() - started) * 1000.0)


def _issues(reading: DocumentReading, declared: tuple[str, str]) -> list[str]:
    issues = [reason.value for reason in reading.reasons]
    if reading.kind is not None and KIND_SIDES[reading.kind] != declared:
        issues.append("page_type_mismatch")
    return issues


def read_page(
    page_id: str, document_type: str, side: str, filename: str | None, image: bytes, today: date
) -> dict[str, Any]:
    """Read one page image into its stored record (raises ``invalid_image`` if it cannot be decoded)."""
    reading = _read(image, today)
    if ReadReason.INVALID_IMAGE in reading.reasons:
        raise InvalidImageError("image cannot be decoded as a photo")
    detected = KIND_SIDES.get(reading.kind) if reading.kind is not None else None
    found = ReadReason.DOCUMENT_NOT_FOUND not in reading.reasons
    field_scores = [float(r.min_score) for r in reading.field_readings.values()]
    record: dict[str, Any] = {
        "pageId": page_id,
        "documentType": document_type,
        "side": side,
        "filename": filename,
        "status": "READ" if found else "UNREADABLE",
        "detected": {"documentType": detected[0], "side": detected[1]} if detected and found else None,
        "issues": _issues(reading, (document_type, side)),
        "mrzLines": list(reading.mrz_lines),
        "mrzMinScore": None if reading.mrz_min_score is None else float(reading.mrz_min_score),
        "fieldsMinScore": min(field_scores) if field_scores else None,
        "fields": dict(reading.fields),
        "vizMismatches": list(viz_mismatches(reading, reading.mrz))
        if reading.kind is DocumentKind.PASSPORT and reading.mrz is not None
        else [],
        "pattern": None
        if reading.pattern is None
        else {
            "minTile": round(float(reading.pattern.min_tile_score), 4),
            "portrait": None
            if reading.pattern.portrait_score is None
            else round(float(reading.pattern.portrait_score), 4),
        },
        "portrait": base64.b64encode(reading.portrait_jpeg).decode("ascii")
        if reading.portrait_jpeg
        else None,
        "readMs": round(reading.elapsed_ms, 1),
    }
    if reading.kind is DocumentKind.ID_FRONT:
        record["frontReadings"] = {
            name: encode_line(reading.field_readings[name])
            for name in FRONT_COMPARED_FIELDS
            if name in reading.field_readings
        }
    return record


def quality_ratio(record: dict[str, Any]) -> float | None:
    """Lowest OCR confidence of a page relative to the reader's own floor (1.0 = exactly at the floor)."""
    ratios = []
    if record.get("mrzMinScore") is not None:
        ratios.append(record["mrzMinScore"] / MRZ_MIN_SCORE)
    if record.get("fieldsMinScore") is not None:
        ratios.append(record["fieldsMinScore"] / FIELD_MIN_SCORE)
    return min(ratios) if ratios else None


def page_body(record: dict[str, Any], investigation_id: str) -> dict[str, Any]:
    """The page as the API shows it (internals - portrait bytes, OCR candidates - stay inside)."""
    return {
        "pageId": record["pageId"],
        "investigationId": investigation_id,
        "documentType": record["documentType"],
        "side": record["side"],
        "filename": record.get("filename"),
        "status": record["status"],
        "detected": record["detected"],
        "issues": record["issues"],
        "extractedData": page_extracted_data(record),
        "portraitFound": record.get("portrait") is not None,
    }
