"""The phone's persistent PowerAuth state, as one JSON-serialisable object.

Everything the SDK keeps between app launches lives here and nowhere else, so a test can
"restart the app" (a new SDK object over the same storage), copy a phone (:meth:`DeviceStorage.clone`
or the JSON) to simulate a cloned device, or save it to a file for the command line.

What is kept follows the spec's device-local protection: the knowledge key only under a PIN-derived
key (no padding, so a wrong PIN yields a wrong key that the *server* counts), the device private key
only under the vault key (which the device forgets), and the counter. The real SDK additionally wraps
possession and transport keys in a device-bound key; here the storage object itself stands for the
phone's keychain, so those keys are kept as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.powerauth.activation_code import normalize_activation_id
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.signature import SignatureType
from simulator.powerauth.versions import ProtocolVersion

from .errors import StorageError
from .models import PowerAuthToken

STORAGE_FORMAT = 1

# name in the dataclass -> (JSON name, decoded length or None for any, optional?)
_BYTES_FIELDS: dict[str, tuple[str, int | None, bool]] = {
    "server_public_key": ("serverPublicKey", None, False),
    "device_public_key": ("devicePublicKey", None, False),
    "encrypted_device_private_key": ("encryptedDevicePrivateKey", None, False),
    "possession_key": ("possessionKey", 16, False),
    "transport_key": ("transportKey", 16, False),
    "knowledge_salt": ("knowledgeSalt", 16, False),
    "protected_knowledge_key": ("protectedKnowledgeKey", 16, False),
    "biometry_key": ("biometryKey", 16, True),
    "ctr_data": ("ctrData", 16, False),
}


@dataclass(slots=True)
class ActivationData:
    """One persisted activation: identities, protected keys and the signature counter."""

    activation_id: str
    version: ProtocolVersion
    fingerprint: str
    server_public_key: bytes
    device_public_key: bytes
    encrypted_device_private_key: bytes
    possession_key: bytes
    transport_key: bytes
    knowledge_salt: bytes
    protected_knowledge_key: bytes
    ctr_data: bytes
    ctr_byte: int = 0
    biometry_key: bytes | None = None
    recovery_code: str | None = None
    recovery_puk: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "activationId": self.activation_id,
            "version": self.version.value,
            "fingerprint": self.fingerprint,
        }
        for name, (key, _, _) in _BYTES_FIELDS.items():
            value = getattr(self, name)
            out[key] = None if value is None else b64encode(value)
        out["ctrByte"] = self.ctr_byte
        out["recoveryCode"] = self.recovery_code
        out["recoveryPuk"] = self.recovery_puk
        return out

    @classmethod
    def from_json(cls, obj: Any) -> ActivationData:
        if not isinstance(obj, dict):
            raise StorageError("activation in storage must be a JSON object")
        try:
            activation_id = normalize_activation_id(_text(obj, "activationId"))
            version = ProtocolVersion(_text(obj, "version"))
        except (PowerAuthError, ValueError) as exc:
            raise StorageError(f"storage activation: {exc}") from exc
        fingerprint = _text(obj, "fingerprint")
        if not (len(fingerprint) == 8 and fingerprint.isdigit()):
            raise StorageError("storage fingerprint must be 8 digits")
        values: dict[str, Any] = {}
        for name, (key, length, optional) in _BYTES_FIELDS.items():
            raw = obj.get(key)
            if raw is None and optional:
                values[name] = None
                continue
            if not isinstance(raw, str):
                raise StorageError(f"storage field {key!r} is missing or not a string")
            try:
                values[name] = b64decode(raw, what=f"storage field {key!r}", length=length)
            except PowerAuthError as exc:
                raise StorageError(str(exc)) from exc
        ctr_byte = obj.get("ctrByte")
        if not isinstance(ctr_byte, int) or isinstance(ctr_byte, bool) or not 0 <= ctr_byte <= 0xFF:
            raise StorageError("storage field 'ctrByte' must be an integer 0-255")
        return cls(
            activation_id=activation_id,
            version=version,
            fingerprint=fingerprint,
            ctr_byte=ctr_byte,
            recovery_code=_optional_text(obj, "recoveryCode"),
            recovery_puk=_optional_text(obj, "recoveryPuk"),
            **values,
        )


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise StorageError(f"storage field {key!r} is missing or not a string")
    return value


def _optional_text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise StorageError(f"storage field {key!r} must be a string")
    return value


def _token_to_json(token: PowerAuthToken) -> dict[str, Any]:
    return {
        "tokenId": token.token_id,
        "tokenSecret": b64encode(token.token_secret),
        "signatureType": token.signature_type.value,
    }


def _token_from_json(name: str, raw: Any) -> PowerAuthToken:
    if not isinstance(raw, dict) or not isinstance(raw.get("tokenId"), str):
        raise StorageError(f"stored token {name!r} must be an object with a string tokenId")
    try:
        secret = b64decode(raw.get("tokenSecret", ""), what=f"token {name!r} secret", length=16)
        signature_type = SignatureType.parse(str(raw.get("signatureType")))
    except PowerAuthError as exc:
        raise StorageError(f"stored token {name!r}: {exc}") from exc
    return PowerAuthToken(raw["tokenId"], secret, signature_type)


@dataclass(slots=True)
class DeviceStorage:
    """The phone's PowerAuth keychain: at most one persisted activation and its named tokens."""

    activation: ActivationData | None = None
    tokens: dict[str, PowerAuthToken] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON object (Base64 for bytes)."""
        return {
            "format": STORAGE_FORMAT,
            "activation": None if self.activation is None else self.activation.to_json(),
            "tokens": {name: _token_to_json(token) for name, token in self.tokens.items()},
        }

    @classmethod
    def from_json(cls, obj: Any) -> DeviceStorage:
        """Inverse of :meth:`to_json`; malformed input raises :class:`StorageError`."""
        if not isinstance(obj, dict):
            raise StorageError("device storage must be a JSON object")
        if obj.get("format") != STORAGE_FORMAT:
            raise StorageError(f"device storage format {obj.get('format')!r} is not {STORAGE_FORMAT}")
        raw = obj.get("activation")
        tokens = obj.get("tokens", {})
        if not isinstance(tokens, dict):
            raise StorageError("device storage 'tokens' must be a JSON object")
        return cls(
            None if raw is None else ActivationData.from_json(raw),
            {name: _token_from_json(name, value) for name, value in tokens.items()},
        )

    def dumps(self) -> str:
        """JSON text."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True)

    @classmethod
    def loads(cls, text: str | bytes) -> DeviceStorage:
        """Parse JSON text; not-JSON is a :class:`StorageError` too."""
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StorageError(f"device storage is not JSON: {exc}") from exc
        return cls.from_json(obj)

    def save(self, path: Path) -> None:
        """Write atomically (a crash mid-write must not leave half a keychain)."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.dumps(), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> DeviceStorage:
        """Read a file written by :meth:`save`."""
        try:
            return cls.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise StorageError(f"cannot read device storage {path}: {exc}") from exc

    def clone(self) -> DeviceStorage:
        """An independent deep copy: the storage of a cloned phone."""
        return DeviceStorage.from_json(self.to_json())
