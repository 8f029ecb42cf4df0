"""The two-layer activation exchange between the device and server roles."""

from __future__ import annotations

import dataclasses
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.activation import (
    ActivationLayer1Request,
    ActivationLayer2Request,
    ActivationLayer2Response,
    ActivationRecovery,
    ActivationType,
    DeviceActivation,
    ServerActivation,
    activation_contexts,
)
from simulator.powerauth.activation_code import (
    generate_activation_code,
    new_activation_id,
    sign_activation_code,
)
from simulator.powerauth.ecies import EciesDecryptor, EciesRequest, EciesResponse, dumps_compact
from simulator.powerauth.errors import (
    ActivationError,
    ActivationSignatureError,
    EciesFormatError,
    EciesMacError,
    EciesReplayError,
    InvalidActivationCodeError,
)
from simulator.powerauth.keys import DerivedKeys, generate_private_key, public_key_to_bytes
from simulator.powerauth.replay import InMemoryReplayGuard
from simulator.powerauth.versions import ProtocolVersion

APP_KEY = "GlnZarYuYxQf9XNQYcKSvA=="
APP_SECRET = "X4Y+OoARCjZ3il+ogr67+w=="
MASTER = generate_private_key()
TEMP = generate_private_key()


def _setup(version: ProtocolVersion) -> tuple[DeviceActivation, ServerActivation]:
    temp_id = "5b8b4c5e-3d0a-4a8e-9d6a-0b5a2f1f3c11" if version is ProtocolVersion.V3_3 else None
    recipient = TEMP if temp_id else MASTER
    device = DeviceActivation(version, APP_KEY, APP_SECRET, recipient.public_key(), temp_id)
    server = ServerActivation(version, APP_KEY, APP_SECRET, recipient, temp_id, InMemoryReplayGuard())
    return device, server


@pytest.mark.parametrize("version", list(ProtocolVersion))
def test_full_exchange(version: ProtocolVersion) -> None:
    device, server = _setup(version)
    code = generate_activation_code()
    signature = sign_activation_code(code, MASTER)
    request = device.build_request(
        code,
        activation_signature=signature,
        master_public_key=MASTER.public_key(),
        activation_name="My phone",
        platform="android",
        device_info="Pixel 9",
        activation_otp="12345678",
        custom_attributes={"channel": "app"},
    )
    wire = json.loads(json.dumps(request.to_json()))
    layer1, layer2 = server.open_request(EciesRequest.from_json(wire, version))
    assert layer1.type is ActivationType.CODE and layer1.identity_attributes == {"code": code}
    assert layer1.custom_attributes == {"channel": "app"}
    assert layer2.activation_name == "My phone" and layer2.platform == "android"
    assert layer2.activation_otp == "12345678" and layer2.device_info == "Pixel 9"
    assert layer2.device_public_key == public_key_to_bytes(
        device.device_private_key.public_key(), compressed=True
    )

    activation_id = new_activation_id()
    recovery = ActivationRecovery("AAAAA-AAAAA-AAAAA-AAAAA", "0123456789")
    result = server.respond(
        activation_id=activation_id, activation_recovery=recovery, user_info={"sub": "u1"}
    )
    response = EciesResponse.from_json(json.loads(json.dumps(result.response.to_json())), version)
    done = device.process_response(response)

    assert done.activation_id == activation_id
    assert done.ctr_data == result.ctr_data and len(done.ctr_data) == 16
    assert done.keys == result.keys
    assert done.keys == DerivedKeys.from_key_pair(
        result.server_private_key, device.device_private_key.public_key()
    )
    assert done.fingerprint == result.fingerprint and len(done.fingerprint) == 8
    assert done.activation_recovery == recovery and done.user_info == {"sub": "u1"}


def test_split_roles_es_and_pas() -> None:
    """The enrollment server opens layer 1; the PowerAuth server opens layer 2 separately."""
    version = ProtocolVersion.V3_3
    device, es = _setup(version)
    _, pas = _setup(version)
    request = device.build_request(generate_activation_code())
    layer1 = es.open_layer1(request)
    pas.open_layer2(layer1.activation_data)
    server_key = generate_private_key()
    inner = pas.respond_layer2(
        activation_id=new_activation_id(), server_private_key=server_key, ctr_data=bytes(16)
    )
    outer = es.respond_layer1(inner.response)
    done = device.process_response(outer)
    assert done.ctr_data == bytes(16)
    assert done.server_public_key.public_numbers() == server_key.public_key().public_numbers()


def test_custom_activation_type() -> None:
    device, server = _setup(ProtocolVersion.V3_2)
    request = device.build_request(
        activation_type=ActivationType.CUSTOM, identity_attributes={"username": "joe", "password": "x"}
    )
    layer1, _ = server.open_request(request)
    assert layer1.type is ActivationType.CUSTOM and layer1.identity_attributes["username"] == "joe"
    with pytest.raises(ActivationError):
        device.build_request(activation_type=ActivationType.CUSTOM, identity_attributes={})


