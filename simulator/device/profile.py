"""A virtual phone saved to one file: where its server is, the app configuration, its keychain.

The command line runs one SDK operation per process, so everything the next command needs lives in
this file: the Enrollment Server URL, the isolation session, the application configuration and the
device storage (activation, protected keys, counter, named tokens).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.device.powerauth_sdk import DeviceStorage, PowerAuthConfig, PowerAuthSDK, StorageError

PROFILE_FORMAT = 1


@dataclass(slots=True)
class PhoneProfile:
    """Everything one virtual phone keeps between command-line invocations."""

    enrollment_url: str
    config: PowerAuthConfig
    storage: DeviceStorage = field(default_factory=DeviceStorage)
    session: str | None = None

    def sdk(self) -> PowerAuthSDK:
        """An SDK over this phone's storage (the storage object is shared, so changes persist)."""
        return PowerAuthSDK(self.config, self.storage, self.enrollment_url, session=self.session)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROFILE_FORMAT,
            "enrollmentUrl": self.enrollment_url,
            "session": self.session,
            "config": self.config.to_json(),
            "storage": self.storage.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> PhoneProfile:
        if not isinstance(obj, dict) or obj.get("format") != PROFILE_FORMAT:
            raise StorageError(f"phone file must be a JSON object with format {PROFILE_FORMAT}")
        url, session = obj.get("enrollmentUrl"), obj.get("session")
        if not isinstance(url, str) or (session is not None and not isinstance(session, str)):
            raise StorageError("phone file needs a string enrollmentUrl (and session, when present)")
        config = PowerAuthConfig.from_json(obj.get("config"))
        return cls(url, config, DeviceStorage.from_json(obj.get("storage")), session)

    def save(self, path: Path) -> None:
        """Write atomically, so an interrupted command never leaves half a phone."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> PhoneProfile:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StorageError(f"cannot read phone file {path}: {exc}") from exc
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StorageError(f"phone file {path} is not JSON: {exc}") from exc
        return cls.from_json(obj)
