"""3DES secure messaging (Doc 9303-11 §9.8): protect and unprotect APDUs on both ends of the link.

One `SecureChannel` holds the session keys and the send-sequence counter; the reader uses
`protect_command`/`unprotect_response`, the chip `unprotect_command`/`protect_response`. Each call moves the
counter by one, exactly as the two parties do, so a skipped or replayed APDU shows up as a MAC failure.
"""

from __future__ import annotations

import hmac

from simulator.identity.chip.apdu import CommandApdu, ResponseApdu
from simulator.identity.chip.bac import KeyPair, Session
from simulator.identity.chip.errors import ApduError, SecureMessagingError, TlvError
from simulator.identity.chip.tdes import pad, retail_mac, tdes_decrypt, tdes_encrypt, unpad
from simulator.identity.chip.tlv import decode_all, encode_tlv

SM_CLA = 0x0C
DO_CRYPTOGRAM = 0x87
DO_LE = 0x97
DO_STATUS = 0x99
DO_MAC = 0x8E
PADDING_INDICATOR = b"\x01"
_SSC_MODULUS = 1 << 64


class SecureChannel:
    """Session keys plus the 8-byte send-sequence counter shared by reader and chip."""

    def __init__(self, keys: KeyPair, ssc: int) -> None:
        self.keys = keys
        self.ssc = ssc

    @classmethod
    def from_session(cls, session: Session) -> SecureChannel:
        """Start secure messaging with the keys and SSC that BAC produced."""
        return cls(session.keys, session.ssc)

    @property
    def ssc_bytes(self) -> bytes:
        """The counter as the 8 bytes that enter each MAC."""
        return self.ssc.to_bytes(8, "big")

    def _next(self) -> bytes:
        self.ssc = (self.ssc + 1) % _SSC_MODULUS
        return self.ssc_bytes

    def _encrypted_do(self, data: bytes) -> bytes:
        return encode_tlv(DO_CRYPTOGRAM, PADDING_INDICATOR + tdes_encrypt(self.keys.enc, pad(data)))

    def _decrypt_do(self, value: bytes) -> bytes:
        if not value.startswith(PADDING_INDICATOR):
            raise SecureMessagingError("DO87 does not start with the padding-method indicator 01")
        return unpad(tdes_decrypt(self.keys.enc, value[1:]))

    # reader side

    def protect_command(self, command: CommandApdu) -> CommandApdu:
        """Wrap a plain command: masked class byte, DO87 (data), DO97 (Le), DO8E (MAC)."""
        header = bytes([command.cla | SM_CLA, command.ins, command.p1, command.p2])
        objects = b""
        if command.data:
            objects += self._encrypted_do(command.data)
        if command.le is not None:
            le = command.le
            size = 1 if le <= 0x100 else 2
            objects += encode_tlv(DO_LE, (le % (1 << (8 * size))).to_bytes(size, "big"))
        mac = retail_mac(self.keys.mac, self._next() + pad(header) + objects)
        body = objects + encode_tlv(DO_MAC, mac)
        le_out = 0x100 if len(body) <= 0xFF else 0x10000
        return CommandApdu(header[0], header[1], header[2], header[3], body, le_out)

    def unprotect_response(self, raw: bytes) -> ResponseApdu:
        """Check the response MAC over SSC || DO87 || DO99, decrypt DO87; the inner status word wins."""
        outer = ResponseApdu.parse(raw)
        objects = _split_objects(outer.data)
        expected = retail_mac(self.keys.mac, self._next() + objects.authenticated)
        if objects.mac is None:
            raise SecureMessagingError(f"response without DO8E (status word {outer.sw:04X})")
        if not hmac.compare_digest(objects.mac, expected):
            raise SecureMessagingError("response MAC does not verify")
        if objects.status is None or len(objects.status) != 2:
            raise SecureMessagingError("response without a two-byte DO99 status")
        data = self._decrypt_do(objects.cryptogram) if objects.cryptogram is not None else b""
        return ResponseApdu(data, int.from_bytes(objects.status, "big"))

    # chip side

    def unprotect_command(self, command: CommandApdu) -> CommandApdu:
        """Verify a protected command's MAC and recover the plain command it carries."""
        if command.cla & SM_CLA != SM_CLA:
            raise SecureMessagingError(f"class byte {command.cla:02X} does not announce secure messaging")
        objects = _split_objects(command.data)
        header = bytes([command.cla, command.ins, command.p1, command.p2])
        expected = retail_mac(self.keys.mac, self._next() + pad(header) + objects.authenticated)
        if objects.mac is None:
            raise SecureMessagingError("protected command without DO8E")
        if not hmac.compare_digest(objects.mac, expected):
            raise SecureMessagingError("command MAC does not verify")
        data = self._decrypt_do(objects.cryptogram) if objects.cryptogram is not None else b""
        le = None
        if objects.le is not None:
            if len(objects.le) not in (1, 2):
                raise SecureMessagingError(f"DO97 of {len(objects.le)} bytes")
            le = int.from_bytes(objects.le, "big") or (0x100 if len(objects.le) == 1 else 0x10000)
        try:
            return CommandApdu(command.cla & ~SM_CLA & 0xFF, command.ins, command.p1, command.p2, data, le)
        except ApduError as exc:
            raise SecureMessagingError(f"protected command carries an invalid APDU: {exc}") from exc

    def protect_response(self, response: ResponseApdu) -> bytes:
        """Wrap a plain response: DO87 (data), DO99 (status), DO8E (MAC), then the same status word."""
        objects = self._encrypted_do(response.data) if response.data else b""
        objects += encode_tlv(DO_STATUS, response.sw.to_bytes(2, "big"))
        mac = retail_mac(self.keys.mac, self._next() + objects)
        return objects + encode_tlv(DO_MAC, mac) + response.sw.to_bytes(2, "big")


class _Objects:
    """The SM data objects of one APDU body and the bytes their MAC covers."""

    def __init__(self) -> None:
        self.cryptogram: bytes | None = None
        self.le: bytes | None = None
        self.status: bytes | None = None
        self.mac: bytes | None = None
        self.authenticated = b""


def _split_objects(body: bytes) -> _Objects:
    try:
        items = decode_all(body)
    except TlvError as exc:
        raise SecureMessagingError(f"secure-messaging data objects are malformed: {exc}") from exc
    objects = _Objects()
    for position, item in enumerate(items):
        if item.tag == DO_MAC:
            if position != len(items) - 1 or len(item.value) != 8:
                raise SecureMessagingError("DO8E must be the last object and hold 8 bytes")
            objects.mac = item.value
            continue
        if item.tag == DO_CRYPTOGRAM:
            objects.cryptogram = item.value
        elif item.tag == DO_LE:
            objects.le = item.value
        elif item.tag == DO_STATUS:
            objects.status = item.value
        else:
            raise SecureMessagingError(f"unexpected secure-messaging data object {item.tag:X}")
        objects.authenticated += item.encode()
    return objects
