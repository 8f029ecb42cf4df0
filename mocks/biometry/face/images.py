"""Checks on the trusted image before enrolment: size, format, decodability and a findable face."""

from __future__ import annotations

from simulator.identity.faces.errors import FaceError
from simulator.identity.faces.matcher import FaceMatcher, FaceTemplate

from ..exceptions import InvalidEnrolImageError
from ..settings import MAX_ENROL_IMAGE_BYTES

_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("PNG", b"\x89PNG\r\n\x1a\n"),
    ("JPEG", b"\xff\xd8\xff"),
    ("JP2", b"\x00\x00\x00\x0cjP  \r\n\x87\n"),
    ("JP2", b"\xff\x4f\xff\x51"),
)


def image_format(data: bytes) -> str:
    """``PNG``, ``JPEG`` or ``JP2`` from the magic bytes (iProov accepts only these)."""
    for name, magic in _SIGNATURES:
        if data.startswith(magic):
            return name
    raise InvalidEnrolImageError("image must be PNG, JPEG or JP2")


def trusted_template(data: bytes, matcher: FaceMatcher) -> FaceTemplate:
    """The face template of an acceptable trusted image, else ``invalid_enrol_image`` with why."""
    if not data:
        raise InvalidEnrolImageError("missing image attachment in the multipart form")
    if len(data) > MAX_ENROL_IMAGE_BYTES:
        raise InvalidEnrolImageError(f"image exceeds {MAX_ENROL_IMAGE_BYTES} bytes")
    image_format(data)
    try:
        return matcher.extract(data)
    except FaceError as exc:
        raise InvalidEnrolImageError(f"image not usable for enrolment: {exc}") from None
