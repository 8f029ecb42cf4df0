"""The single Base64 "mobile SDK config" string (application key, secret, master public key).

Layout: ``0x01 ‖ cnt ‖ appKey16 ‖ cnt ‖ appSecret16 ‖ cnt(1) ‖ 0x01 ‖ cnt ‖ masterPub65`` where
``cnt`` is a compact length (1 byte up to 0x7F, 2 bytes ``0x80|hi`` up to 0x3FFF, else 4 bytes
``0xC0|…``). Sharing it lets the device be configured from the server's application detail.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import InvalidKeyError, SdkConfigError
from simulator.powerauth.keys import public_key_from_bytes, public_key_to_bytes

CONFIG_VERSION = 0x01
KEY_TYPE_MASTER_P256 = 0x01


def _count(value: int) -> bytes:
    if value <= 0x7F:
        return bytes([value])
    if value <= 0x3FFF:
        return bytes([0x80 | (value >> 8), value & 0xFF])
    if value <= 0x3FFFFFFF:
        return (0xC0000000 | value).to_bytes(4, "big")
    raise SdkConfigError("length too large for the compact count")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise SdkConfigError("SDK config is truncated")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def count(self) -> int:
        first = self.take(1)[0]
        if first <= 0x7F:
            return first
        if first & 0xC0 == 0x80:
            return ((first & 0x3F) << 8) | self.take(1)[0]
        return int.from_bytes(bytes([first & 0x3F]) + self.take(3), "big")

    def blob(self) -> bytes:
        return self.take(self.count())


@dataclass(frozen=True, slots=True)
class SdkConfig:
    """What a mobile app is configured with."""

    application_key: str
    application_secret: str
    master_public_key: bytes

    def encode(self) -> str:
        """The Base64 configuration string."""
        app_key = b64decode(self.application_key, what="application key", error=SdkConfigError)
        app_secret = b64decode(self.application_secret, what="application secret", error=SdkConfigError)
        out = bytes([CONFIG_VERSION]) + _count(len(app_key)) + app_key + _count(len(app_secret)) + app_secret
        out += (
            _count(1)
            + bytes([KEY_TYPE_MASTER_P256])
            + _count(len(self.master_public_key))
            + self.master_public_key
        )
        return b64encode(out)

    @classmethod
    def decode(cls, text: str) -> SdkConfig:
        """Parse a configuration string; anything malformed raises :class:`SdkConfigError`."""
        reader = _Reader(b64decode(text, what="SDK config", error=SdkConfigError))
        if reader.take(1)[0] != CONFIG_VERSION:
            raise SdkConfigError("unsupported SDK config version")
        app_key, app_secret = reader.blob(), reader.blob()
        if len(app_key) != 16 or len(app_secret) != 16:
            raise SdkConfigError("application key and secret must be 16 bytes each")
        if reader.count() < 1:
            raise SdkConfigError("SDK config has no server keys")
        if reader.take(1)[0] != KEY_TYPE_MASTER_P256:
            raise SdkConfigError("unknown server key type in SDK config")
        master = reader.blob()
        try:
            public_key_from_bytes(master)
        except InvalidKeyError as exc:
            raise SdkConfigError(f"master public key is invalid: {exc}") from exc
        return cls(b64encode(app_key), b64encode(app_secret), master)

    @classmethod
    def from_keys(
        cls, application_key: str, application_secret: str, master_public_key: ec.EllipticCurvePublicKey
    ) -> SdkConfig:
        """Build from live keys (the server emits the master key uncompressed)."""
        return cls(application_key, application_secret, public_key_to_bytes(master_public_key))
