"""The chip files an NFC reader uploads: strict checks on the upload, then a :class:`ChipRead`.

Only structural problems of the *upload* are refused (4xx ``invalid_chip_data``): values that are not
Base64, unknown file names, a missing EF.COM/EF.SOD/DG1, files too large for a chip. Whether the
content is genuine - a DG that does not parse, a hash that does not match, a signer nobody trusts - is
for the validators to find and report, because that is evidence, not a broken request.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from simulator.identity.chip.errors import ChipError
from simulator.identity.chip.lds import parse_dg1
from simulator.identity.chip.reader import ChipRead

from .errors import InvalidChipDataError
from .settings import MAX_CHIP_FILE_BYTES

AA_CHALLENGE = "AA.challenge"
AA_SIGNATURE = "AA.signature"
_NAME = re.compile(r"EF\.COM|EF\.SOD|DG([1-9]|1[0-6])\.bin|AA\.challenge|AA\.signature")
REQUIRED = ("EF.COM", "EF.SOD", "DG1.bin")


def decode_files(files: Mapping[str, str]) -> dict[str, bytes]:
    """File name → bytes, or ``invalid_chip_data`` naming the first problem."""
    decoded: dict[str, bytes] = {}
    for name, value in files.items():
        if _NAME.fullmatch(name) is None:
            raise InvalidChipDataError(
                f"unknown chip file name {name!r} (EF.COM, EF.SOD, DG1.bin..DG16.bin, "
                "AA.challenge, AA.signature)"
            )
        if len(value) > (MAX_CHIP_FILE_BYTES * 4) // 3 + 8:
            raise InvalidChipDataError(f"{name} exceeds {MAX_CHIP_FILE_BYTES} bytes")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidChipDataError(f"{name} is not valid Base64") from None
        if not data:
            raise InvalidChipDataError(f"{name} is empty")
        if len(data) > MAX_CHIP_FILE_BYTES:
            raise InvalidChipDataError(f"{name} exceeds {MAX_CHIP_FILE_BYTES} bytes")
        decoded[name] = data
    missing = [name for name in REQUIRED if name not in decoded]
    if missing:
        raise InvalidChipDataError(f"chip files missing: {', '.join(missing)}")
    if (AA_CHALLENGE in decoded) != (AA_SIGNATURE in decoded):
        raise InvalidChipDataError("AA.challenge and AA.signature go together")
    return decoded


def chip_read(files: Mapping[str, bytes]) -> ChipRead:
    """The :class:`ChipRead` of decoded files (names already checked by :func:`decode_files`)."""
    plain = {name: data for name, data in files.items() if name not in (AA_CHALLENGE, AA_SIGNATURE)}
    try:
        read = ChipRead.from_files(plain)
    except ChipError as exc:
        raise InvalidChipDataError(str(exc)) from None
    if AA_CHALLENGE in files:
        return ChipRead(read.ef_com, read.ef_sod, read.data_groups, files[AA_CHALLENGE], files[AA_SIGNATURE])
    return read


def dg1_lines(read: ChipRead) -> list[str] | None:
    """The MRZ lines in DG1, or ``None`` when DG1 does not parse (the validators say why)."""
    if read.dg1 is None:
        return None
    try:
        return parse_dg1(read.dg1)
    except ChipError:
        return None


def chip_record(files: Mapping[str, bytes]) -> dict[str, Any]:
    """What the store keeps of a chip upload."""
    read = chip_read(files)
    return {
        "files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()},
        "dataGroups": sorted(read.data_groups),
        "mrz": dg1_lines(read),
    }


def record_read(record: Mapping[str, Any]) -> ChipRead:
    """The :class:`ChipRead` back from a stored record."""
    return chip_read({name: base64.b64decode(value) for name, value in record["files"].items()})
