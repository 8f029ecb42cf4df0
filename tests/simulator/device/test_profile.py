"""The phone file of the command line: round trip with tokens, and typed errors on bad files."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.device.powerauth_sdk import (
    DeviceStorage,
    InvalidConfigError,
    PowerAuthConfig,
    PowerAuthToken,
    StorageError,
)
from simulator.device.profile import PhoneProfile
from simulator.powerauth.keys import generate_private_key, public_key_to_bytes
from simulator.powerauth.signature import SignatureType


def _config() -> PowerAuthConfig:
    key, secret = (base64.b64encode(os.urandom(16)).decode() for _ in range(2))
    return PowerAuthConfig(key, secret, public_key_to_bytes(generate_private_key().public_key()))


def test_round_trip_with_tokens(tmp_path: Path) -> None:
    token = PowerAuthToken("t-1", bytes(range(16)), SignatureType.POSSESSION)
    storage = DeviceStorage(tokens={"default": token})
    profile = PhoneProfile("http://127.0.0.1:1/enrollment-server", _config(), storage, "s-1")
    path = tmp_path / "phone.json"
    profile.save(path)
    loaded = PhoneProfile.load(path)
    assert loaded == profile
    assert loaded.sdk().config == profile.config


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda obj: obj.update(format=7), StorageError),
        (lambda obj: obj.update(enrollmentUrl=3), StorageError),
        (lambda obj: obj["storage"].update(tokens={"x": {"tokenId": "t"}}), StorageError),
        (lambda obj: obj["storage"].update(tokens={"x": {"tokenId": "t", "tokenSecret": "AA==",
                                                         "signatureType": "possession"}}), StorageError),
        (lambda obj: obj["storage"].update(tokens={"x": {"tokenId": "t", "tokenSecret": "A" * 22 + "==",
                                                         "signatureType": "nonsense"}}), StorageError),
        (lambda obj: obj["storage"].update(tokens=[]), StorageError),
        (lambda obj: obj["config"].update(applicationKey="nope"), InvalidConfigError),
        (lambda obj: obj.update(storage={"format": 1, "activation": {"activationId": "x"}}), StorageError),
    ],
)
def test_bad_files_give_typed_errors(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], error: type[Exception]
) -> None:
    obj = PhoneProfile("http://h/es", _config()).to_json()
    mutate(obj)
    path = tmp_path / "phone.json"
    path.write_text(json.dumps(obj))
    with pytest.raises(error):
        PhoneProfile.load(path)


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot read"):
        PhoneProfile.load(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_text("{")
    with pytest.raises(StorageError, match="not JSON"):
        PhoneProfile.load(tmp_path / "junk.json")
