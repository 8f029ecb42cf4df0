"""ECIES round trips for every version and encryptor, and the typed errors on bad input."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.ecies import (
    EciesContext,
    EciesDecryptor,
    EciesEncryptor,
    EciesRequest,
    EciesResponse,
    EciesScope,
    EncryptorId,
    dumps_compact,
    loads_json_object,
)
from simulator.powerauth.errors import (
    EciesError,
    EciesFormatError,
    EciesKeyError,
    EciesMacError,
    EciesReplayError,
    InvalidKeyError,
)
from simulator.powerauth.keys import generate_private_key, public_key_to_bytes
from simulator.powerauth.replay import InMemoryReplayGuard
from simulator.powerauth.versions import ProtocolVersion

APP_KEY = "GlnZarYuYxQf9XNQYcKSvA=="
APP_SECRET = "X4Y+OoARCjZ3il+ogr67+w=="
ACTIVATION_ID = "27b1692e-b467-4708-9ad1-c84eec83fc0a"
TRANSPORT_KEY = bytes(range(16))
TEMP_KEY_ID = "61376bfb-9988-423b-93d7-9678f1915965"
SERVER_KEY = generate_private_key()

EXPECTED_SH1 = {
    EncryptorId.APPLICATION_SCOPE_GENERIC: b"/pa/generic/application",
    EncryptorId.ACTIVATION_LAYER_2: b"/pa/activation",
    EncryptorId.ACTIVATION_SCOPE_GENERIC: b"/pa/generic/activation",
    EncryptorId.UPGRADE: b"/pa/upgrade",
    EncryptorId.VAULT_UNLOCK: b"/pa/vault/unlock",
    EncryptorId.CREATE_TOKEN: b"/pa/token/create",
    EncryptorId.CONFIRM_RECOVERY_CODE: b"/pa/recovery/confirm",
}


def make_context(
    base_version: ProtocolVersion, base_encryptor: EncryptorId, **overrides: Any
) -> EciesContext:
    """A valid context for the version and encryptor; ``overrides`` replace single fields."""
    activation = base_encryptor.scope is EciesScope.ACTIVATION
    values: dict[str, Any] = {
        "version": base_version,
        "encryptor_id": base_encryptor,
        "application_key": APP_KEY,
        "application_secret": APP_SECRET,
        "activation_id": ACTIVATION_ID if activation else None,
        "transport_key": TRANSPORT_KEY if activation else None,
        "temporary_key_id": TEMP_KEY_ID if base_version is ProtocolVersion.V3_3 else None,
    }
    values.update(overrides)
    return EciesContext(**values)


def exchange(context: EciesContext, plaintext: bytes) -> tuple[EciesEncryptor, EciesDecryptor, EciesRequest]:
    encryptor = EciesEncryptor(context, SERVER_KEY.public_key())
    request = encryptor.encrypt_request(plaintext)
    wire = EciesRequest.from_json(request.to_json(), context.version)
    return encryptor, EciesDecryptor(context, SERVER_KEY), wire


def test_shared_info1_constants() -> None:
    assert {eid: eid.shared_info1 for eid in EncryptorId} == EXPECTED_SH1
    assert EncryptorId.ACTIVATION_LAYER_2.scope is EciesScope.APPLICATION
    assert EncryptorId.VAULT_UNLOCK.scope is EciesScope.ACTIVATION


def test_kdf_info_has_version_prefix_from_3_2() -> None:
    eph = b"\x02" + bytes(32)
    assert make_context(ProtocolVersion.V3_1, EncryptorId.UPGRADE).kdf_info(eph) == b"/pa/upgrade" + eph
    assert make_context(ProtocolVersion.V3_3, EncryptorId.UPGRADE).kdf_info(eph) == b"3.3/pa/upgrade" + eph


def test_associated_data_layout() -> None:
    app = make_context(ProtocolVersion.V3_2, EncryptorId.APPLICATION_SCOPE_GENERIC)
    assert app.associated_data() == b"\x00\x00\x00\x033.2" + b"\x00\x00\x00\x18" + APP_KEY.encode()
    act = make_context(ProtocolVersion.V3_3, EncryptorId.ACTIVATION_SCOPE_GENERIC)
    assert act.associated_data() == (
        b"\x00\x00\x00\x033.3"
        + b"\x00\x00\x00\x18"
        + APP_KEY.encode()
        + b"\x00\x00\x00\x24"
        + ACTIVATION_ID.encode()
        + b"\x00\x00\x00\x24"
        + TEMP_KEY_ID.encode()
    )
    assert make_context(ProtocolVersion.V3_1, EncryptorId.APPLICATION_SCOPE_GENERIC).associated_data() is None


@settings(max_examples=60, deadline=None)
@given(
    version=st.sampled_from(list(ProtocolVersion)),
    encryptor_id=st.sampled_from(list(EncryptorId)),
    request_plain=st.binary(max_size=300),
    response_plain=st.binary(max_size=300),
    compressed=st.booleans(),
)
def test_round_trip_every_version_and_encryptor(
    version: ProtocolVersion,
    encryptor_id: EncryptorId,
    request_plain: bytes,
    response_plain: bytes,
    compressed: bool,
) -> None:
    context = make_context(version, encryptor_id)
    encryptor = EciesEncryptor(context, public_key_to_bytes(SERVER_KEY.public_key()), compressed)
    request = encryptor.encrypt_request(request_plain)
    assert len(request.ephemeral_public_key) == (33 if compressed else 65)
    wire_request = EciesRequest.from_json(request.to_json(), version)
    assert wire_request == request
    decryptor = EciesDecryptor(context, SERVER_KEY, replay_guard=InMemoryReplayGuard())
    assert decryptor.decrypt_request(wire_request) == request_plain
    response = decryptor.encrypt_response(response_plain)
    wire_response = EciesResponse.from_json(response.to_json(), version)
    assert encryptor.decrypt_response(wire_response) == response_plain
    if version.has_timestamp:
        assert response.nonce != request.nonce
    else:
        assert response.nonce is None and response.timestamp is None


@pytest.mark.parametrize("version", list(ProtocolVersion))
def test_wire_fields_per_version(version: ProtocolVersion) -> None:
    context = make_context(version, EncryptorId.APPLICATION_SCOPE_GENERIC)
    _, decryptor, request = exchange(context, b"{}")
    fields = set(request.to_json())
    expected = {"ephemeralPublicKey", "encryptedData", "mac"}
    if version.has_request_nonce:
        expected.add("nonce")
    if version.has_timestamp:
        expected.add("timestamp")
    if version.has_temporary_key:
        expected.add("temporaryKeyId")
    assert fields == expected
    decryptor.decrypt_request(request)
    response_fields = set(decryptor.encrypt_response(b"{}").to_json())
    assert response_fields == (
        {"encryptedData", "mac", "nonce", "timestamp"}
        if version.has_timestamp
        else {
            "encryptedData",
            "mac",
        }
    )


def test_envelope_key_is_the_same_on_both_sides() -> None:
    context = make_context(ProtocolVersion.V3_3, EncryptorId.CREATE_TOKEN)
    encryptor, decryptor, request = exchange(context, b"{}")
    assert decryptor.derive_envelope_key(request.ephemeral_public_key) == encryptor.envelope_key
    # The ES role: a decryptor built from the envelope key alone.
    assert encryptor.envelope_key is not None
    es = EciesDecryptor.with_envelope_key(context, encryptor.envelope_key.secret)
    assert es.decrypt_request(request) == b"{}"


# --- negative cases -----------------------------------------------------------------------------


def test_tampered_mac_and_data() -> None:
    context = make_context(ProtocolVersion.V3_2, EncryptorId.APPLICATION_SCOPE_GENERIC)
    _, decryptor, request = exchange(context, b"secret")
    bad_mac = dataclasses.replace(request, mac=bytes([request.mac[0] ^ 1]) + request.mac[1:])
    with pytest.raises(EciesMacError):
        decryptor.decrypt_request(bad_mac)
    bad_data = dataclasses.replace(request, encrypted_data=bytes(16) + request.encrypted_data[16:])
    with pytest.raises(EciesMacError):
        EciesDecryptor(context, SERVER_KEY).decrypt_request(bad_data)
    bad_ts = dataclasses.replace(request, timestamp=(request.timestamp or 0) + 1)
    with pytest.raises(EciesMacError):
        EciesDecryptor(context, SERVER_KEY).decrypt_request(bad_ts)


def test_tampered_response() -> None:
    context = make_context(ProtocolVersion.V3_1, EncryptorId.ACTIVATION_SCOPE_GENERIC)
    encryptor, decryptor, request = exchange(context, b"x")
    decryptor.decrypt_request(request)
    response = decryptor.encrypt_response(b"y")
    with pytest.raises(EciesMacError):
        encryptor.decrypt_response(dataclasses.replace(response, mac=bytes(32)))


@pytest.mark.parametrize(
    "server_overrides",
    [
        {"encryptor_id": EncryptorId.APPLICATION_SCOPE_GENERIC},  # other sh1, same scope
        {
            "encryptor_id": EncryptorId.ACTIVATION_SCOPE_GENERIC,
            "activation_id": ACTIVATION_ID,
            "transport_key": TRANSPORT_KEY,
        },  # other scope
        {"application_secret": "AAAAAAAAAAAAAAAAAAAAAA=="},  # other sharedInfo2
        {"application_key": "AAAAAAAAAAAAAAAAAAAAAA=="},  # other associated data
        {"temporary_key_id": "other-key"},
    ],
    ids=["sh1", "scope", "sh2-secret", "ad-appkey", "ad-temp-key"],
)
def test_wrong_scope_or_shared_info_fails_mac(server_overrides: dict[str, Any]) -> None:
    client = make_context(ProtocolVersion.V3_3, EncryptorId.ACTIVATION_LAYER_2)
    server = make_context(ProtocolVersion.V3_3, EncryptorId.ACTIVATION_LAYER_2, **server_overrides)
    request = EciesEncryptor(client, SERVER_KEY.public_key()).encrypt_request(b"{}")
    if "temporary_key_id" in server_overrides:
        request = dataclasses.replace(request, temporary_key_id="other-key")
    with pytest.raises(EciesMacError):
        EciesDecryptor(server, SERVER_KEY).decrypt_request(request)


def test_wrong_recipient_key_fails_mac() -> None:
    context = make_context(ProtocolVersion.V3_0, EncryptorId.APPLICATION_SCOPE_GENERIC)
    request = EciesEncryptor(context, SERVER_KEY.public_key()).encrypt_request(b"{}")
    with pytest.raises(EciesMacError):
        EciesDecryptor(context, generate_private_key()).decrypt_request(request)


def _wire(version: ProtocolVersion) -> dict[str, Any]:
    context = make_context(version, EncryptorId.APPLICATION_SCOPE_GENERIC)
    return EciesEncryptor(context, SERVER_KEY.public_key()).encrypt_request(b"{}").to_json()


@pytest.mark.parametrize(
    ("version", "mutate", "message"),
    [
        (ProtocolVersion.V3_2, lambda w: w.pop("nonce"), "nonce.*required"),
        (ProtocolVersion.V3_2, lambda w: w.pop("timestamp"), "timestamp.*required"),
        (ProtocolVersion.V3_3, lambda w: w.pop("temporaryKeyId"), "temporaryKeyId.*required"),
        (ProtocolVersion.V3_2, lambda w: w.update(temporaryKeyId="x"), "temporaryKeyId.*not allowed"),
        (ProtocolVersion.V3_1, lambda w: w.update(timestamp=1), "timestamp.*not allowed"),
        (
            ProtocolVersion.V3_0,
            lambda w: w.update(nonce=base64.b64encode(bytes(16)).decode()),
            "nonce.*not allowed",
        ),
        (ProtocolVersion.V3_1, lambda w: w.pop("nonce"), "nonce.*required"),
        (ProtocolVersion.V3_2, lambda w: w.update(timestamp="soon"), "timestamp"),
        (ProtocolVersion.V3_2, lambda w: w.update(timestamp=True), "timestamp"),
        (ProtocolVersion.V3_2, lambda w: w.update(mac="!!notbase64"), "mac.*Base64"),
        (ProtocolVersion.V3_2, lambda w: w.update(mac=w["mac"][:20]), "mac"),
        (ProtocolVersion.V3_2, lambda w: w.update(encryptedData="AAAA"), "multiple of 16"),
        (ProtocolVersion.V3_2, lambda w: w.update(encryptedData=""), "encryptedData"),
        (ProtocolVersion.V3_2, lambda w: w.pop("ephemeralPublicKey"), "ephemeralPublicKey"),
        (ProtocolVersion.V3_2, lambda w: w.update(nonce="AAAA"), "16 bytes"),
    ],
    ids=[
        "3.2-missing-nonce",
        "3.2-missing-timestamp",
        "3.3-missing-temporaryKeyId",
        "3.2-extra-temporaryKeyId",
        "3.1-extra-timestamp",
        "3.0-extra-nonce",
        "3.1-missing-nonce",
        "timestamp-not-number",
        "timestamp-bool",
        "mac-bad-base64",
        "mac-truncated",
        "data-truncated",
        "data-empty",
        "missing-ephemeral-key",
        "nonce-wrong-length",
    ],
)
def test_request_field_rules(version: ProtocolVersion, mutate: Any, message: str) -> None:
    wire = _wire(version)
    mutate(wire)
    with pytest.raises(EciesFormatError, match=message):
        EciesRequest.from_json(wire, version)


def test_request_must_be_object_and_version_known() -> None:
    with pytest.raises(EciesFormatError):
        EciesRequest.from_json(["not", "an", "object"], "3.2")
    with pytest.raises(EciesFormatError, match="unsupported protocol version"):
        EciesRequest.from_json(_wire(ProtocolVersion.V3_2), "2.1")


@pytest.mark.parametrize(
    ("version", "mutate", "message"),
    [
        (ProtocolVersion.V3_2, lambda w: w.pop("nonce"), "nonce.*required"),
        (ProtocolVersion.V3_3, lambda w: w.pop("timestamp"), "timestamp.*required"),
        (ProtocolVersion.V3_1, lambda w: w.update(nonce=base64.b64encode(bytes(16)).decode()), "not allowed"),
        (ProtocolVersion.V3_0, lambda w: w.update(timestamp=5), "not allowed"),
    ],
    ids=["3.2-no-nonce", "3.3-no-timestamp", "3.1-nonce", "3.0-timestamp"],
)
def test_response_field_rules(version: ProtocolVersion, mutate: Any, message: str) -> None:
    context = make_context(version, EncryptorId.APPLICATION_SCOPE_GENERIC)
    _, decryptor, request = exchange(context, b"{}")
    decryptor.decrypt_request(request)
    wire = decryptor.encrypt_response(b"{}").to_json()
    mutate(wire)
    with pytest.raises(EciesFormatError, match=message):
        EciesResponse.from_json(wire, version)


def test_decryptor_rejects_request_parsed_for_another_version() -> None:
    context = make_context(ProtocolVersion.V3_3, EncryptorId.APPLICATION_SCOPE_GENERIC)
    request = EciesEncryptor(context, SERVER_KEY.public_key()).encrypt_request(b"{}")
    with pytest.raises(EciesFormatError, match="temporaryKeyId"):
        EciesDecryptor(context, SERVER_KEY).decrypt_request(
            dataclasses.replace(request, temporary_key_id=None)
        )
    older = make_context(ProtocolVersion.V3_1, EncryptorId.APPLICATION_SCOPE_GENERIC)
    with pytest.raises(EciesFormatError, match="timestamp"):
        EciesDecryptor(older, SERVER_KEY).decrypt_request(dataclasses.replace(request, temporary_key_id=None))


@pytest.mark.parametrize(
    "point",
    [b"\x04" + bytes(64), b"\x02" + b"\xff" * 32, b"\x04" + b"\x01" * 64],
    ids=["zero-point", "x-too-large", "off-curve"],
)
def test_invalid_ephemeral_point(point: bytes) -> None:
    context = make_context(ProtocolVersion.V3_2, EncryptorId.APPLICATION_SCOPE_GENERIC)
    _, decryptor, request = exchange(context, b"{}")
    with pytest.raises(EciesKeyError) as info:
        decryptor.decrypt_request(dataclasses.replace(request, ephemeral_public_key=point))
    assert isinstance(info.value, InvalidKeyError) and isinstance(info.value, EciesError)


def test_invalid_ephemeral_length_on_the_wire() -> None:
    wire = _wire(ProtocolVersion.V3_2)
    wire["ephemeralPublicKey"] = base64.b64encode(bytes(20)).decode()
    with pytest.raises(EciesKeyError):
        EciesRequest.from_json(wire, "3.2")


def test_invalid_recipient_key() -> None:
    context = make_context(ProtocolVersion.V3_2, EncryptorId.APPLICATION_SCOPE_GENERIC)
    with pytest.raises(EciesKeyError):
        EciesEncryptor(context, b"\x04" + bytes(64)).encrypt_request(b"{}")


@pytest.mark.parametrize(
    "overrides",
    [
        {"temporary_key_id": None},
        {"encryptor_id": EncryptorId.VAULT_UNLOCK, "activation_id": None, "transport_key": TRANSPORT_KEY},
        {"encryptor_id": EncryptorId.VAULT_UNLOCK, "activation_id": ACTIVATION_ID, "transport_key": bytes(3)},
        {"version": "4.0"},
        {"application_secret": ""},
    ],
    ids=["3.3-without-temp-key", "activation-without-id", "short-transport-key", "version-4", "no-secret"],
)
def test_context_validation(overrides: dict[str, Any]) -> None:
    with pytest.raises(EciesFormatError):
        make_context(ProtocolVersion.V3_3, EncryptorId.APPLICATION_SCOPE_GENERIC, **overrides)


def test_replay_guard_rejects_duplicate_and_future() -> None:
    now = 1_700_000_000_000
    guard = InMemoryReplayGuard(clock=lambda: now)
    context = make_context(ProtocolVersion.V3_2, EncryptorId.APPLICATION_SCOPE_GENERIC)
    request = EciesEncryptor(context, SERVER_KEY.public_key(), clock=lambda: now).encrypt_request(b"{}")
    assert EciesDecryptor(context, SERVER_KEY, replay_guard=guard).decrypt_request(request) == b"{}"
    with pytest.raises(EciesReplayError, match="already used"):
        EciesDecryptor(context, SERVER_KEY, replay_guard=guard).decrypt_request(request)
    future = EciesEncryptor(context, SERVER_KEY.public_key(), clock=lambda: now + 60_001).encrypt_request(
        b"{}"
    )
    with pytest.raises(EciesReplayError, match="future"):
        EciesDecryptor(context, SERVER_KEY, replay_guard=guard).decrypt_request(future)
    old = EciesEncryptor(context, SERVER_KEY.public_key(), clock=lambda: now - 10**9).encrypt_request(b"{}")
    assert EciesDecryptor(context, SERVER_KEY, replay_guard=guard).decrypt_request(old) == b"{}"


def test_custom_replay_hook_sees_nonce_and_timestamp() -> None:
    seen: list[tuple[bytes, int, str]] = []

    def hook(ephemeral: bytes, nonce: bytes, timestamp: int, identifier: str) -> None:
        seen.append((nonce, timestamp, identifier))

    context = make_context(ProtocolVersion.V3_3, EncryptorId.VAULT_UNLOCK)
    request = EciesEncryptor(context, SERVER_KEY.public_key()).encrypt_request(b"{}")
    EciesDecryptor(context, SERVER_KEY, replay_guard=hook).decrypt_request(request)
    assert seen == [(request.nonce, request.timestamp, ACTIVATION_ID)]


def test_one_exchange_per_object() -> None:
    context = make_context(ProtocolVersion.V3_2, EncryptorId.APPLICATION_SCOPE_GENERIC)
    encryptor = EciesEncryptor(context, SERVER_KEY.public_key())
    with pytest.raises(EciesFormatError):
        encryptor.decrypt_response(EciesResponse(bytes(16), bytes(32), bytes(16), 1))
    encryptor.encrypt_request(b"{}")
    with pytest.raises(EciesFormatError):
        encryptor.encrypt_request(b"{}")
    with pytest.raises(EciesFormatError):
        EciesDecryptor(context, SERVER_KEY).encrypt_response(b"{}")


def test_json_helpers() -> None:
    assert dumps_compact({"a": 1, "b": "č"}) == '{"a":1,"b":"č"}'.encode()
    assert loads_json_object(b'{"a":1}') == {"a": 1}
    for bad in [b"[1]", b"\xff", b"{"]:
        with pytest.raises(EciesFormatError):
            loads_json_object(bad)


def test_forged_request_does_not_burn_a_nonce() -> None:
    guard = InMemoryReplayGuard()
    context = make_context(ProtocolVersion.V3_3, EncryptorId.APPLICATION_SCOPE_GENERIC)
    request = EciesEncryptor(context, SERVER_KEY.public_key()).encrypt_request(b"{}")
    with pytest.raises(EciesMacError):
        EciesDecryptor(context, SERVER_KEY, replay_guard=guard).decrypt_request(
            dataclasses.replace(request, mac=bytes(32))
        )
    assert len(guard) == 0
    assert EciesDecryptor(context, SERVER_KEY, replay_guard=guard).decrypt_request(request) == b"{}"
