"""The NFC reader side (the phone): BAC from the MRZ, then SM-protected reads of EF.COM, the DGs and EF.SOD.

It talks to anything with a ``transceive(bytes) -> bytes`` — the in-process `VirtualChip`, or a wrapper
that injects faults — and returns the files exactly as read, for passive authentication elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from simulator.identity.chip import aa, bac
from simulator.identity.chip.apdu import CommandApdu, Ins, ResponseApdu, StatusWord
from simulator.identity.chip.chip import EMRTD_AID, RandomSource
from simulator.identity.chip.errors import (
    BacError,
    ChipImageError,
    ChipStatusError,
    ReaderError,
    TlvTruncatedError,
)
from simulator.identity.chip.lds import EAC_PROTECTED_DGS, EF_COM_FID, EF_SOD_FID, dg_fid, parse_ef_com
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.sm import SecureChannel
from simulator.identity.chip.tlv import total_length

Transceive = Callable[[bytes], bytes]
#: Plain bytes per protected READ BINARY; keeps the SM response inside a short APDU.
DEFAULT_CHUNK = 0xDF
_HEADER_PROBE = 4
_MAX_HEADER = 8
_MAX_OFFSET = 0x7FFF
_AA_CHALLENGE = "AA.challenge"
_AA_SIGNATURE = "AA.signature"


@dataclass(frozen=True)
class ChipRead:
    """Raw files as the reader got them: EF.COM, every readable DG, EF.SOD."""

    ef_com: bytes
    ef_sod: bytes
    data_groups: Mapping[int, bytes] = field(default_factory=dict)
    aa_challenge: bytes | None = None
    aa_signature: bytes | None = None

    @property
    def dg1(self) -> bytes | None:
        """DG1 bytes, if read."""
        return self.data_groups.get(1)

    @property
    def dg2(self) -> bytes | None:
        """DG2 bytes, if read."""
        return self.data_groups.get(2)

    def files(self) -> dict[str, bytes]:
        """File name -> bytes: ``EF.COM``, ``DG1.bin`` ... ``EF.SOD`` (the names uploads use)."""
        named = {"EF.COM": self.ef_com}
        named.update({f"DG{number}.bin": data for number, data in sorted(self.data_groups.items())})
        named["EF.SOD"] = self.ef_sod
        return named

    @classmethod
    def from_files(cls, files: Mapping[str, bytes]) -> ChipRead:
        """Inverse of `files`; `ChipImageError` when EF.COM or EF.SOD is missing or a name is unknown."""
        if "EF.COM" not in files or "EF.SOD" not in files:
            raise ChipImageError("a chip read needs EF.COM and EF.SOD")
        groups: dict[int, bytes] = {}
        for name, data in files.items():
            if name in ("EF.COM", "EF.SOD"):
                continue
            number = name.removeprefix("DG").removesuffix(".bin")
            if not number.isdigit() or not 1 <= int(number) <= 16 or name != f"DG{int(number)}.bin":
                raise ChipImageError(f"unknown chip file name {name!r}")
            groups[int(number)] = bytes(data)
        return cls(bytes(files["EF.COM"]), bytes(files["EF.SOD"]), groups)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: file name -> base64, plus the AA challenge and signature when AA ran."""
        named = self.files()
        if self.aa_challenge is not None and self.aa_signature is not None:
            named = {**named, _AA_CHALLENGE: self.aa_challenge, _AA_SIGNATURE: self.aa_signature}
        return {name: base64.b64encode(data).decode("ascii") for name, data in named.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChipRead:
        """Inverse of `to_dict`."""
        try:
            decoded = {name: base64.b64decode(value, validate=True) for name, value in data.items()}
        except (ValueError, TypeError, binascii.Error) as exc:
            raise ChipImageError(f"chip read holds a value that is not base64: {exc}") from exc
        challenge, signature = decoded.pop(_AA_CHALLENGE, None), decoded.pop(_AA_SIGNATURE, None)
        return replace(cls.from_files(decoded), aa_challenge=challenge, aa_signature=signature)


class ChipReader:
    """Drives one chip: application selection, BAC, secure messaging, chunked file reads."""

    def __init__(
        self, transceive: Transceive, *, rng: RandomSource = os.urandom, chunk: int = DEFAULT_CHUNK
    ) -> None:
        if not 1 <= chunk <= 0xE7:
            raise ReaderError(f"chunk size {chunk} outside 1..231")
        self._transceive = transceive
        self._rng = rng
        self._chunk = chunk
        self._channel: SecureChannel | None = None

    def _plain(self, command: CommandApdu) -> ResponseApdu:
        return ResponseApdu.parse(self._transceive(command.to_bytes()))

    def _secure(self, command: CommandApdu) -> ResponseApdu:
        if self._channel is None:
            raise ReaderError("secure messaging is not established; authenticate first")
        protected = self._channel.protect_command(command)
        raw = self._transceive(protected.to_bytes())
        outer = ResponseApdu.parse(raw)
        if not outer.data and outer.sw != StatusWord.OK:
            self._channel = None
            raise ChipStatusError("chip ended secure messaging", outer.sw)
        return self._channel.unprotect_response(raw)

    def select_application(self) -> None:
        """SELECT the eMRTD application by AID."""
        response = self._plain(CommandApdu(0x00, Ins.SELECT, 0x04, 0x0C, EMRTD_AID))
        if response.sw != StatusWord.OK:
            raise ChipStatusError("eMRTD application not selectable", response.sw)

    def authenticate(self, key: MrzKey) -> None:
        """BAC: GET CHALLENGE, EXTERNAL AUTHENTICATE, check the chip's answer; `BacError` on failure."""
        keys = bac.KeyPair.from_mrz_key(key)
        challenge = self._plain(CommandApdu(0x00, Ins.GET_CHALLENGE, 0x00, 0x00, le=bac.NONCE))
        if challenge.sw != StatusWord.OK or len(challenge.data) != bac.NONCE:
            raise ChipStatusError("GET CHALLENGE did not return an 8-byte challenge", challenge.sw)
        rnd_ifd, k_ifd = self._rng(bac.NONCE), self._rng(bac.KEY_MATERIAL)
        data = bac.terminal_command(keys, challenge.data, rnd_ifd, k_ifd)
        answer = self._plain(CommandApdu(0x00, Ins.EXTERNAL_AUTHENTICATE, 0x00, 0x00, data, 0x28))
        if answer.sw != StatusWord.OK:
            raise BacError(f"chip refused mutual authentication (status word {answer.sw:04X}): wrong key?")
        session = bac.terminal_finish(keys, answer.data, challenge.data, rnd_ifd, k_ifd)
        self._channel = SecureChannel.from_session(session)

    def read_file(self, fid: int) -> bytes:
        """SELECT then READ BINARY: the first bytes for the TLV length, the rest in chunks."""
        selected = self._secure(CommandApdu(0x00, Ins.SELECT, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if selected.sw != StatusWord.OK:
            raise ChipStatusError(f"SELECT of file {fid:04X} failed", selected.sw)
        content = self._read(0, _HEADER_PROBE)
        while True:
            try:
                size = total_length(content)
                break
            except TlvTruncatedError:
                if len(content) >= _MAX_HEADER:
                    raise
                content += self._read(len(content), 2)
        while len(content) < size:
            content += self._read(len(content), min(self._chunk, size - len(content)))
        return content[:size]

    def _read(self, offset: int, length: int) -> bytes:
        if offset > _MAX_OFFSET:
            raise ReaderError(f"offset {offset} is beyond what READ BINARY with a 15-bit offset reaches")
        response = self._secure(CommandApdu(0x00, Ins.READ_BINARY, offset >> 8, offset & 0xFF, le=length))
        if not response.ok:
            raise ChipStatusError(f"READ BINARY at offset {offset} failed", response.sw)
        if not response.data:
            raise ReaderError(f"chip returned no data at offset {offset}")
        return response.data

    def read(self, key: MrzKey) -> ChipRead:
        """Select, authenticate and read EF.COM, every DG it lists that BAC opens, and EF.SOD; when DG15
        is present, run Active Authentication with a fresh challenge and keep the answer."""
        self.select_application()
        self.authenticate(key)
        ef_com = self.read_file(EF_COM_FID)
        groups: dict[int, bytes] = {}
        for number in parse_ef_com(ef_com).data_groups:
            if number in EAC_PROTECTED_DGS:
                continue
            try:
                groups[number] = self.read_file(dg_fid(number))
            except ChipStatusError as exc:
                if exc.status_word != StatusWord.FILE_NOT_FOUND:
                    raise
        ef_sod = self.read_file(EF_SOD_FID)
        if 15 not in groups:
            return ChipRead(ef_com, ef_sod, groups)
        challenge = self._rng(aa.CHALLENGE)
        return ChipRead(ef_com, ef_sod, groups, challenge, self.active_authenticate(challenge))

    def active_authenticate(self, challenge: bytes) -> bytes:
        """INTERNAL AUTHENTICATE under SM; the chip's signature, or empty bytes when it refused."""
        answer = self._secure(CommandApdu(0x00, Ins.INTERNAL_AUTHENTICATE, 0x00, 0x00, challenge, 0x100))
        return answer.data if answer.sw == StatusWord.OK else b""


def read_chip(transceive: Transceive, key: MrzKey, *, rng: RandomSource = os.urandom) -> ChipRead:
    """One-call read of a chip with the access key taken from its MRZ."""
    return ChipReader(transceive, rng=rng).read(key)
