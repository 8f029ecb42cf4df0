"""Typed errors of the PowerAuth protocol core.

Callers (the server mock and the virtual device) map these to wire error codes, so every bad input
must surface as one of these classes and never as an unrelated ``IndexError`` or ``binascii.Error``.
They derive from :class:`ValueError` because each one means "this input is not acceptable".
"""

from __future__ import annotations


class PowerAuthError(ValueError):
    """Base class of every error raised by :mod:`simulator.powerauth`."""


class EncodingError(PowerAuthError):
    """A value is not valid Base64 (or has the wrong decoded length)."""


class CryptoError(PowerAuthError):
    """A low-level primitive got unusable input (wrong key length, bad padding ...)."""


class InvalidKeyError(PowerAuthError):
    """A key is malformed: not a P-256 point, a private scalar out of range, wrong length."""


class InvalidActivationCodeError(PowerAuthError):
    """An activation code is malformed or its CRC-16 does not match."""


class ActivationSignatureError(PowerAuthError):
    """The server's ECDSA signature over an activation code is malformed or does not verify."""


class InvalidActivationIdError(PowerAuthError):
    """An activation ID is not a UUID string of the accepted form."""


class EciesError(PowerAuthError):
    """Base class of ECIES failures."""


class EciesFormatError(EciesError):
    """An ECIES envelope or parameter set is malformed (missing field, field not allowed, bad length)."""


class EciesKeyError(EciesFormatError, InvalidKeyError):
    """An ECIES public key (ephemeral or recipient) is not a valid P-256 point."""


class EciesMacError(EciesError):
    """The ECIES MAC does not match: wrong key, wrong sharedInfo, or tampered data."""


class EciesReplayError(EciesError):
    """The replay guard rejected a request (nonce seen before, or timestamp out of the window)."""


class StatusBlobError(PowerAuthError):
    """An activation status blob has the wrong length, magic or field values."""


class SignatureFormatError(PowerAuthError):
    """A PowerAuth signature string or signature type is malformed."""


class TokenError(PowerAuthError):
    """A token digest input is malformed or its timestamp is out of the allowed window."""


class TemporaryKeyError(PowerAuthError):
    """A 3.3 temporary-key JWT is malformed, wrongly signed, expired or does not match the request."""


class SdkConfigError(PowerAuthError):
    """A mobile SDK configuration string is malformed."""


class VaultError(PowerAuthError):
    """A vault operation (wrapped vault key, encrypted device key) failed."""


class HeaderParseError(PowerAuthError):
    """An ``X-PowerAuth-*`` header is garbage or lacks a required field."""


class ActivationError(PowerAuthError):
    """An activation layer-1/layer-2 payload is malformed or inconsistent."""
