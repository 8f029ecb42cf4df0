"""Seeded runs are reproducible (keys, codes, fault sequences); custom activations use the provider."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import pytest

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.wultra.app import create_app
from mocks.wultra.enrollment.custom_activation import CustomActivationProvider, register_provider
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.activation import ActivationType
from simulator.powerauth.codec import b64decode


def _world(pas: PasClient) -> tuple[dict[str, Any], dict[str, Any]]:
    pas.ok("/application/create", {"applicationId": "seeded"})
    detail = pas.ok("/application/detail", {"applicationId": "seeded"})
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "seeded"})
    return detail, init


def test_a_reset_session_replays_the_same_keys_and_codes(pas: PasClient, admin: AdminClient) -> None:
    first = _world(pas)
    admin.reset()
    second = _world(pas)
    assert first[0]["masterPublicKey"] == second[0]["masterPublicKey"]
    assert first[0]["versions"] == second[0]["versions"]
    assert (first[1]["activationId"], first[1]["activationCode"]) == (
        second[1]["activationId"],
        second[1]["activationCode"],
    )


def test_another_session_gets_other_keys(pas: PasClient, server: RunningServer) -> None:
    mine = _world(pas)
    other = PasClient(server.url, session="someone-else")
    try:
        theirs = _world(other)
    finally:
        AdminClient(server.url, session="someone-else").reset()
    assert mine[0]["masterPublicKey"] != theirs[0]["masterPublicKey"]


def test_seeded_error_rate_is_reproducible(
    pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]
) -> None:
    phone = new_phone("3.2")
    session = phone.session
    route = "/enrollment-server/pa/v3/status"

    def run() -> list[int]:
        admin.add_fault(
            id="flaky-status", route=route, session=session, probability=0.4, seed=5, error={"status": 503}
        )
        try:
            return [phone.post("/pa/v3/status", json_body={}).status_code for _ in range(30)]
        finally:
            admin.remove_faults("flaky-status")

    first, second = run(), run()
    assert first == second
    assert set(first) == {200, 503}
    failed = phone.post("/pa/v3/status", json_body={})
    assert failed.status_code == 200 and isinstance(failed.json()["responseObject"]["serverTime"], int)


class DirectoryProvider(CustomActivationProvider):
    """Knows one user by username and password."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def lookup_user_id(
        self,
        identity_attributes: Mapping[str, Any],
        custom_attributes: Mapping[str, Any],
        application_id: str,
    ) -> str | None:
        if dict(identity_attributes) == {"username": "joe", "password": "secret"}:
            return "user-joe"
        return None

    def activation_created(
        self, activation: Mapping[str, Any], identity_attributes: Mapping[str, Any]
    ) -> None:
        self.created.append(str(activation["activationId"]))


@pytest.fixture(scope="module")
def custom_server() -> Iterator[tuple[RunningServer, DirectoryProvider]]:
    app = create_app({"seed": 3})
    provider = DirectoryProvider()
    register_provider(app, provider)
    with serve_in_thread(app) as running:
        yield running, provider


@pytest.mark.parametrize("version", ["3.1", "3.3"])
def test_custom_activation_through_the_provider(
    version: str, custom_server: tuple[RunningServer, DirectoryProvider], phone_module: Any
) -> None:
    running, provider = custom_server
    session = f"custom-{version.replace('.', '-')}"
    pas = PasClient(running.url, session=session)
    try:
        pas.ok("/application/create", {"applicationId": "app"})
        detail = pas.ok("/application/detail", {"applicationId": "app"})
        version_info = detail["versions"][0]
        phone = phone_module.Phone(
            running.url,
            session,
            version_info["applicationKey"],
            version_info["applicationSecret"],
            b64decode(detail["masterPublicKey"]),
            version=version,
        )
        identity = {"username": "joe", "password": "secret"}
        result = phone.activate(activation_type=ActivationType.CUSTOM, identity_attributes=identity)
        status = pas.ok("/activation/status", {"activationId": result.activation_id})
        assert status["activationStatus"] == "ACTIVE" and status["userId"] == "user-joe"
        assert provider.created[-1] == result.activation_id
        assert phone.post_signed("/pa/v3/signature/validate", "/pa/signature/validate", {}).status_code == 200

        stranger = phone_module.Phone(
            running.url,
            session,
            version_info["applicationKey"],
            version_info["applicationSecret"],
            b64decode(detail["masterPublicKey"]),
            version=version,
        )
        _, body = stranger.activation_request(
            activation_type=ActivationType.CUSTOM,
            identity_attributes={"username": "joe", "password": "wrong"},
        )
        refused = stranger.post(
            "/pa/v3/activation/create", json_body=body, headers=stranger.encryption_header()
        )
        assert refused.status_code == 400 and refused.json()["responseObject"]["code"] == "ERR_ACTIVATION"
        assert len(pas.ok("/activation/list", {"userId": "user-joe"})["activations"]) == 1
    finally:
        AdminClient(running.url, session=session).reset()


def test_custom_activation_is_refused_without_a_provider(
    pas: PasClient, new_phone: Callable[..., Any]
) -> None:
    phone = new_phone("3.2")
    _, body = phone.activation_request(
        activation_type=ActivationType.CUSTOM, identity_attributes={"username": "joe"}
    )
    refused = phone.post("/pa/v3/activation/create", json_body=body, headers=phone.encryption_header())
    assert refused.status_code == 400 and refused.json()["responseObject"]["code"] == "ERR_ACTIVATION"


def test_server_times_follow_the_virtual_clock(
    pas: PasClient, admin: AdminClient, new_phone: Callable[..., Any]
) -> None:
    admin.advance_clock(86_400)
    ahead_ms = int(time.time() * 1000) + 86_000_000
    phone = new_phone("3.2")
    assert phone.ok(phone.post("/pa/v3/status", json_body={}))["responseObject"]["serverTime"] > ahead_ms
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    phone.activate(init["activationCode"])
    assert phone.last_response.json()["timestamp"] > ahead_ms
    status = pas.ok("/activation/status", {"activationId": init["activationId"]})
    created = datetime.fromisoformat(status["timestampCreated"]).timestamp() * 1000
    assert created > ahead_ms
