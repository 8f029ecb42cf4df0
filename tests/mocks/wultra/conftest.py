"""Fixtures: the Wultra mock served for real over loopback, and a small REST client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.wultra.app import create_app
from mocks.wultra.powerauth_server.client import PowerAuthServerClient


class PasClient(PowerAuthServerClient):
    """The REST client whose ``error`` also checks HTTP 400 and the full error envelope."""

    def error(self, path: str, request: dict[str, Any] | None = None) -> str:
        """Call a method that must fail; check HTTP 400 and the envelope; return the ERR code."""
        status, body = self.call(path, request)
        assert status == 400 and body["status"] == "ERROR", body
        assert body["responseObject"]["message"] == body["responseObject"]["localizedMessage"]
        return str(body["responseObject"]["code"])


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve_in_thread(create_app({"seed": 11})) as running:
        yield running


@pytest.fixture
def pas(server: RunningServer, request: pytest.FixtureRequest) -> Iterator[PasClient]:
    """A client bound to a session of its own (reset after the test)."""
    session = f"t-{request.node.name}"[:60]
    client = PasClient(server.url, session=session)
    yield client
    AdminClient(server.url, session=session).reset(session)


@pytest.fixture
def admin(server: RunningServer, pas: PasClient) -> AdminClient:
    return AdminClient(server.url, session=pas.http.headers["X-Sim-Session"])
