"""Arbitrary input to every parser either parses or raises a PowerAuthError, never anything else."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.activation import (
    ActivationLayer1Request,
    ActivationLayer2Request,
    ActivationLayer2Response,
)
from simulator.powerauth.activation_code import (
    decode_activation_code,
    normalize_activation_id,
    parse_activation_qr,
)
from simulator.powerauth.ecies import EciesRequest, EciesResponse
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.headers import AuthorizationHeader, EncryptionHeader, TokenHeader
from simulator.powerauth.keys import private_key_from_bytes, public_key_from_bytes
from simulator.powerauth.sdk_config import SdkConfig
from simulator.powerauth.status_blob import StatusBlob, decrypt_status_blob
from simulator.powerauth.temporary_key import TemporaryKeyRequest

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
b64_text = st.binary(max_size=70).map(lambda b: base64.b64encode(b).decode())
field_values = json_scalars | b64_text
ecies_objects = st.dictionaries(
    st.sampled_from(
        ["ephemeralPublicKey", "encryptedData", "mac", "nonce", "timestamp", "temporaryKeyId", "x"]
    ),
    field_values,
)
versions = st.sampled_from(["3.0", "3.1", "3.2", "3.3", "9.9"])


def parse_or_none(call: Callable[[], Any]) -> Any:
    """The parse result, or None when the parser raised a typed error; anything else propagates."""
    try:
        return call()
    except PowerAuthError:
        return None


@settings(deadline=None, max_examples=200)
@given(ecies_objects, versions)
def test_ecies_parsers(obj: dict[str, Any], version: str) -> None:
    request = parse_or_none(lambda: EciesRequest.from_json(obj, version))
    if request is not None:
        assert EciesRequest.from_json(request.to_json(), version) == request
    response = parse_or_none(lambda: EciesResponse.from_json(obj, version))
    if response is not None:
        assert EciesResponse.from_json(response.to_json(), version) == response


@settings(deadline=None)
@given(
    st.recursive(
        json_scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=6,
    )
)
def test_ecies_parsers_any_json(obj: Any) -> None:
    assert parse_or_none(lambda: EciesRequest.from_json(obj, "3.3")) is None or isinstance(obj, dict)


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "devicePublicKey",
                "activationName",
                "platform",
                "activationId",
                "serverPublicKey",
                "ctrData",
                "type",
                "identityAttributes",
                "activationData",
                "activationRecovery",
            ]
        ),
        field_values | st.dictionaries(st.text(max_size=5), field_values, max_size=3),
    )
)
def test_activation_payload_parsers(obj: dict[str, Any]) -> None:
    layer2 = parse_or_none(lambda: ActivationLayer2Request.from_json(obj))
    if layer2 is not None:
        assert ActivationLayer2Request.from_json(layer2.to_json()) == layer2
    answer = parse_or_none(lambda: ActivationLayer2Response.from_json(obj))
    if answer is not None:
        assert len(answer.ctr_data) == 16
    parse_or_none(lambda: ActivationLayer1Request.from_json(obj, "3.3"))


@settings(deadline=None)
@given(st.text(max_size=60))
def test_text_parsers(text: str) -> None:
    raw = parse_or_none(lambda: decode_activation_code(text))
    assert raw is None or len(raw) == 10
    parse_or_none(lambda: normalize_activation_id(text))
    parse_or_none(lambda: parse_activation_qr(text))
    for header_type in (AuthorizationHeader, TokenHeader, EncryptionHeader):
        header = parse_or_none(lambda header_type=header_type: header_type.parse(text))
        if header is not None:
            assert header_type.parse(header.format()) == header
    config = parse_or_none(lambda: SdkConfig.decode(text))
    assert config is None or SdkConfig.decode(config.encode()) == config
    parse_or_none(lambda: TemporaryKeyRequest.peek(text))


@settings(deadline=None)
@given(st.binary(max_size=70))
def test_byte_parsers(data: bytes) -> None:
    blob = parse_or_none(lambda: StatusBlob.from_bytes(data))
    assert blob is None or blob.to_bytes() == data
    parse_or_none(lambda: decrypt_status_blob(data, bytes(16), bytes(16), bytes(16)))
    assert parse_or_none(lambda: public_key_from_bytes(data)) is None or len(data) in (33, 65)
    assert parse_or_none(lambda: private_key_from_bytes(data)) is None or 1 <= len(data) <= 33
    parse_or_none(lambda: SdkConfig.decode(base64.b64encode(data).decode()))
