"""LDS1 files (Doc 9303-10): file identifiers, EF.COM, DG1 (MRZ), DG2 (face) and a small DG11.

DG2 wraps the portrait in an ISO/IEC 19794-5:2005 face record inside the biometric information template
group (`7F61` / `7F60` / `A1` header / `5F2E` data), the form every reader accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from simulator.identity.chip.errors import LdsError, TlvError
from simulator.identity.chip.tlv import Tlv, decode_one, encode_tlv

EF_COM_FID = 0x011E
EF_SOD_FID = 0x011D
EF_COM_TAG = 0x60
EF_SOD_TAG = 0x77
DG_TAGS: dict[int, int] = {
    1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68,
    9: 0x69, 10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70,
}  # fmt: skip
TAG_TO_DG: dict[int, int] = {tag: number for number, tag in DG_TAGS.items()}
EAC_PROTECTED_DGS = frozenset({3, 4})

_TAG_LDS_VERSION = 0x5F01
_TAG_UNICODE_VERSION = 0x5F36
_TAG_TAG_LIST = 0x5C
_TAG_MRZ = 0x5F1F
_TAG_BIT_GROUP = 0x7F61
_TAG_BIT = 0x7F60
_TAG_INSTANCES = 0x02
_TAG_BHT = 0xA1
_TAG_FACE_19794 = 0x5F2E
_TAG_FACE_39794 = 0x7F2E
_TAG_FULL_NAME = 0x5F0E

_MRZ_LINE = re.compile(r"[A-Z0-9<]+")
_MRZ_SHAPES = {90: (3, 30), 72: (2, 36), 88: (2, 44)}
_FACE_FORMAT = b"FAC\x00"
_FACE_VERSION = b"010\x00"
_GENERAL_HEADER = 14
_FACIAL_INFO = 20
_FEATURE_POINT = 8
_IMAGE_INFO = 12
#: ICAO header version 0101, format owner ISO/IEC JTC1 SC37 (0101), format type 0008 (19794-5 face).
_BIOMETRIC_HEADER = (
    encode_tlv(0x80, b"\x01\x01") + encode_tlv(0x87, b"\x01\x01") + encode_tlv(0x88, b"\x00\x08")
)


def dg_fid(number: int) -> int:
    """File identifier of data group ``number`` (DG1 = 0101 ... DG16 = 0110)."""
    _check_dg(number)
    return 0x0100 + number


def fid_to_dg(fid: int) -> int | None:
    """Data-group number of a file identifier, or None for EF.COM, EF.SOD and anything else."""
    number = fid - 0x0100
    return number if number in DG_TAGS else None


def _check_dg(number: int) -> None:
    if number not in DG_TAGS:
        raise LdsError(f"data group {number} does not exist (1..16)")


def _decode(data: bytes, tag: int, what: str) -> Tlv:
    try:
        item = decode_one(data)
    except TlvError as exc:
        raise LdsError(f"{what} is not one BER-TLV object: {exc}") from exc
    if item.tag != tag:
        raise LdsError(f"{what} starts with tag {item.tag:X}, expected {tag:X}")
    return item


def _child(item: Tlv, tag: int, what: str) -> Tlv:
    try:
        return item.child(tag)
    except TlvError as exc:
        raise LdsError(f"{what}: {exc}") from exc


def data_group_number(data: bytes) -> int:
    """Which data group a file is, from its first tag."""
    if not data:
        raise LdsError("empty data group file")
    number = TAG_TO_DG.get(data[0])
    if number is None:
        raise LdsError(f"tag {data[0]:02X} is not a data group tag")
    return number


# EF.COM


@dataclass(frozen=True)
class EfCom:
    """Contents of EF.COM: LDS version ("0108"), Unicode version ("040000"), data groups present."""

    lds_version: str
    unicode_version: str
    data_groups: tuple[int, ...]


def build_ef_com(
    data_groups: Iterable[int], lds_version: str = "0108", unicode_version: str = "040000"
) -> bytes:
    """EF.COM listing the tags of ``data_groups`` in ascending order."""
    numbers = sorted(set(data_groups))
    for number in numbers:
        _check_dg(number)
    if not re.fullmatch(r"\d{4}", lds_version) or not re.fullmatch(r"\d{6}", unicode_version):
        raise LdsError("LDS version has four digits and Unicode version six")
    body = (
        encode_tlv(_TAG_LDS_VERSION, lds_version.encode("ascii"))
        + encode_tlv(_TAG_UNICODE_VERSION, unicode_version.encode("ascii"))
        + encode_tlv(_TAG_TAG_LIST, bytes(DG_TAGS[n] for n in numbers))
    )
    return encode_tlv(EF_COM_TAG, body)


def parse_ef_com(data: bytes) -> EfCom:
    """Parse EF.COM; unknown tags in the tag list are an `LdsError`."""
    item = _decode(data, EF_COM_TAG, "EF.COM")
    lds = _child(item, _TAG_LDS_VERSION, "EF.COM").value
    unicode = _child(item, _TAG_UNICODE_VERSION, "EF.COM").value
    tags = _child(item, _TAG_TAG_LIST, "EF.COM").value
    unknown = [tag for tag in tags if tag not in TAG_TO_DG]
    if unknown:
        raise LdsError(f"EF.COM lists unknown data group tags {bytes(unknown).hex()}")
    try:
        return EfCom(lds.decode("ascii"), unicode.decode("ascii"), tuple(TAG_TO_DG[tag] for tag in tags))
    except UnicodeDecodeError as exc:
        raise LdsError("EF.COM version fields are not ASCII") from exc


# DG1


def build_dg1(mrz_lines: Sequence[str]) -> bytes:
    """DG1: the MRZ lines concatenated without separators in a `5F1F` object."""
    lines = [line.strip() for line in mrz_lines]
    joined = "".join(lines)
    shape = _MRZ_SHAPES.get(len(joined))
    if shape is None or shape != (len(lines), len(lines[0])) or len({len(x) for x in lines}) != 1:
        raise LdsError(f"MRZ of lines {[len(x) for x in lines]} is not TD1 (3x30), TD2 (2x36) or TD3 (2x44)")
    if not _MRZ_LINE.fullmatch(joined):
        raise LdsError("MRZ holds characters outside A-Z, 0-9 and '<'")
    return encode_tlv(DG_TAGS[1], encode_tlv(_TAG_MRZ, joined.encode("ascii")))


def parse_dg1(data: bytes) -> list[str]:
    """The MRZ lines stored in DG1, split by the document format its length implies."""
    mrz = _child(_decode(data, DG_TAGS[1], "DG1"), _TAG_MRZ, "DG1").value
    shape = _MRZ_SHAPES.get(len(mrz))
    if shape is None:
        raise LdsError(f"DG1 MRZ of {len(mrz)} characters is not TD1, TD2 or TD3")
    try:
        text = mrz.decode("ascii")
    except UnicodeDecodeError as exc:
        raise LdsError("DG1 MRZ is not ASCII") from exc
    if not _MRZ_LINE.fullmatch(text):
        raise LdsError("DG1 MRZ holds characters outside A-Z, 0-9 and '<'")
    count, width = shape
    return [text[i * width : (i + 1) * width] for i in range(count)]


# DG2


@dataclass(frozen=True)
class FaceImage:
    """One face of an ISO/IEC 19794-5 record: the image bytes and the descriptive fields we keep."""

    image: bytes
    width: int
    height: int
    gender: int = 0
    eye_colour: int = 0
    hair_colour: int = 0
    expression: int = 0
    image_type: int = 1  # full frontal
    image_data_type: int = 0  # JPEG
    colour_space: int = 1  # 24-bit RGB
    source_type: int = 2  # digital still camera
    quality: int = 0

    def __post_init__(self) -> None:
        if not (0 < self.width <= 0xFFFF and 0 < self.height <= 0xFFFF):
            raise LdsError(f"face image size {self.width}x{self.height} does not fit 16-bit fields")
        for name in ("gender", "eye_colour", "hair_colour", "image_type", "image_data_type", "colour_space",
                     "source_type"):
            if not 0 <= getattr(self, name) <= 0xFF:
                raise LdsError(f"face field {name} is not a byte")
        if not (0 <= self.expression <= 0xFFFF and 0 <= self.quality <= 0xFFFF):
            raise LdsError("face expression and quality are 16-bit fields")


def build_face_record(faces: Sequence[FaceImage]) -> bytes:
    """An ISO/IEC 19794-5:2005 face record (big-endian, no feature points)."""
    if not faces or len(faces) > 0xFFFF:
        raise LdsError("a face record holds 1..65535 images")
    blocks = b""
    for face in faces:
        block_length = _FACIAL_INFO + _IMAGE_INFO + len(face.image)
        facial = (
            block_length.to_bytes(4, "big")
            + (0).to_bytes(2, "big")
            + bytes([face.gender, face.eye_colour, face.hair_colour])
            + bytes(3)  # property mask
            + face.expression.to_bytes(2, "big")
            + bytes(6)  # pose angles and their uncertainties
        )
        info = (
            bytes([face.image_type, face.image_data_type])
            + face.width.to_bytes(2, "big")
            + face.height.to_bytes(2, "big")
            + bytes([face.colour_space, face.source_type])
            + (0).to_bytes(2, "big")
            + face.quality.to_bytes(2, "big")
        )
        blocks += facial + info + face.image
    total = _GENERAL_HEADER + len(blocks)
    return _FACE_FORMAT + _FACE_VERSION + total.to_bytes(4, "big") + len(faces).to_bytes(2, "big") + blocks


def parse_face_record(record: bytes) -> list[FaceImage]:
    """Parse an ISO/IEC 19794-5:2005 face record; feature points are skipped."""
    if len(record) < _GENERAL_HEADER:
        raise LdsError(f"face record of {len(record)} bytes is shorter than its header")
    if record[:4] != _FACE_FORMAT or record[4:8] != _FACE_VERSION:
        raise LdsError("face record does not start with 'FAC\\0' '010\\0'")
    count = int.from_bytes(record[12:14], "big")
    offset = _GENERAL_HEADER
    faces: list[FaceImage] = []
    for index in range(count):
        if offset + _FACIAL_INFO > len(record):
            raise LdsError(f"face {index + 1} of {count}: facial information is cut short")
        block_length = int.from_bytes(record[offset : offset + 4], "big")
        points = int.from_bytes(record[offset + 4 : offset + 6], "big")
        info_start = offset + _FACIAL_INFO + points * _FEATURE_POINT
        image_start = info_start + _IMAGE_INFO
        end = offset + block_length
        if image_start > end or end > len(record):
            raise LdsError(f"face {index + 1} of {count}: block length {block_length} overruns the record")
        info = record[info_start:image_start]
        faces.append(
            FaceImage(
                image=bytes(record[image_start:end]),
                width=int.from_bytes(info[2:4], "big"),
                height=int.from_bytes(info[4:6], "big"),
                gender=record[offset + 6],
                eye_colour=record[offset + 7],
                hair_colour=record[offset + 8],
                expression=int.from_bytes(record[offset + 12 : offset + 14], "big"),
                image_type=info[0],
                image_data_type=info[1],
                colour_space=info[6],
                source_type=info[7],
                quality=int.from_bytes(info[10:12], "big"),
            )
        )
        offset = end
    if not faces:
        raise LdsError("face record holds no image")
    return faces


def build_dg2(face: FaceImage) -> bytes:
    """DG2 with one biometric information template carrying a 19794-5 record of ``face``."""
    record = build_face_record([face])
    template = encode_tlv(_TAG_BHT, _BIOMETRIC_HEADER) + encode_tlv(_TAG_FACE_19794, record)
    group = encode_tlv(_TAG_INSTANCES, b"\x01") + encode_tlv(_TAG_BIT, template)
    return encode_tlv(DG_TAGS[2], encode_tlv(_TAG_BIT_GROUP, group))


def parse_dg2(data: bytes) -> list[FaceImage]:
    """Every face image of every biometric information template in DG2 (19794-5 records only)."""
    group = _child(_decode(data, DG_TAGS[2], "DG2"), _TAG_BIT_GROUP, "DG2")
    try:
        items = group.children()
    except TlvError as exc:
        raise LdsError(f"DG2 biometric information group is malformed: {exc}") from exc
    faces: list[FaceImage] = []
    for item in items:
        if item.tag != _TAG_BIT:
            continue
        try:
            parts = {child.tag: child.value for child in item.children()}
        except TlvError as exc:
            raise LdsError(f"DG2 biometric information template is malformed: {exc}") from exc
        if _TAG_FACE_39794 in parts and _TAG_FACE_19794 not in parts:
            raise LdsError("DG2 holds an ISO/IEC 39794-5 record; only 19794-5 is supported")
        if _TAG_FACE_19794 not in parts:
            raise LdsError("DG2 biometric information template has no 5F2E face record")
        faces.extend(parse_face_record(parts[_TAG_FACE_19794]))
    if not faces:
        raise LdsError("DG2 holds no biometric information template")
    return faces


def portrait_from_dg2(data: bytes) -> bytes:
    """The image bytes (JPEG for our documents) of the first face in DG2."""
    return parse_dg2(data)[0].image


# DG11


def build_dg11(full_name: str) -> bytes:
    """A minimal DG11 (additional personal details) holding the full name in MRZ form."""
    if not _MRZ_LINE.fullmatch(full_name):
        raise LdsError("DG11 full name uses MRZ characters (A-Z, 0-9, '<')")
    body = encode_tlv(_TAG_TAG_LIST, _TAG_FULL_NAME.to_bytes(2, "big")) + encode_tlv(
        _TAG_FULL_NAME, full_name.encode("ascii")
    )
    return encode_tlv(DG_TAGS[11], body)
