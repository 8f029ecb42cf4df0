"""A virtual eMRTD chip answering ISO/IEC 7816-4 APDUs: SELECT, GET CHALLENGE, BAC, SM-protected reads
and, when it holds a key, INTERNAL AUTHENTICATE (Active Authentication).

Access state machine: nothing selected -> eMRTD application selected -> challenge issued -> BAC done, all
further commands under 3DES secure messaging. Any plain command after BAC, or a protected command whose MAC
fails, ends the session (the reader must authenticate again), as real chips do. Randomness is injectable so
the Doc 9303-11 Appendix D example can be replayed.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.identity.chip import aa
from simulator.identity.chip.apdu import CommandApdu, Ins, ResponseApdu, StatusWord, status
from simulator.identity.chip.bac import KEY_MATERIAL, NONCE, KeyPair, chip_response
from simulator.identity.chip.errors import ApduError, BacError, ChipImageError, SecureMessagingError
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.lds import EAC_PROTECTED_DGS, fid_to_dg
from simulator.identity.chip.sm import SM_CLA, SecureChannel

EMRTD_AID = bytes.fromhex("A0000002471001")
#: Largest plaintext one protected READ BINARY answers, so the SM response fits a short APDU.
MAX_SM_READ = 0xE7
_SELECT_BY_AID = 0x04
_SELECT_EF = 0x02
_SHORT_EF_FLAG = 0x80

RandomSource = Callable[[int], bytes]


class VirtualChip:
    """One chip built from a `ChipImage`; `transceive` takes and returns raw APDU bytes."""

    def __init__(self, image: ChipImage, *, rng: RandomSource = os.urandom) -> None:
        self.image = image
        self._keys = KeyPair.from_seed(image.bac_key_seed)
        self._aa_key = _load_aa_key(image.aa_private_key)
        self._rng = rng
        self.reset()

    def reset(self) -> None:
        """Field off and on again: forget selection, challenge and session."""
        self._app_selected = False
        self._challenge: bytes | None = None
        self._channel: SecureChannel | None = None
        self._current: int | None = None

    @property
    def authenticated(self) -> bool:
        """Whether a BAC session with secure messaging is open."""
        return self._channel is not None

    def transceive(self, apdu: bytes) -> bytes:
        """Process one command APDU and return the response APDU bytes."""
        try:
            command = CommandApdu.parse(apdu)
        except ApduError:
            return status(StatusWord.WRONG_LENGTH)
        if command.cla & SM_CLA == SM_CLA:
            return self._secure(command)
        if command.cla != 0x00:
            return status(StatusWord.CLA_NOT_SUPPORTED)
        if self._channel is not None:
            # A plain command ends secure messaging; only re-selecting the application is then allowed.
            self._channel = None
            self._current = None
        return self._plain(command).to_bytes()

    def _plain(self, command: CommandApdu) -> ResponseApdu:
        if command.ins == Ins.SELECT:
            if command.p1 == _SELECT_BY_AID:
                return self._select_application(command)
            if not self._app_selected:
                return _sw(StatusWord.FILE_NOT_FOUND)
            return _sw(StatusWord.SECURITY_STATUS_NOT_SATISFIED)
        if command.ins in (Ins.READ_BINARY, Ins.INTERNAL_AUTHENTICATE):
            return _sw(StatusWord.SECURITY_STATUS_NOT_SATISFIED)
        if command.ins == Ins.GET_CHALLENGE:
            return self._get_challenge(command)
        if command.ins == Ins.EXTERNAL_AUTHENTICATE:
            return self._external_authenticate(command)
        return _sw(StatusWord.INS_NOT_SUPPORTED)

    def _select_application(self, command: CommandApdu) -> ResponseApdu:
        if command.data != EMRTD_AID:
            return _sw(StatusWord.FILE_NOT_FOUND)
        self._app_selected = True
        self._challenge = None
        self._current = None
        return _sw(StatusWord.OK)

    def _get_challenge(self, command: CommandApdu) -> ResponseApdu:
        if not self._app_selected:
            return _sw(StatusWord.CONDITIONS_NOT_SATISFIED)
        if command.le != NONCE or command.data:
            return _sw(StatusWord.WRONG_LENGTH)
        self._challenge = self._rng(NONCE)
        return ResponseApdu(self._challenge, StatusWord.OK)

    def _external_authenticate(self, command: CommandApdu) -> ResponseApdu:
        challenge, self._challenge = self._challenge, None  # one attempt per challenge
        if challenge is None:
            return _sw(StatusWord.CONDITIONS_NOT_SATISFIED)
        if len(command.data) != 40:
            return _sw(StatusWord.WRONG_LENGTH)
        try:
            answer, session = chip_response(self._keys, command.data, challenge, self._rng(KEY_MATERIAL))
        except BacError:
            return _sw(StatusWord.AUTHENTICATION_FAILED)
        self._channel = SecureChannel.from_session(session)
        return ResponseApdu(answer, StatusWord.OK)

    def _secure(self, command: CommandApdu) -> bytes:
        channel = self._channel
        if channel is None:
            return status(StatusWord.SECURITY_STATUS_NOT_SATISFIED)
        try:
            inner = channel.unprotect_command(command)
        except SecureMessagingError:
            self._channel = None
            self._current = None
            return status(StatusWord.SM_DATA_INCORRECT)
        return channel.protect_response(self._inside(inner))

    def _inside(self, command: CommandApdu) -> ResponseApdu:
        if command.ins == Ins.SELECT:
            return self._select_file(command)
        if command.ins == Ins.READ_BINARY:
            return self._read_binary(command)
        if command.ins == Ins.INTERNAL_AUTHENTICATE and self._aa_key is not None:
            if len(command.data) != aa.CHALLENGE:
                return _sw(StatusWord.WRONG_LENGTH)
            return ResponseApdu(aa.sign_challenge(self._aa_key, command.data), StatusWord.OK)
        return _sw(StatusWord.INS_NOT_SUPPORTED)

    def _open(self, fid: int) -> StatusWord:
        if fid not in self.image.files:
            return StatusWord.FILE_NOT_FOUND
        if fid_to_dg(fid) in EAC_PROTECTED_DGS:
            return StatusWord.SECURITY_STATUS_NOT_SATISFIED
        self._current = fid
        return StatusWord.OK

    def _select_file(self, command: CommandApdu) -> ResponseApdu:
        if command.p1 == _SELECT_BY_AID:
            return self._select_application(command)
        if command.p1 != _SELECT_EF:
            return _sw(StatusWord.WRONG_P1_P2)
        if len(command.data) != 2:
            return _sw(StatusWord.WRONG_LENGTH)
        return _sw(self._open(int.from_bytes(command.data, "big")))

    def _read_binary(self, command: CommandApdu) -> ResponseApdu:
        if command.p1 & _SHORT_EF_FLAG:
            if command.p1 & 0x60:
                return _sw(StatusWord.WRONG_P1_P2)
            opened = self._open(0x0100 | (command.p1 & 0x1F))
            if opened != StatusWord.OK:
                return _sw(opened)
            offset = command.p2
        else:
            offset = (command.p1 << 8) | command.p2
        if self._current is None:
            return _sw(StatusWord.NO_CURRENT_EF)
        if command.le is None:
            return _sw(StatusWord.WRONG_LENGTH)
        content = self.image.files[self._current]
        if offset > len(content):
            return _sw(StatusWord.OFFSET_OUTSIDE_FILE)
        wanted = min(command.le, MAX_SM_READ)
        chunk = content[offset : offset + wanted]
        short = len(chunk) < wanted and offset + len(chunk) == len(content)
        return ResponseApdu(chunk, StatusWord.END_OF_FILE if short else StatusWord.OK)


def _load_aa_key(der: bytes | None) -> ec.EllipticCurvePrivateKey | None:
    if der is None:
        return None
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ChipImageError(f"chip image AA key is not a PKCS#8 private key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ChipImageError("chip image AA key must be an EC key")
    return key


def _sw(word: StatusWord) -> ResponseApdu:
    return ResponseApdu(b"", word)
