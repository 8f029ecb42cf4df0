"""Fixtures: the SMS gateway and the bank served for real over loopback, the bank configured with the
gateway's URL (no pause between retries, so tests stay fast), and clients bound to one session.

The gateway and the default bank are started once per module and wiped (every session, fault rule,
clock and journal entry) before each test; banks with other settings are started per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mocks.bank.app import create_app as create_bank
from mocks.bank.client import BankClient
from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.sms_gateway.app import create_app as create_gateway
from mocks.sms_gateway.client import SmsGatewayClient

SESSION = "bank-test"
POPULATION_SEED = 21


def _wiped(server: RunningServer) -> RunningServer:
    with AdminClient(server.url) as admin:
        admin.reset(everything=True, journal=True)
    return server


def _bank_app(gateway_url: str, config: dict[str, Any] | None = None, **extra: Any) -> Any:
    settings = {"sms_gateway_url": gateway_url, "sms_retry_backoff": 0.0, **extra}
    return create_bank({"seed": 5, **(config or {}), "extra": settings})


@pytest.fixture(scope="module")
def shared_gateway() -> Iterator[RunningServer]:
    running = serve_in_thread(create_gateway({"seed": 7}))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared_bank(shared_gateway: RunningServer) -> Iterator[RunningServer]:
    running = serve_in_thread(_bank_app(shared_gateway.url))
    yield running
    running.stop()


@pytest.fixture
def gateway_server(shared_gateway: RunningServer) -> RunningServer:
    return _wiped(shared_gateway)


@pytest.fixture
def make_bank(gateway_server: RunningServer) -> Iterator[Callable[..., RunningServer]]:
    """Start a bank with extra settings on top of the test defaults."""
    started: list[RunningServer] = []

    def start(config: dict[str, Any] | None = None, **extra: Any) -> RunningServer:
        running = serve_in_thread(_bank_app(gateway_server.url, config, **extra))
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def bank_server(shared_bank: RunningServer, gateway_server: RunningServer) -> RunningServer:
    return _wiped(shared_bank)


@pytest.fixture
def bank(bank_server: RunningServer) -> Iterator[BankClient]:
    with BankClient(bank_server.url, session=SESSION) as client:
        yield client


@pytest.fixture
def bank_admin(bank_server: RunningServer) -> Iterator[AdminClient]:
    with AdminClient(bank_server.url, session=SESSION) as client:
        yield client


@pytest.fixture
def gateway(gateway_server: RunningServer) -> Iterator[SmsGatewayClient]:
    with SmsGatewayClient(gateway_server.url, session=SESSION) as client:
        yield client


@pytest.fixture
def gateway_admin(gateway_server: RunningServer) -> Iterator[AdminClient]:
    with AdminClient(gateway_server.url, session=SESSION) as client:
        yield client


@pytest.fixture
def clients(bank: BankClient) -> list[dict[str, Any]]:
    """Three generated clients loaded into the test session."""
    return list(bank.generate_clients(POPULATION_SEED, 3)["clients"])
