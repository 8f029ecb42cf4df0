"""The SDK life cycle against the in-process server double: every version, every factor."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.device.powerauth_sdk import (
    ActivationStateError,
    DeviceStorage,
    FactorUnavailableError,
    NoActivationError,
    PowerAuthSDK,
    ServerError,
)
from simulator.powerauth.headers import AuthorizationHeader, TokenHeader
from simulator.powerauth.request_auth import verify_token_header
from simulator.powerauth.status_blob import ActivationStatus, CounterSync

PIN = "1234"
BODY = b'{"amount":"100.00"}'


def _activate(server: Any, version: str = "3.3", pin: str = PIN) -> PowerAuthSDK:
    sdk = PowerAuthSDK(server.config(version), DeviceStorage(), server)
    activation_id, code, signature = server.init_activation()
    result = sdk.create_activation(f"{code}#{signature}", name="Test phone")
    assert result.activation_id == activation_id and len(result.fingerprint) == 8
    assert result.custom_attributes == {"echo": "Test phone"}
    assert sdk.has_pending_activation() and not sdk.has_valid_activation()
    sdk.persist_activation(pin)
    assert sdk.has_valid_activation() and not sdk.has_pending_activation()
    server.commit(activation_id)
    return sdk


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
def test_activation_status_signature_token_vault_remove(fake_server: Any, version: str) -> None:
    sdk = _activate(fake_server, version)
    record = fake_server.activations[sdk.activation_id]
    assert sdk.storage.activation is not None
    assert sdk.fingerprint == sdk.storage.activation.fingerprint
    status = sdk.fetch_activation_status()
    assert status.status is ActivationStatus.ACTIVE and status.counter is CounterSync.OK
    assert (status.failed_attempts, status.max_failed_attempts, status.remaining_attempts) == (0, 5, 5)

    header = sdk.sign("POST", "/pa/signature/validate", BODY, "possession_knowledge", pin=PIN)
    parsed = AuthorizationHeader.parse(header)
    assert parsed.version == version and parsed.activation_id == sdk.activation_id
    assert fake_server.verify(header, "POST", "/pa/signature/validate", BODY)

    token = sdk.create_token("possession_knowledge", pin=PIN)
    token_value = sdk.token_header(token)
    assert TokenHeader.parse(token_value).version == version
    assert verify_token_header(TokenHeader.parse(token_value), record.tokens[token.token_id])

    assert sdk.unlock_vault(PIN) == record.keys.vault
    sdk.remove_activation(PIN)
    assert record.status is ActivationStatus.REMOVED and not sdk.has_valid_activation()


def test_wrong_pin_is_counted_by_the_server_and_blocks(fake_server: Any) -> None:
    sdk = _activate(fake_server)
    for attempt in range(1, 6):
        header = sdk.sign("POST", "/x", BODY, "possession_knowledge", pin="9999")
        assert not fake_server.verify(header, "POST", "/x", BODY)
        if attempt < 5:
            assert sdk.fetch_activation_status().failed_attempts == attempt
    status = sdk.fetch_activation_status()
    assert status.status is ActivationStatus.BLOCKED and status.remaining_attempts == 0


def test_possession_only_failures_are_not_counted_and_right_pin_resets(fake_server: Any) -> None:
    sdk = _activate(fake_server)
    assert not fake_server.verify(sdk.sign("POST", "/x", BODY, "possession_knowledge", pin="0000"),
                                  "POST", "/x", BODY)
    assert sdk.fetch_activation_status().failed_attempts == 1
    header = sdk.sign("POST", "/x", BODY, "possession_knowledge", pin=PIN)
    assert fake_server.verify(header, "POST", "/x", BODY)
    assert sdk.fetch_activation_status().failed_attempts == 0


def test_restart_keeps_the_activation_and_the_counter(fake_server: Any) -> None:
    sdk = _activate(fake_server)
    fake_server.verify(sdk.sign("POST", "/x", BODY, "possession", pin=None), "POST", "/x", BODY)
    restarted = PowerAuthSDK(sdk.config, DeviceStorage.loads(sdk.storage.dumps()), fake_server)
    assert restarted.activation_id == sdk.activation_id
    assert fake_server.verify(restarted.sign("POST", "/x", BODY, "possession"), "POST", "/x", BODY)


def test_counter_resync_after_signatures_the_server_never_saw(fake_server: Any) -> None:
    """A phone that computed signatures which never reached the server stays usable (client ahead)."""
    sdk = _activate(fake_server)
    for _ in range(3):
        sdk.sign("POST", "/x", BODY, "possession")
    assert sdk.fetch_activation_status().counter is CounterSync.OK
    assert fake_server.verify(sdk.sign("POST", "/x", BODY, "possession"), "POST", "/x", BODY)


def test_cloned_phone_lags_and_is_resynchronised_from_the_status_blob(fake_server: Any) -> None:
    sdk = _activate(fake_server)
    clone = PowerAuthSDK(sdk.config, sdk.storage.clone(), fake_server)
    for _ in range(2):
        assert fake_server.verify(sdk.sign("POST", "/x", BODY, "possession"), "POST", "/x", BODY)
    status = clone.fetch_activation_status()
    assert status.counter is CounterSync.UPDATED
    assert clone.storage.activation is not None and sdk.storage.activation is not None
    assert clone.storage.activation.ctr_data == sdk.storage.activation.ctr_data
    assert clone.storage.activation.ctr_byte == sdk.storage.activation.ctr_byte == 2


def test_biometry_factor_needs_enabling(fake_server: Any) -> None:
    sdk = _activate(fake_server)
    with pytest.raises(FactorUnavailableError, match="biometry"):
        sdk.sign("POST", "/x", BODY, "possession_biometry")
    with pytest.raises(FactorUnavailableError, match="PIN"):
        sdk.sign("POST", "/x", BODY, "possession_knowledge")

    other = PowerAuthSDK(fake_server.config(), DeviceStorage(), fake_server)
    _, code, _ = fake_server.init_activation("bob")
    other.create_activation(code)
    other.persist_activation(PIN, enable_biometry=True)
    fake_server.commit(other.activation_id)
    header = other.sign("POST", "/x", BODY, "possession_biometry")
    assert fake_server.verify(header, "POST", "/x", BODY)


def test_custom_activation_and_state_errors(fake_server: Any) -> None:
    sdk = PowerAuthSDK(fake_server.config(), DeviceStorage(), fake_server)
    with pytest.raises(NoActivationError):
        sdk.fetch_activation_status()
    with pytest.raises(ActivationStateError):
        sdk.persist_activation(PIN)
    with pytest.raises(ActivationStateError):
        sdk.create_activation()
    result = sdk.create_activation(identity_attributes={"username": "alice", "password": "x"})
    with pytest.raises(ActivationStateError):
        sdk.create_activation(identity_attributes={"username": "alice"})
    sdk.persist_activation(PIN)
    assert fake_server.activations[result.activation_id].status is ActivationStatus.ACTIVE
    assert sdk.fetch_activation_status().status is ActivationStatus.ACTIVE


def test_server_error_envelope_is_typed(fake_server: Any) -> None:
    sdk = PowerAuthSDK(fake_server.config("3.2"), DeviceStorage(), fake_server)
    _, code, _ = fake_server.init_activation()
    sdk.create_activation(code)
    sdk.persist_activation(PIN)
    # Not committed yet: the signature is refused with the ES's 401 envelope.
    with pytest.raises(ServerError) as info:
        sdk.remove_activation(PIN)
    assert (info.value.code, info.value.http_status) == ("ERR_AUTHENTICATION", 401)
    assert sdk.has_valid_activation()
    fresh = PowerAuthSDK(fake_server.config("3.2"), DeviceStorage(), fake_server)
    with pytest.raises(ServerError) as info:
        fresh.create_activation(code)
    assert info.value.code == "ERR_ACTIVATION"


@pytest.mark.parametrize("version", ["3.2", "3.3"])
def test_phone_follows_a_server_clock_far_from_its_own(fake_server: Any, version: str) -> None:
    """A server clock one hour behind would reject the phone's timestamps as from the future."""
    fake_server.clock_offset_ms = -3_600_000
    sdk = _activate(fake_server, version)
    assert abs(sdk.clock.offset_ms - fake_server.clock_offset_ms) < 5_000
    token = sdk.create_token(pin=PIN)
    stamped = int(TokenHeader.parse(sdk.token_header(token)).timestamp)
    assert abs(stamped - fake_server._now()) < 5_000


