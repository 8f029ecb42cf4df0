"""Fixtures: the Wultra mock served for real over loopback, and a small REST client for it."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.wultra.app import create_app
from mocks.wultra.powerauth_server.client import PowerAuthServerClient
from simulator.powerauth.codec import b64decode


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
    session = re.sub(r"[^A-Za-z0-9._:-]", "-", f"t-{request.node.name}")[:60]
    client = PasClient(server.url, session=session)
    yield client
    AdminClient(server.url, session=session).reset(session)


@pytest.fixture
def admin(server: RunningServer, pas: PasClient) -> AdminClient:
    return AdminClient(server.url, session=pas.http.headers["X-Sim-Session"])


PHONE_PATH = Path(__file__).with_name("phone.py")


def _load_phone() -> ModuleType:
    name = "_wultra_test_phone"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PHONE_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def phone_module() -> ModuleType:
    """The test phone module (``phone_module.Phone``) for servers other than ``server``."""
    return _load_phone()


@pytest.fixture
def application(pas: PasClient) -> dict[str, Any]:
    """A fresh application ``app`` of the test's session: its key, secret and master public key."""
    pas.ok("/application/create", {"applicationId": "app"})
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    return {"applicationId": "app", "masterPublicKey": detail["masterPublicKey"], **detail["versions"][0]}


@pytest.fixture
def new_phone(server: RunningServer, pas: PasClient, application: dict[str, Any]) -> Callable[..., Any]:
    """``new_phone(version="3.3")`` → a test phone configured for ``application``, in the test's session."""
    module = _load_phone()

    def make(version: str = "3.3") -> Any:
        return module.Phone(server.url, pas.http.headers["X-Sim-Session"], application["applicationKey"],
                            application["applicationSecret"], b64decode(application["masterPublicKey"]),
                            version=version)

    return make


@pytest.fixture
def activated(pas: PasClient, new_phone: Callable[..., Any]) -> Callable[..., Any]:
    """``activated(version, user)`` → a phone with an ACTIVE activation made through the Enrollment Server."""

    def make(version: str = "3.3", user: str = "alice") -> Any:
        phone = new_phone(version)
        init = pas.ok("/activation/init", {"userId": user, "applicationId": "app"})
        phone.activate(init["activationCode"])
        pas.ok("/activation/commit", {"activationId": init["activationId"]})
        return phone

    return make
