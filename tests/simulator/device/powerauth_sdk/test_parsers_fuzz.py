"""Whatever a server (or someone in between) sends, the phone fails with its own typed errors only."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.device.powerauth_sdk import (
    EnrollmentClient,
    HttpAnswer,
    InvalidConfigError,
    PowerAuthConfig,
    ServerClock,
    ServerError,
    ServerResponseError,
    offline,
)
from simulator.device.powerauth_sdk.encryption import DeviceEncryptor
from simulator.powerauth.ecies import EciesContext, EncryptorId
from simulator.powerauth.keys import generate_private_key, public_key_to_bytes
from simulator.powerauth.versions import ProtocolVersion

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=5),
    max_leaves=25,
)


def b64(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.binary(min_size=min_size, max_size=max_size).map(lambda b: base64.b64encode(b).decode())


ecies_like = st.fixed_dictionaries({}, optional={
    "encryptedData": st.text(max_size=40) | b64(0, 48),
    "mac": st.text(max_size=50) | b64(32, 32),
    "nonce": st.text(max_size=30) | b64(16, 16),
    "timestamp": st.integers() | st.text(max_size=5),
})


class Canned:
    """A transport that answers every request with one canned answer."""

    def __init__(self, answer: HttpAnswer) -> None:
        self.answer = answer

    def post(self, path: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        return self.answer


@given(st.integers(100, 599), st.binary(max_size=200) | json_values.map(lambda v: repr(v).encode()))
def test_any_answer_is_parsed_or_a_typed_error(status: int, body: bytes) -> None:
    client = EnrollmentClient(Canned(HttpAnswer(status, body)))
    try:
        result = client.post_object("/pa/v3/x", {})
    except ServerError as exc:
        assert not 200 <= status < 300 and exc.http_status == status
    except ServerResponseError:
        pass
    else:
        assert 200 <= status < 300 and isinstance(result, dict)


@settings(max_examples=60)
@given(st.sampled_from(list(ProtocolVersion)[1:]), json_values | ecies_like)
def test_any_encrypted_answer_is_a_typed_refusal(version: ProtocolVersion, answer: Any) -> None:
    key = base64.b64encode(os.urandom(16)).decode()
    context = EciesContext(version, EncryptorId.APPLICATION_SCOPE_GENERIC, key, key,
                           temporary_key_id="k" if version.has_temporary_key else None)
    recipient = public_key_to_bytes(generate_private_key().public_key())
    encryptor = DeviceEncryptor(context, recipient, ServerClock())
    encryptor.encrypt({"q": 1})
    try:
        encryptor.decrypt_json(answer if isinstance(answer, dict) else {"x": answer})
    except ServerResponseError:
        return
    raise AssertionError("a random answer must never decrypt")


@given(st.text(max_size=300) | st.binary(max_size=160).map(lambda b: base64.b64encode(b).decode()))
def test_any_sdk_config_string_is_parsed_or_invalid(text: str) -> None:
    try:
        config = PowerAuthConfig.from_sdk_config(text)
    except InvalidConfigError:
        return
    assert PowerAuthConfig.from_sdk_config(config.to_sdk_config()) == config


MASTER = generate_private_key()


@given(st.text(max_size=120), st.sampled_from(["0", "1", "2", ""]))
def test_any_offline_qr_text_is_verified_or_refused(text: str, indicator: str) -> None:
    for candidate in (text, f"{text}\n{base64.b64encode(os.urandom(16)).decode()}\n{indicator}{text}"):
        try:
            offline.parse_and_verify(candidate, public_key_to_bytes(MASTER.public_key()), None)
        except ServerResponseError:
            continue
        raise AssertionError("unsigned text must never verify")


def test_offline_payload_signed_by_the_master_key_verifies() -> None:
    nonce = base64.b64encode(os.urandom(16)).decode()
    signed = f"line one\nline two\n{nonce}\n0"
    signature = MASTER.sign(signed.encode(), ec.ECDSA(hashes.SHA256()))
    payload = offline.parse_and_verify(signed + base64.b64encode(signature).decode(),
                                       public_key_to_bytes(MASTER.public_key()), None)
    assert (payload.data, payload.nonce, payload.personalized) == ("line one\nline two", nonce, False)
    personalized = f"x\n{nonce}\n1" + base64.b64encode(signature).decode()
    with pytest.raises(ServerResponseError, match="needs an activation"):
        offline.parse_and_verify(personalized, public_key_to_bytes(MASTER.public_key()), None)