def test_device_rejects_bad_code_and_signature() -> None:
    device, _ = _setup(ProtocolVersion.V3_3)
    with pytest.raises(InvalidActivationCodeError):
        device.build_request("AAAAA-AAAAA-AAAAA-AAAAB")
    with pytest.raises(ActivationError):
        device.build_request(None)
    code = generate_activation_code()
    forged = sign_activation_code(code, generate_private_key())
    with pytest.raises(ActivationSignatureError):
        device.build_request(code, activation_signature=forged, master_public_key=MASTER.public_key())
    with pytest.raises(ActivationError, match="master public key"):
        device.build_request(code, activation_signature=forged)


def test_layer1_field_is_type() -> None:
    version = ProtocolVersion.V3_2
    device, _ = _setup(version)
    ctx1, _ctx2 = activation_contexts(version, APP_KEY, APP_SECRET, None)
    request = device.build_request(generate_activation_code())
    plain = EciesDecryptor(ctx1, MASTER).decrypt_request(request)
    body = json.loads(plain)
    assert body["type"] == "CODE" and "activationType" not in body
    assert set(body["activationData"]) == {"ephemeralPublicKey", "encryptedData", "mac", "nonce", "timestamp"}


def test_server_rejects_tampered_and_replayed_requests() -> None:
    device, server = _setup(ProtocolVersion.V3_3)
    request = device.build_request(generate_activation_code())
    with pytest.raises(EciesMacError):
        server.open_layer1(dataclasses.replace(request, mac=bytes(32)))
    server.open_request(request)
    _, again = _setup(ProtocolVersion.V3_3)
    again.replay_guard = server.replay_guard
    with pytest.raises(EciesReplayError):
        again.open_layer1(request)


def test_server_rejects_wrong_temporary_key_id() -> None:
    device, server = _setup(ProtocolVersion.V3_3)
    request = device.build_request(generate_activation_code())
    with pytest.raises(EciesFormatError, match="temporaryKeyId"):
        server.open_layer1(dataclasses.replace(request, temporary_key_id="other"))


def _server_reply(server: ServerActivation, layer2_plain: dict, version: ProtocolVersion) -> EciesResponse:
    assert server._layer2 is not None
    inner = server._layer2.encrypt_response(dumps_compact(layer2_plain))
    return server.respond_layer1(inner)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(ctrData="AAAA"),
        lambda p: p.pop("ctrData"),
        lambda p: p.update(serverPublicKey="BAAA"),
        lambda p: p.update(activationId="not-a-uuid"),
        lambda p: p.pop("activationId"),
    ],
    ids=["short-ctr", "no-ctr", "bad-server-key", "bad-activation-id", "no-activation-id"],
)
def test_device_rejects_bad_layer2_response(mutate) -> None:  # type: ignore[no-untyped-def]
    version = ProtocolVersion.V3_2
    device, server = _setup(version)
    server.open_request(device.build_request(generate_activation_code()))
    good = ActivationLayer2Response(
        new_activation_id(), public_key_to_bytes(generate_private_key().public_key()), bytes(16)
    ).to_json()
    mutate(good)
    with pytest.raises(ActivationError):
        device.process_response(_server_reply(server, good, version))


def test_payload_parsers_reject_garbage() -> None:
    for parse in (ActivationLayer2Request.from_json, ActivationLayer2Response.from_json):
        with pytest.raises(ActivationError, match="JSON object"):
            parse(["not", "an", "object"])
    with pytest.raises(ActivationError, match="JSON object"):
        ActivationLayer1Request.from_json("text", "3.3")
    with pytest.raises(ActivationError):
        ActivationLayer2Request.from_json({"devicePublicKey": "BAAA"})
    with pytest.raises(ActivationError):
        ActivationLayer2Request.from_json({"devicePublicKey": 5})
    with pytest.raises(ActivationError):
        ActivationLayer1Request.from_json({"type": "QR", "identityAttributes": {"code": "x"}}, "3.3")
    with pytest.raises(ActivationError):
        ActivationLayer1Request.from_json({"type": "CODE", "identityAttributes": {}}, "3.3")
    with pytest.raises(ActivationError):
        ActivationLayer1Request.from_json({"type": "CODE", "identityAttributes": {"code": "x"}}, "3.3")


def test_order_of_calls_is_enforced() -> None:
    device, server = _setup(ProtocolVersion.V3_1)
    with pytest.raises(ActivationError):
        device.process_response(EciesResponse(bytes(16), bytes(32)))
    with pytest.raises(ActivationError):
        server.respond(activation_id=new_activation_id())


def test_uncompressed_device_keys_are_accepted() -> None:
    version = ProtocolVersion.V3_0
    device = DeviceActivation(version, APP_KEY, APP_SECRET, MASTER.public_key(), compressed_keys=False)
    server = ServerActivation(version, APP_KEY, APP_SECRET, MASTER)
    request = device.build_request(generate_activation_code())
    assert len(request.ephemeral_public_key) == 65
    _, layer2 = server.open_request(request)
    assert len(layer2.device_public_key) == 65
    result = server.respond(activation_id=new_activation_id())
    assert device.process_response(result.response).keys == result.keys
    assert isinstance(device.device_private_key, ec.EllipticCurvePrivateKey)
