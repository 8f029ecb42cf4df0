"""Application-scope ECIES on the onboarding endpoints: what is refused, and never with a 5xx."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.device.powerauth_sdk import DeviceStorage, PowerAuthConfig, PowerAuthSDK
from simulator.powerauth.headers import ENCRYPTION_HEADER

START = "/api/onboarding/start"
REQUEST = {"identification": {"clientNumber": "100200300"}}


def test_missing_encryption_header_is_refused(world: Any) -> None:
    world.device.call(START, REQUEST)
    response = world.device.post_raw(START, world.device.last_request)
    assert response.status_code == 400
    assert response.json()["responseObject"]["code"] == "ERR_ENCRYPTION"


def test_replayed_request_is_refused(world: Any) -> None:
    first = world.device.call(START, REQUEST)
    assert first.ok
    replay = world.device.post_raw(START, world.device.last_request,
                                   {ENCRYPTION_HEADER: world.device.header()})
    assert replay.status_code == 400
    assert replay.json()["responseObject"]["code"] == "ERR_ENCRYPTION"


def test_tampered_ciphertext_is_refused(world: Any) -> None:
    world.device.call(START, REQUEST)
    body = dict(world.device.last_request)
    data = bytearray(base64.b64decode(body["encryptedData"]))
    data[0] ^= 1
    body["encryptedData"] = base64.b64encode(bytes(data)).decode()
    body["nonce"] = base64.b64encode(b"\x01" * 16).decode()
    response = world.device.post_raw(START, body, {ENCRYPTION_HEADER: world.device.header()})
    assert response.status_code == 400
    assert response.json()["responseObject"]["code"] == "ERR_ENCRYPTION"


def test_unknown_application_key_and_activation_scope_are_refused(world: Any) -> None:
    world.device.call(START, REQUEST)
    unknown_key = 'PowerAuth version="3.2", application_key="AAAAAAAAAAAAAAAAAAAAAA=="'
    response = world.device.post_raw(START, world.device.last_request, {ENCRYPTION_HEADER: unknown_key})
    assert (response.status_code, response.json()["responseObject"]["code"]) == (400, "ERR_ENCRYPTION")
    activation = world.device.header() + ', activation_id="c564e700-7e86-4a87-b6c8-a5a0cc89683f"'
    response = world.device.post_raw(START, world.device.last_request, {ENCRYPTION_HEADER: activation})
    assert (response.status_code, response.json()["responseObject"]["code"]) == (400, "ERR_ENCRYPTION")


def test_every_protocol_version_from_3_0_to_3_2_works(world: Any) -> None:
    for version in ("3.0", "3.1", "3.2"):
        world.device.version = version
        answer = world.device.call(START, {"identification": {"clientNumber": f"v{version}"}})
        assert answer.result["onboardingStatus"] == "VERIFICATION_IN_PROGRESS", version


def test_protocol_3_3_uses_the_temporary_key_the_device_sdk_fetched(world: Any) -> None:
    app = world.device.app
    config = PowerAuthConfig(app.application_key, app.application_secret, app.master_public_key, "3.3")
    sdk = PowerAuthSDK(config, DeviceStorage(), world.stack.wultra.url, session=world.session)
    encryptor = sdk.application_encryptor()
    sealed = encryptor.encrypt({"requestObject": {"identification": world.known}})
    assert "temporaryKeyId" in sealed.payload
    response = world.device.post_raw(START, sealed.body, sealed.headers)
    assert response.status_code == 200, response.text
    answer = encryptor.decrypt_json(response.json())
    assert answer["responseObject"]["onboardingStatus"] == "VERIFICATION_IN_PROGRESS"
    forged = dict(sealed.payload, temporaryKeyId="5b0d4a1e-1b7e-4c1e-9a59-3c3f0f8d8d8d")
    refused = world.device.post_raw(START, forged, sealed.headers)
    assert (refused.status_code, refused.json()["responseObject"]["code"]) == (400, "ERR_ENCRYPTION")


def test_bad_request_objects_inside_valid_encryption_are_invalid_requests(world: Any) -> None:
    for request_object in ({}, {"identification": {}}, {"identification": {"a": [1]}},
                           {"identification": {"a": "b"}, "processType": "onboarding"},
                           {"identification": {"a": "b"}, "extra": 1}):
        answer = world.device.call(START, request_object)
        assert (answer.status, answer.code) == (400, "INVALID_REQUEST"), request_object
    answer = world.device.call("/api/onboarding/status", {"processId": "not-a-uuid"})
    assert (answer.status, answer.code) == (400, "INVALID_REQUEST")


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=10)
bodies = st.dictionaries(st.sampled_from(["ephemeralPublicKey", "encryptedData", "mac", "nonce", "timestamp",
                                          "x"]), json_values | st.binary(max_size=70).map(
                                              lambda b: base64.b64encode(b).decode()), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_arbitrary_bodies_get_a_4xx_in_the_onboarding_envelope(world: Any, body: dict[str, Any]) -> None:
    response = world.device.post_raw(START, body, {ENCRYPTION_HEADER: world.device.header()})
    assert 400 <= response.status_code < 500
    payload = response.json()
    assert payload["status"] == "ERROR" and payload["responseObject"]["code"]
