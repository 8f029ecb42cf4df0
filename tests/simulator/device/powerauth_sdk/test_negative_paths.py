"""What the phone refuses: tampered codes, foreign signatures, tampered or malformed server answers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from simulator.device.powerauth_sdk import (
    ActivationSignatureError,
    DeviceStorage,
    InvalidActivationCodeError,
    PowerAuthSDK,
    ServerError,
    ServerResponseError,
    UnreadableStatusError,
)
from simulator.powerauth.activation_code import sign_activation_code
from simulator.powerauth.keys import generate_private_key

PIN = "1234"


def _flip_b64_field(body: bytes, name: str, *, inner: bool = False) -> bytes:
    obj = json.loads(body)
    target = obj["responseObject"] if inner else obj
    raw = bytearray(base64.b64decode(target[name]))
    raw[0] ^= 0x01
    target[name] = base64.b64encode(bytes(raw)).decode()
    return json.dumps(obj).encode()


def _sdk(server: Any, version: str = "3.3") -> PowerAuthSDK:
    return PowerAuthSDK(server.config(version), DeviceStorage(), server)


@pytest.mark.parametrize("position", [0, 11, 22])
def test_tampered_code_fails_the_crc_before_anything_is_sent(fake_server: Any, position: int) -> None:
    _, code, _ = fake_server.init_activation()
    replacement = "A" if code[position] != "A" else "B"
    tampered = code[:position] + replacement + code[position + 1 :]
    sdk = _sdk(fake_server)
    with pytest.raises(InvalidActivationCodeError):
        sdk.create_activation(tampered)
    assert fake_server.requests == [] and not sdk.has_pending_activation()


def test_code_signed_by_another_master_key_is_refused(fake_server: Any) -> None:
    _, code, _ = fake_server.init_activation()
    foreign = sign_activation_code(code, generate_private_key())
    sdk = _sdk(fake_server)
    with pytest.raises(ActivationSignatureError):
        sdk.create_activation(code, signature=foreign)
    with pytest.raises(ActivationSignatureError):
        sdk.create_activation(f"{code}#{foreign}")
    with pytest.raises(ActivationSignatureError):
        sdk.create_activation(code, signature="bm90IGEgc2lnbmF0dXJl")
    assert fake_server.requests == []


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
@pytest.mark.parametrize("field", ["mac", "encryptedData"])
def test_activation_answer_with_a_bad_mac_is_refused(fake_server: Any, version: str, field: str) -> None:
    _, code, _ = fake_server.init_activation()
    fake_server.tamper = lambda path, body: (
        _flip_b64_field(body, field) if path == "/pa/v3/activation/create" else body
    )
    sdk = _sdk(fake_server, version)
    with pytest.raises(ServerResponseError, match="MAC"):
        sdk.create_activation(code)
    assert not sdk.has_pending_activation()


def test_temporary_key_signed_by_someone_else_is_refused(fake_server: Any) -> None:
    _, code, _ = fake_server.init_activation()

    def swap_signature(path: str, body: bytes) -> bytes:
        if path != "/pa/v3/keystore/create":
            return body
        obj = json.loads(body)
        header, payload, signature = obj["responseObject"]["jwt"].split(".")
        obj["responseObject"]["jwt"] = f"{header}.{payload}.{signature[::-1]}"
        return json.dumps(obj).encode()

    fake_server.tamper = swap_signature
    with pytest.raises(ServerResponseError, match="temporary key"):
        _sdk(fake_server).create_activation(code)


def test_tampered_status_blob_and_malformed_answers(fake_server: Any) -> None:
    sdk = _sdk(fake_server)
    activation_id, code, _ = fake_server.init_activation()
    sdk.create_activation(code)
    sdk.persist_activation(PIN)
    fake_server.commit(activation_id)
    fake_server.tamper = lambda path, body: _flip_b64_field(body, "encryptedStatusBlob", inner=True)
    with pytest.raises(ServerResponseError, match="status blob"):
        sdk.fetch_activation_status()
    fake_server.tamper = lambda path, body: b"<html>proxy error</html>"
    with pytest.raises(ServerResponseError):
        sdk.fetch_activation_status()
    fake_server.tamper = lambda path, body: b'{"status":"OK","responseObject":{"activationId":"x"}}'
    with pytest.raises(ServerResponseError, match="lacks"):
        sdk.fetch_activation_status()


def test_tampered_token_and_vault_answers(fake_server: Any) -> None:
    sdk = _sdk(fake_server, "3.2")
    activation_id, code, _ = fake_server.init_activation()
    sdk.create_activation(code)
    sdk.persist_activation(PIN)
    fake_server.commit(activation_id)
    fake_server.tamper = lambda path, body: _flip_b64_field(body, "mac") if "/token/" in path else body
    with pytest.raises(ServerResponseError, match="MAC"):
        sdk.create_token(pin=PIN)
    fake_server.tamper = lambda path, body: _flip_b64_field(body, "mac") if "/vault/" in path else body
    with pytest.raises(ServerResponseError, match="MAC"):
        sdk.unlock_vault(PIN)


def test_wrong_pin_vault_unlock_is_a_server_401(fake_server: Any) -> None:
    sdk = _sdk(fake_server)
    activation_id, code, _ = fake_server.init_activation()
    sdk.create_activation(code)
    sdk.persist_activation(PIN)
    fake_server.commit(activation_id)
    with pytest.raises(ServerError) as info:
        sdk.unlock_vault("0000")
    assert info.value.http_status == 401
    assert fake_server.activations[activation_id].failed == 1


def test_unknown_activation_status_is_not_decryptable(fake_server: Any) -> None:
    sdk = _sdk(fake_server)
    activation_id, code, _ = fake_server.init_activation()
    sdk.create_activation(code)
    sdk.persist_activation(PIN)
    del fake_server.activations[activation_id]
    with pytest.raises(UnreadableStatusError, match="unknown activation"):
        sdk.fetch_activation_status()
