"""A chip image: the files of the LDS1 application and the BAC key seed, serializable so a phone can carry it.

The seed (SHA-1 of the MRZ information, truncated) is what a real chip stores instead of the MRZ; keeping
it rather than the MRZ lets a forged image hold a seed that no longer matches its DG1.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from simulator.identity.chip.errors import ChipImageError
from simulator.identity.chip.lds import EF_COM_FID, EF_SOD_FID, dg_fid, fid_to_dg

FORMAT = "emrtd-chip-image/1"
SEED_LENGTH = 16


@dataclass(frozen=True)
class ChipImage:
    """File identifier -> file bytes, the 16-byte BAC key seed and, for AA chips, the chip's private key.

    The AA key is kept as PKCS#8 DER so the image stays plain data; a clone is an image whose key differs.
    """

    files: Mapping[int, bytes]
    bac_key_seed: bytes
    aa_private_key: bytes | None = None

    def __post_init__(self) -> None:
        if len(self.bac_key_seed) != SEED_LENGTH:
            raise ChipImageError(f"BAC key seed has {len(self.bac_key_seed)} bytes, expected {SEED_LENGTH}")
        files: dict[int, bytes] = {}
        for fid, data in self.files.items():
            if not 0 <= fid <= 0xFFFF:
                raise ChipImageError(f"file identifier {fid} is not two bytes")
            files[fid] = bytes(data)
        object.__setattr__(self, "files", files)

    @property
    def ef_com(self) -> bytes | None:
        """EF.COM bytes, if present."""
        return self.files.get(EF_COM_FID)

    @property
    def ef_sod(self) -> bytes | None:
        """EF.SOD bytes, if present."""
        return self.files.get(EF_SOD_FID)

    def data_groups(self) -> dict[int, bytes]:
        """Data-group number -> file bytes for every DG file on the chip."""
        out: dict[int, bytes] = {}
        for fid, data in self.files.items():
            number = fid_to_dg(fid)
            if number is not None:
                out[number] = data
        return dict(sorted(out.items()))

    def data_group(self, number: int) -> bytes | None:
        """One data-group file, if present."""
        return self.files.get(dg_fid(number))

    def with_file(self, fid: int, data: bytes) -> ChipImage:
        """A copy with one file added or replaced."""
        return replace(self, files={**self.files, fid: data})

    def with_seed(self, seed: bytes) -> ChipImage:
        """A copy answering BAC for another key seed."""
        return replace(self, bac_key_seed=seed)

    def with_aa_key(self, private_key_der: bytes | None) -> ChipImage:
        """A copy holding another Active Authentication private key (PKCS#8 DER), or none."""
        return replace(self, aa_private_key=private_key_der)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: format tag, hex seed, base64 files keyed by 4-hex-digit file identifier."""
        out: dict[str, Any] = {
            "format": FORMAT,
            "bac_key_seed": self.bac_key_seed.hex(),
            "files": {f"{fid:04X}": _b64(data) for fid, data in sorted(self.files.items())},
        }
        if self.aa_private_key is not None:
            out["aa_private_key"] = _b64(self.aa_private_key)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChipImage:
        """Inverse of `to_dict`; `ChipImageError` on anything unexpected."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ChipImageError(f"not a chip image of format {FORMAT}")
        files = data.get("files")
        seed = data.get("bac_key_seed")
        aa_key = data.get("aa_private_key")
        if not isinstance(files, Mapping) or not isinstance(seed, str):
            raise ChipImageError("chip image needs a 'files' object and a 'bac_key_seed' string")
        try:
            decoded = {
                int(fid, 16): base64.b64decode(content, validate=True) for fid, content in files.items()
            }
            key = base64.b64decode(aa_key, validate=True) if aa_key is not None else None
            return cls(decoded, bytes.fromhex(seed), key)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise ChipImageError(f"chip image field is not valid hex/base64: {exc}") from exc

    def to_json(self) -> str:
        """Serialized image."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ChipImage:
        """Inverse of `to_json`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ChipImageError(f"chip image is not JSON: {exc}") from exc
        return cls.from_dict(data)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
