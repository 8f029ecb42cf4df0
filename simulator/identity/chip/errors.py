"""Typed errors of the eMRTD chip toolkit.

Every parser and protocol step raises one of these (never an IndexError or struct.error), so a caller —
the NFC reader of the virtual phone, the mock verifier — can tell a malformed input from a bug.
"""

from __future__ import annotations


class ChipError(Exception):
    """Base class of every error raised by `simulator.identity.chip`."""


class TlvError(ChipError):
    """BER-TLV bytes that are not well formed (bad tag, unsupported length form, trailing bytes)."""


class TlvTruncatedError(TlvError):
    """BER-TLV bytes that end before the tag, the length or the value they announce."""


class ApduError(ChipError):
    """A command or response APDU whose length fields do not match its bytes."""


class MrzKeyError(ChipError):
    """MRZ lines or fields from which no BAC key information can be taken."""


class LdsError(ChipError):
    """An LDS file (EF.COM, DG1, DG2 ...) that cannot be built or parsed."""


class PkiError(ChipError):
    """A certificate, key or trust list that cannot be built, loaded or used."""


class SodError(ChipError):
    """An EF.SOD that cannot be built or parsed as a CMS SignedData over an LDS security object."""


class SecureMessagingError(ChipError):
    """A secure-messaging APDU whose data objects are missing, malformed or carry a wrong MAC."""


class BacError(ChipError):
    """Basic Access Control failed: wrong MRZ key, wrong challenge echo or a bad cryptogram MAC."""


class ChipStatusError(ChipError):
    """The chip answered a command with a status word the reader cannot continue from."""

    def __init__(self, message: str, status_word: int) -> None:
        super().__init__(f"{message} (status word {status_word:04X})")
        self.status_word = status_word


class ChipImageError(ChipError):
    """A serialized chip image that is not in the expected form."""


class ReaderError(ChipError):
    """The reader could not read a file (too large for plain READ BINARY, chip stopped answering data)."""


class ForgeryError(ChipError):
    """A forgery that cannot be applied to the chip given (no DG1 to edit, no AA key to clone around ...)."""
