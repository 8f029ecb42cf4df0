"""Personalisation: turn MRZ lines and a portrait JPEG into a signed chip image.

This is what a document issuer does once; the simulator does it when it creates a synthetic citizen. The
same assembly step is reused by the forgery module, so a forged chip differs from a genuine one only where
the forgery says.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives import serialization
from PIL import Image, UnidentifiedImageError

from simulator.identity.chip import aa
from simulator.identity.chip.bac import key_seed
from simulator.identity.chip.errors import LdsError
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.lds import (
    EF_COM_FID,
    EF_SOD_FID,
    FaceImage,
    build_dg1,
    build_dg2,
    build_ef_com,
    dg_fid,
)
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import DocumentSigner
from simulator.identity.chip.sod import build_sod

_GENDER = {"M": 1, "F": 2}
#: Largest file a plain READ BINARY (15-bit offset) can fully reach with the reader's chunk size.
MAX_FILE_SIZE = 0x7FFF


def face_from_jpeg(jpeg: bytes, *, sex: str = "<") -> FaceImage:
    """Describe a JPEG portrait for the 19794-5 record (size read from the image itself)."""
    try:
        with Image.open(io.BytesIO(jpeg)) as picture:
            kind = picture.format
            width, height = picture.size
    except (UnidentifiedImageError, OSError) as exc:
        raise LdsError(f"portrait is not a readable image: {exc}") from exc
    if kind != "JPEG":
        raise LdsError(f"portrait must be a JPEG, got {kind}")
    return FaceImage(image=jpeg, width=width, height=height, gender=_GENDER.get(sex, 0))


def _sex(mrz_lines: Sequence[str]) -> str:
    lines = [line.strip() for line in mrz_lines]
    if len(lines) == 3 and len(lines[1]) == 30:
        return lines[1][7]
    if len(lines) == 2 and len(lines[1]) in (36, 44):
        return lines[1][20]
    return "<"


def assemble_chip(
    data_groups: Mapping[int, bytes],
    signer: DocumentSigner,
    *,
    bac_key_seed: bytes,
    signed_at: dt.datetime,
    lds_version: str = "0108",
    hash_algorithm: str = "sha256",
    aa_private_key: bytes | None = None,
) -> ChipImage:
    """EF.COM listing the DGs, EF.SOD signed over all of them, and the DG files themselves."""
    for number, data in data_groups.items():
        if len(data) > MAX_FILE_SIZE:
            raise LdsError(f"DG{number} of {len(data)} bytes exceeds the {MAX_FILE_SIZE}-byte file limit")
    files = {dg_fid(number): data for number, data in data_groups.items()}
    files[EF_COM_FID] = build_ef_com(data_groups.keys(), lds_version)
    files[EF_SOD_FID] = build_sod(
        data_groups, signer, signed_at=signed_at, hash_algorithm=hash_algorithm, lds_version=lds_version
    )
    return ChipImage(files, bac_key_seed, aa_private_key)


def issue_chip(
    mrz_lines: Sequence[str],
    portrait_jpeg: bytes,
    signer: DocumentSigner,
    *,
    signed_at: dt.datetime,
    extra_data_groups: Mapping[int, bytes] | None = None,
    lds_version: str = "0108",
    hash_algorithm: str = "sha256",
    active_authentication: bool = False,
) -> ChipImage:
    """A genuine chip: DG1 from the MRZ, DG2 from the portrait, optional extra DGs, all signed.

    With ``active_authentication`` the chip also gets its own P-256 key: DG14 announces ECDSA AA and DG15
    carries the public key, both covered by EF.SOD.
    """
    data_groups = {
        1: build_dg1(mrz_lines),
        2: build_dg2(face_from_jpeg(portrait_jpeg, sex=_sex(mrz_lines))),
        **(extra_data_groups or {}),
    }
    aa_private_key = None
    if active_authentication:
        key = aa.new_key()
        data_groups[14] = aa.build_dg14()
        data_groups[15] = aa.build_dg15(key.public_key())
        aa_private_key = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    seed = key_seed(MrzKey.from_mrz_lines(mrz_lines).information())
    return assemble_chip(
        data_groups,
        signer,
        bac_key_seed=seed,
        signed_at=signed_at,
        lds_version=lds_version,
        hash_algorithm=hash_algorithm,
        aa_private_key=aa_private_key,
    )
