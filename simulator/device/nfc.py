"""The phone's NFC reader: opens an eMRTD chip with the BAC key from the MRZ the camera scanned and
reads DG1, DG2 (and any other data group BAC opens) and EF.SOD.

The phone does not verify what it read: passive authentication is the server's job (it holds the
trusted CSCA list; the device's word is never trusted). The phone only refuses what it cannot use —
a chip that rejects the key, a broken read (and, when asked, a DG1 that disagrees with the MRZ it
scanned) — with typed errors, and hands the raw files on as :class:`ChipEvidence` (``EF.COM``,
``DG1.bin``, ``DG2.bin``, ``EF.SOD``, Base64-encoded for a JSON upload).

The chip is anything with ``transceive(apdu) -> response`` (:class:`simulator.identity.chip.chip.
VirtualChip`, or a wrapper injecting faults). :func:`person_chip` is the chip in a synthetic person's
passport or ID card, issued by a given document signer, for personas and tests.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from simulator.identity.chip.aa import CHALLENGE as AA_CHALLENGE_LENGTH
from simulator.identity.chip.chip import RandomSource, VirtualChip
from simulator.identity.chip.errors import (
    BacError,
    ChipError,
    ChipImageError,
    ChipStatusError,
    LdsError,
    MrzKeyError,
)
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.lds import parse_dg1, portrait_from_dg2
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import DocumentSigner
from simulator.identity.chip.reader import ChipRead, ChipReader
from simulator.identity.documents.render import id_card_data, passport_data
from simulator.identity.faces.render import portrait_jpeg
from simulator.identity.mrz import td1_lines, td3_lines
from simulator.identity.people import Person

__all__ = [
    "ChipAccessError",
    "ChipEvidence",
    "ChipMismatchError",
    "ChipReadError",
    "NfcError",
    "NfcReader",
    "person_chip",
]

Transceive = Callable[[bytes], bytes]


class NfcError(Exception):
    """Base class of every NFC reader error."""


class ChipAccessError(NfcError):
    """The chip refused BAC with the key from the scanned MRZ (or the MRZ yields no key)."""


class ChipReadError(NfcError):
    """The chip was opened but a read failed or returned files the phone cannot use."""


class ChipMismatchError(NfcError):
    """The chip's DG1 is not the MRZ the camera scanned: another document's chip, or a tampered one."""


@dataclass(frozen=True, slots=True)
class ChipEvidence:
    """What the phone read from the chip, as it read it."""

    read: ChipRead
    mrz_lines: tuple[str, ...]
    portrait_jpeg: bytes

    def matches(self, mrz_lines: Sequence[str]) -> bool:
        """Whether DG1 holds exactly ``mrz_lines`` (the MRZ printed on the document)."""
        return list(self.mrz_lines) == [line.strip() for line in mrz_lines]

    def files(self) -> dict[str, bytes]:
        """File name -> bytes (``EF.COM``, ``DG1.bin``, ``DG2.bin`` …, ``EF.SOD``)."""
        return self.read.files()

    def to_json(self) -> dict[str, str]:
        """File name -> Base64, the JSON form an upload carries (AA answer included when run)."""
        return self.read.to_dict()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChipEvidence:
        """Inverse of :meth:`to_json` (DG1 and DG2 must be present and parse)."""
        try:
            return _evidence(ChipRead.from_dict(data))
        except ChipImageError as exc:
            raise ChipReadError(str(exc)) from exc


def _evidence(read: ChipRead) -> ChipEvidence:
    if read.dg1 is None or read.dg2 is None:
        raise ChipReadError("the chip did not give DG1 and DG2")
    try:
        lines = tuple(parse_dg1(read.dg1))
        portrait = portrait_from_dg2(read.dg2)
    except (LdsError, ChipError) as exc:
        raise ChipReadError(f"DG1/DG2 do not parse: {exc}") from exc
    return ChipEvidence(read, lines, portrait)


class NfcReader:
    """The phone's NFC reader. ``rng`` feeds BAC's terminal nonces (injectable for replays)."""

    def __init__(self, *, rng: RandomSource = os.urandom) -> None:
        self._rng = rng

    def read(
        self,
        chip: VirtualChip | Transceive,
        mrz_lines: Sequence[str],
        *,
        require_match: bool = False,
        aa_challenge: bytes | None = None,
    ) -> ChipEvidence:
        """Open ``chip`` with the key from ``mrz_lines`` (as scanned) and read it.

        By default the phone passes on whatever the chip holds, as a real app does (the server's
        passive authentication judges it); with ``require_match`` a DG1 that is not exactly the
        scanned MRZ raises :class:`ChipMismatchError`.
        """
        try:
            key = MrzKey.from_mrz_lines(mrz_lines)
        except MrzKeyError as exc:
            raise ChipAccessError(f"no BAC key in the scanned MRZ: {exc}") from exc
        evidence = self.read_with_key(chip, key, aa_challenge=aa_challenge)
        if require_match and not evidence.matches(mrz_lines):
            raise ChipMismatchError("the chip's DG1 differs from the scanned MRZ")
        return evidence

    def read_with_key(
        self, chip: VirtualChip | Transceive, key: MrzKey, *, aa_challenge: bytes | None = None
    ) -> ChipEvidence:
        """Open ``chip`` with a BAC key typed in (document number, birth and expiry dates) and read it.

        A chip with DG15 is asked to sign a challenge (Active Authentication): ``aa_challenge`` when the
        verifier handed one out (8 bytes, so the answer cannot have been recorded earlier), else a
        random one.
        """
        if aa_challenge is not None and len(aa_challenge) != AA_CHALLENGE_LENGTH:
            raise ValueError(f"an Active Authentication challenge has {AA_CHALLENGE_LENGTH} bytes")
        transceive = chip.transceive if isinstance(chip, VirtualChip) else chip
        if isinstance(chip, VirtualChip):
            chip.reset()  # a new NFC session: the chip forgets any earlier secure channel
        try:
            reader = ChipReader(transceive, rng=self._rng)
            read = reader.read(key)
            if aa_challenge is not None and 15 in read.data_groups:
                read = replace(read, aa_challenge=aa_challenge,
                               aa_signature=reader.active_authenticate(aa_challenge))
        except BacError as exc:
            raise ChipAccessError(f"the chip refused the access key: {exc}") from exc
        except ChipStatusError as exc:
            raise ChipReadError(f"chip answered status {exc.status_word:04X}: {exc}") from exc
        except ChipError as exc:
            raise ChipReadError(f"chip read failed: {exc}") from exc
        return _evidence(read)


def person_chip(
    person: Person,
    signer: DocumentSigner,
    *,
    document: str = "PASSPORT",
    signed_at: dt.datetime | None = None,
    portrait: bytes | None = None,
    active_authentication: bool = False,
) -> VirtualChip:
    """The chip in ``person``'s ``PASSPORT`` or ``ID_CARD``, personalised and signed by ``signer``.

    DG1 holds the document's MRZ, DG2 the holder's portrait (or ``portrait``), EF.SOD is signed at
    ``signed_at`` (default: one day before now).
    """
    lines: Sequence[str]
    if document == "PASSPORT":
        lines = td3_lines(passport_data(person).mrz)
    elif document == "ID_CARD":
        lines = td1_lines(id_card_data(person).mrz)
    else:
        raise ValueError(f"no chip in document {document!r} (PASSPORT or ID_CARD)")
    when = signed_at or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    image = issue_chip(
        list(lines),
        portrait if portrait is not None else portrait_jpeg(person.client_number),
        signer,
        signed_at=when,
        active_authentication=active_authentication,
    )
    return VirtualChip(image)
