"""Fixtures: the SMS gateway served for real over loopback, a client in one isolation session, its
admin client, and a small status-callback receiver app."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, request

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.sms_gateway.app import create_app
from mocks.sms_gateway.client import SmsGatewayClient

SESSION = "sms-test"


@pytest.fixture
def server() -> Iterator[RunningServer]:
    running = serve_in_thread(create_app({"seed": 7}))
    yield running
    running.stop()


@pytest.fixture
def gateway(server: RunningServer) -> Iterator[SmsGatewayClient]:
    with SmsGatewayClient(server.url, session=SESSION) as client:
        yield client


@pytest.fixture
def admin(server: RunningServer) -> Iterator[AdminClient]:
    with AdminClient(server.url, session=SESSION) as client:
        yield client


@dataclass
class Receiver:
    """Collects status callbacks; answers 500 to the first ``fail_first`` of them."""

    url: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statuses(self, count: int, within: float = 10.0) -> list[str]:
        """The ``MessageStatus`` of the calls once ``count`` have come (the gateway posts them in the
        background, after its answer), or of those that came within ``within`` seconds."""
        deadline = time.monotonic() + within
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        with self.lock:
            return [c["form"]["MessageStatus"] for c in self.calls]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    app = Flask("status_receiver")

    @app.post("/status")
    def status() -> tuple[str, int]:
        with state.lock:
            state.calls.append({"url": request.url, "form": request.form.to_dict(),
                                "signature": request.headers.get("X-Twilio-Signature", "")})
            failing = state.fail_first > 0
            state.fail_first -= 1 if failing else 0
        return ("", 500) if failing else ("", 204)

    running = serve_in_thread(app)
    state.url = f"{running.url}/status"
    yield state
    running.stop()
