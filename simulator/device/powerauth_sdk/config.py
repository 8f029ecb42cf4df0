"""What a mobile app is configured with: application key and secret, master public key, version.

The values come from the PowerAuth Server's application detail, either as three separate values or
as Wultra's single Base64 "mobile SDK config" string. The protocol version is selectable so that
the same phone can exercise a server in 3.3 (the current SDK) or in 3.2/3.1 compatibility mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.sdk_config import SdkConfig
from simulator.powerauth.versions import ProtocolVersion

from .errors import InvalidConfigError

#: Versions the device speaks. 3.0 (decimal signatures, zero-IV ECIES, no status challenge) is a
#: legacy branch the current SDK no longer emits.
SUPPORTED_VERSIONS = (ProtocolVersion.V3_1, ProtocolVersion.V3_2, ProtocolVersion.V3_3)
DEFAULT_VERSION = ProtocolVersion.V3_3


def parse_device_version(value: str | ProtocolVersion) -> ProtocolVersion:
    """A protocol version the device supports, or :class:`InvalidConfigError`."""
    try:
        version = ProtocolVersion(value)
    except ValueError:
        version = None
    if version not in SUPPORTED_VERSIONS:
        allowed = ", ".join(v.value for v in SUPPORTED_VERSIONS)
        raise InvalidConfigError(f"protocol version {value!r} is not supported by the device (use {allowed})")
    return version


@dataclass(frozen=True, slots=True)
class PowerAuthConfig:
    """Application identity on the device; validated on construction so later code can trust it."""

    application_key: str
    application_secret: str
    master_public_key: bytes
    version: ProtocolVersion = DEFAULT_VERSION

    def __post_init__(self) -> None:
        for name in ("application_key", "application_secret"):
            try:
                b64decode(getattr(self, name), what=name.replace("_", " "), length=16)
            except PowerAuthError as exc:
                raise InvalidConfigError(str(exc)) from exc
        if not isinstance(self.master_public_key, bytes):
            raise InvalidConfigError("master public key must be bytes (a SEC1 P-256 point)")
        try:
            public_key_from_bytes(self.master_public_key)
        except PowerAuthError as exc:
            raise InvalidConfigError(f"master public key: {exc}") from exc
        object.__setattr__(self, "version", parse_device_version(self.version))

    @property
    def master_key(self) -> ec.EllipticCurvePublicKey:
        """The master public key as a key object."""
        return public_key_from_bytes(self.master_public_key)

    @classmethod
    def from_values(
        cls,
        application_key: str,
        application_secret: str,
        master_public_key_b64: str,
        version: str | ProtocolVersion = DEFAULT_VERSION,
    ) -> PowerAuthConfig:
        """Build from the three Base64 strings the server's application detail shows."""
        try:
            master = b64decode(master_public_key_b64, what="master public key")
        except PowerAuthError as exc:
            raise InvalidConfigError(str(exc)) from exc
        return cls(application_key, application_secret, master, parse_device_version(version))

    @classmethod
    def from_sdk_config(cls, text: str, version: str | ProtocolVersion = DEFAULT_VERSION) -> PowerAuthConfig:
        """Build from the single Base64 ``mobileSdkConfig`` string."""
        try:
            parsed = SdkConfig.decode(text)
        except PowerAuthError as exc:
            raise InvalidConfigError(f"mobile SDK config: {exc}") from exc
        return cls(
            parsed.application_key, parsed.application_secret, parsed.master_public_key,
            parse_device_version(version),
        )

    def to_sdk_config(self) -> str:
        """The single Base64 configuration string for these values."""
        return SdkConfig(self.application_key, self.application_secret, self.master_public_key).encode()

    def to_json(self) -> dict[str, Any]:
        """JSON form (a phone's profile file keeps it next to the device storage)."""
        return {
            "applicationKey": self.application_key,
            "applicationSecret": self.application_secret,
            "masterPublicKey": b64encode(self.master_public_key),
            "version": self.version.value,
        }

    @classmethod
    def from_json(cls, obj: Any) -> PowerAuthConfig:
        """Inverse of :meth:`to_json`; anything malformed is an :class:`InvalidConfigError`."""
        if not isinstance(obj, dict):
            raise InvalidConfigError("configuration must be a JSON object")
        values = [obj.get(name) for name in ("applicationKey", "applicationSecret", "masterPublicKey")]
        key, secret, master = values
        if not (isinstance(key, str) and isinstance(secret, str) and isinstance(master, str)):
            raise InvalidConfigError("configuration needs applicationKey, applicationSecret, masterPublicKey")
        version = obj.get("version", DEFAULT_VERSION.value)
        if not isinstance(version, str):
            raise InvalidConfigError("configuration version must be a string")
        return cls.from_values(key, secret, master, version)
