"""Typed errors of the virtual phone's PowerAuth SDK.

An app built on the SDK has to tell apart "the user typed a wrong code", "the code was not issued by
our server", "the server (or someone in between) sent garbage" and "the server said no" - so each of
these is its own class, and nothing the network or the storage file delivers may surface as an
unrelated ``KeyError`` or ``binascii.Error``.
"""

from __future__ import annotations


class PowerAuthSdkError(Exception):
    """Base class of every error the device SDK raises."""


class InvalidConfigError(PowerAuthSdkError):
    """The application configuration (key, secret, master public key, version) is unusable."""


class InvalidActivationCodeError(PowerAuthSdkError):
    """The activation code is malformed or its CRC-16 does not match (a typo, a tampered QR code)."""


class ActivationSignatureError(PowerAuthSdkError):
    """The activation code's signature does not verify with the configured master public key."""


class ServerResponseError(PowerAuthSdkError):
    """The server's answer cannot be trusted or understood: bad MAC, bad signature, malformed body."""


class UnreadableStatusError(ServerResponseError):
    """The status blob does not decrypt: the server no longer knows the activation (it answers with
    random bytes then), or the answer was tampered with. Apps treat the activation as unusable."""


class ServerError(PowerAuthSdkError):
    """The server answered with its error envelope (``code`` such as ``ERR_ACTIVATION``)."""

    def __init__(self, code: str, http_status: int, message: str = "") -> None:
        super().__init__(f"{code} (HTTP {http_status}){': ' + message if message else ''}")
        self.code = code
        self.http_status = http_status
        self.message = message


class NetworkError(PowerAuthSdkError):
    """The server could not be reached (connection refused or reset, timeout)."""


class NoActivationError(PowerAuthSdkError):
    """The operation needs an activation (pending or persisted) and the device has none."""


class ActivationStateError(PowerAuthSdkError):
    """The operation does not fit the device's local state (e.g. creating a second activation)."""


class FactorUnavailableError(PowerAuthSdkError):
    """A signature factor cannot be used: knowledge without a PIN, or biometry that was never enabled."""


class StorageError(PowerAuthSdkError):
    """The device storage (JSON) is malformed or from an unknown format version."""