def test_change_pin_checks_the_old_pin_with_the_server(fake_server: Any) -> None:
    sdk = _activate(fake_server)
    with pytest.raises(ServerError):
        sdk.change_pin("0000", "5678")
    assert fake_server.activations[sdk.activation_id].failed == 1
    sdk.change_pin(PIN, "5678")
    assert fake_server.activations[sdk.activation_id].failed == 0
    for pin, accepted in (("5678", True), (PIN, False)):
        header = sdk.sign("POST", "/x", BODY, "possession_knowledge", pin=pin)
        assert fake_server.verify(header, "POST", "/x", BODY) is accepted


def test_named_tokens_survive_a_restart_and_go_with_removal(fake_server: Any) -> None:
    sdk = _activate(fake_server)
    token = sdk.create_token("possession", name="payments")
    record = fake_server.activations[sdk.activation_id]
    assert token.token_id in record.tokens and sdk.token("payments") == token
    restarted = PowerAuthSDK(sdk.config, DeviceStorage.loads(sdk.storage.dumps()), fake_server)
    assert restarted.token("payments") == token
    restarted.remove_token(token)
    assert token.token_id not in record.tokens and restarted.token("payments") is None
    with pytest.raises(ServerError):
        restarted.remove_token(token)
    restarted.create_token("possession", name="other")
    restarted.remove_activation_local()
    assert restarted.storage.tokens == {}
