"""Fixtures: the SMS gateway and the bank served for real over loopback, the bank configured with the
gateway's URL (no pause between retries, so tests stay fast), and clients bound to one session."""

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


@pytest.fixture
def gateway_server() -> Iterator[RunningServer]:
    running = serve_in_thread(create_gateway({"seed": 7}))
    yield running
    running.stop()


@pytest.fixture
def make_bank(gateway_server: RunningServer) -> Iterator[Callable[..., RunningServer]]:
    """Start a bank with extra settings on top of the test defaults."""
    started: list[RunningServer] = []

    def start(config: dict[str, Any] | None = None, **extra: Any) -> RunningServer:
        settings = {"sms_gateway_url": gateway_server.url, "sms_retry_backoff": 0.0, **extra}
        running = serve_in_thread(create_bank({"seed": 5, **(config or {}), "extra": settings}))
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def bank_server(make_bank: Callable[..., RunningServer]) -> RunningServer:
    return make_bank()


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
