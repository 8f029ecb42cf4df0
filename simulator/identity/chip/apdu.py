"""ISO/IEC 7816-4 command and response APDUs (short and extended length) and the status words used here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from simulator.identity.chip.errors import ApduError


class StatusWord(IntEnum):
    """Status words a Doc 9303 chip answers with."""

    OK = 0x9000
    END_OF_FILE = 0x6282
    AUTHENTICATION_FAILED = 0x6300
    WRONG_LENGTH = 0x6700
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    CONDITIONS_NOT_SATISFIED = 0x6985
    NO_CURRENT_EF = 0x6986
    SM_DATA_MISSING = 0x6987
    SM_DATA_INCORRECT = 0x6988
    WRONG_DATA = 0x6A80
    FILE_NOT_FOUND = 0x6A82
    WRONG_P1_P2 = 0x6A86
    OFFSET_OUTSIDE_FILE = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00


class Ins(IntEnum):
    """Instruction bytes of the commands the chip knows."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    GET_CHALLENGE = 0x84
    EXTERNAL_AUTHENTICATE = 0x82
    INTERNAL_AUTHENTICATE = 0x88


@dataclass(frozen=True)
class CommandApdu:
    """A command: class, instruction, parameters, optional data and optional expected length (1..65536)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            value = getattr(self, name)
            if not 0 <= value <= 0xFF:
                raise ApduError(f"{name} {value} is not a byte")
        if len(self.data) > 0xFFFF:
            raise ApduError(f"command data of {len(self.data)} bytes exceeds 65535")
        if self.le is not None and not 1 <= self.le <= 0x10000:
            raise ApduError(f"Le {self.le} outside 1..65536")

    @property
    def header(self) -> bytes:
        """CLA INS P1 P2."""
        return bytes([self.cla, self.ins, self.p1, self.p2])

    @property
    def extended(self) -> bool:
        """Whether the APDU needs extended length fields."""
        return len(self.data) > 0xFF or (self.le is not None and self.le > 0x100)

    def to_bytes(self) -> bytes:
        """Encode, choosing short length fields whenever they suffice."""
        out = bytearray(self.header)
        if not self.extended:
            if self.data:
                out += bytes([len(self.data)]) + self.data
            if self.le is not None:
                out.append(self.le & 0xFF)
            return bytes(out)
        out.append(0)
        if self.data:
            out += len(self.data).to_bytes(2, "big") + self.data
        if self.le is not None:
            out += (self.le & 0xFFFF).to_bytes(2, "big")
        return bytes(out)

    @classmethod
    def parse(cls, raw: bytes) -> CommandApdu:
        """Decode any of the ISO cases 1, 2S/3S/4S and 2E/3E/4E; `ApduError` when lengths disagree."""
        if len(raw) < 4:
            raise ApduError(f"a command APDU has at least 4 bytes, got {len(raw)}")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0] or 0x100)
        if body[0] != 0:
            lc = body[0]
            if len(body) == 1 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1:]))
            if len(body) == 2 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1:-1]), body[-1] or 0x100)
            raise ApduError(f"Lc {lc} does not match {len(body) - 1} bytes after it")
        if len(body) == 3:
            return cls(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 0x10000)
        if len(body) < 3:
            raise ApduError("extended length field is cut short")
        lc = int.from_bytes(body[1:3], "big")
        if lc == 0:
            raise ApduError("extended Lc of zero")
        if len(body) == 3 + lc:
            return cls(cla, ins, p1, p2, bytes(body[3:]))
        if len(body) == 5 + lc:
            return cls(cla, ins, p1, p2, bytes(body[3:-2]), int.from_bytes(body[-2:], "big") or 0x10000)
        raise ApduError(f"extended Lc {lc} does not match {len(body) - 3} bytes after it")


@dataclass(frozen=True)
class ResponseApdu:
    """A response: data and the two status bytes as one integer."""

    data: bytes
    sw: int

    def to_bytes(self) -> bytes:
        """Data followed by SW1 SW2."""
        return self.data + self.sw.to_bytes(2, "big")

    @property
    def ok(self) -> bool:
        """9000, or the 6282 end-of-file warning that still carries data."""
        return self.sw in (StatusWord.OK, StatusWord.END_OF_FILE)

    @classmethod
    def parse(cls, raw: bytes) -> ResponseApdu:
        """Split data and status word; `ApduError` when fewer than two bytes arrived."""
        if len(raw) < 2:
            raise ApduError(f"a response APDU has at least 2 bytes, got {len(raw)}")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))


def status(sw: int) -> bytes:
    """A response made of a status word alone."""
    return sw.to_bytes(2, "big")
