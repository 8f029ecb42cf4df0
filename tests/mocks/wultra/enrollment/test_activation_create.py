"""``/pa/v3/activation/create`` over real HTTP for every protocol version, with status blob and commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.codec import b64decode
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.status_blob import ActivationStatus

VERSIONS = ["3.0", "3.1", "3.2", "3.3"]


@pytest.mark.parametrize("version", VERSIONS)
def test_code_activation_then_commit_and_status_blob(
    version: str, pas: PasClient, new_phone: Callable[..., Any], application: dict[str, Any]
) -> None:
    phone = new_phone(version)
    init = pas.ok("/activation/init", {"userId": "alice", "applicationId": "app"})
    result = phone.activate(
        init["activationCode"],
        activation_signature=init["activationSignature"],
        master_public_key=public_key_from_bytes(b64decode(application["masterPublicKey"])),
    )
    assert result.activation_id == init["activationId"]
    detail = pas.ok("/activation/status", {"activationId": init["activationId"]})
    assert detail["activationStatus"] == "PENDING_COMMIT"
    assert detail["devicePublicKeyFingerprint"] == result.fingerprint
    assert detail["platform"] == "android" and detail["activationName"] == "Test phone"
    if version == "3.0":
        return  # 3.0 has no challenge, so the device cannot read the blob
    assert phone.status().status is ActivationStatus.PENDING_COMMIT
    pas.ok("/activation/commit", {"activationId": init["activationId"]})
    blob = phone.status()
    assert blob.status is ActivationStatus.ACTIVE
    assert (blob.failed_attempts, blob.max_failed_attempts, blob.ctr_look_ahead, blob.ctr_byte) == (
        0,
        5,
        20,
        0,
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=40),
    platform=st.sampled_from(["ios", "Android", "HW", "unknown"]),
    device_info=st.text(max_size=30),
    extras=st.text(max_size=30),
)
def test_descriptive_fields_round_trip(
    pas: PasClient, new_phone: Callable[..., Any], name: str, platform: str, device_info: str, extras: str
) -> None:
    phone = new_phone("3.2")
    init = pas.ok("/activation/init", {"userId": "h", "applicationId": "app"})
    phone.activate(
        init["activationCode"],
        activation_name=name,
        platform=platform,
        device_info=device_info,
        extras=extras,
    )
    detail = pas.ok("/activation/status", {"activationId": init["activationId"]})
    assert (detail["activationName"], detail["deviceInfo"], detail["extras"]) == (name, device_info, extras)
    assert detail["platform"] == platform.lower()
