"""Device storage: JSON round trip (property-based), strict parsing, files and clones."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.device.powerauth_sdk import ActivationData, DeviceStorage, PowerAuthToken, StorageError
from simulator.powerauth.signature import SignatureType
from simulator.powerauth.versions import ProtocolVersion

key16 = st.binary(min_size=16, max_size=16)
activations = st.builds(
    ActivationData,
    activation_id=st.uuids(version=4).map(str),
    version=st.sampled_from(list(ProtocolVersion)),
    fingerprint=st.integers(0, 10**8 - 1).map(lambda n: f"{n:08d}"),
    server_public_key=st.binary(min_size=1, max_size=65),
    device_public_key=st.binary(min_size=1, max_size=65),
    encrypted_device_private_key=st.binary(min_size=1, max_size=48),
    possession_key=key16,
    transport_key=key16,
    knowledge_salt=key16,
    protected_knowledge_key=key16,
    ctr_data=key16,
    ctr_byte=st.integers(0, 255),
    biometry_key=st.none() | key16,
    recovery_code=st.none() | st.text(max_size=30),
    recovery_puk=st.none() | st.text(max_size=10),
)
tokens = st.builds(
    PowerAuthToken,
    token_id=st.text(max_size=40),
    token_secret=key16,
    signature_type=st.sampled_from(list(SignatureType)),
)
storages = st.builds(
    DeviceStorage,
    activation=st.none() | activations,
    tokens=st.dictionaries(st.text(max_size=10), tokens, max_size=3),
)


@given(storages)
def test_json_round_trip(storage: DeviceStorage) -> None:
    text = storage.dumps()
    again = DeviceStorage.loads(text)
    assert again == storage
    assert again.dumps() == text


@given(storages)
def test_clone_is_equal_but_independent(storage: DeviceStorage) -> None:
    clone = storage.clone()
    assert clone == storage
    if clone.activation is not None:
        clone.activation.ctr_byte = (clone.activation.ctr_byte + 1) % 256
        assert clone != storage


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20,
)


@given(json_values | st.fixed_dictionaries({"format": st.just(1), "activation": json_values}))
def test_arbitrary_json_is_a_storage_error_or_a_faithful_storage(value: Any) -> None:
    try:
        parsed = DeviceStorage.from_json(value)
    except StorageError:
        return
    assert parsed.to_json() == {"tokens": {}, **value}  # tokens may be absent (older files)


@given(activations, st.sampled_from(sorted(ActivationData.__slots__)), json_values)
def test_corrupting_any_field_gives_a_storage_error(activation: ActivationData, name: str, junk: Any) -> None:
    obj = DeviceStorage(activation).to_json()
    json_name = "".join(part if i == 0 else part.capitalize() for i, part in enumerate(name.split("_")))
    obj["activation"][json_name] = junk
    try:
        parsed = DeviceStorage.from_json(obj)
    except StorageError:
        return
    # Accepted junk must have been a valid value for that field (e.g. None for an optional one).
    assert parsed.to_json()["activation"][json_name] == junk


def _sample() -> DeviceStorage:
    return DeviceStorage(ActivationData(
        activation_id=str(uuid.uuid4()), version=ProtocolVersion.V3_3, fingerprint="01234567",
        server_public_key=b"\x04" * 65, device_public_key=b"\x02" * 33,
        encrypted_device_private_key=b"e" * 48, possession_key=b"p" * 16, transport_key=b"t" * 16,
        knowledge_salt=b"s" * 16, protected_knowledge_key=b"k" * 16, ctr_data=b"c" * 16,
    ))


def test_save_and_load_a_file(tmp_path: Path) -> None:
    path = tmp_path / "phone.json"
    storage = _sample()
    storage.save(path)
    assert DeviceStorage.load(path) == storage
    assert not (tmp_path / "phone.json.tmp").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "JSON object"),
        ('{"format": 2, "activation": null}', "format"),
    ],
)
def test_malformed_text(text: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        DeviceStorage.loads(text)


def test_wrong_key_length_and_missing_file(tmp_path: Path) -> None:
    obj = _sample().to_json()
    obj["activation"]["possessionKey"] = "AAAA"
    with pytest.raises(StorageError, match="possessionKey"):
        DeviceStorage.loads(json.dumps(obj))
    with pytest.raises(StorageError, match="cannot read"):
        DeviceStorage.load(tmp_path / "missing.json")
