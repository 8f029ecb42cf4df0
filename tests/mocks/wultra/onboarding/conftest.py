"""Fixtures: Wultra mock, SMS gateway and a bank adapter served for real over loopback.

Every test gets its own isolation session (so state, clocks and inboxes are its own) and an
application created at the PowerAuth Server REST API of the Wultra mock.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.sms_gateway.app import create_app as create_sms_gateway
from mocks.wultra.app import create_app as create_wultra
from simulator.device.inbox import SmsInbox


def _load(filename: str) -> ModuleType:
    """Import a helper beside this file (tests run with ``--import-mode=importlib``, no packages)."""
    name = f"_onboarding_{filename.removesuffix('.py')}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(filename))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


device_client = _load("device_client.py")
bank_stub = _load("bank_stub.py")

CLIENTS = {
    "100200300": {"userId": "user-100200300", "phone": "+420601000001"},
    "100200301": {"userId": "user-100200301", "phone": "+420601000002"},
}
KNOWN = {"clientNumber": "100200300", "birthDate": "1985-04-12"}
UNKNOWN = {"clientNumber": "999999999", "birthDate": "1985-04-12"}
PHONE = CLIENTS["100200300"]["phone"]

_sessions = itertools.count()


@dataclass
class Stack:
    wultra: RunningServer
    sms: RunningServer
    bank: RunningServer


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with serve_in_thread(create_sms_gateway({"seed": 3})) as sms:
        bank_app = bank_stub.create_app({"seed": 4, "extra": {"clients": CLIENTS, "sms_url": sms.url}})
        with serve_in_thread(bank_app) as bank:
            wultra_app = create_wultra({"seed": 5, "extra": {"bank_url": bank.url}})
            with serve_in_thread(wultra_app) as wultra:
                yield Stack(wultra, sms, bank)


@dataclass
class World:
    """One test's view: the device client, the admin clients and the handset inbox."""

    session: str
    device: Any
    wultra: AdminClient
    sms: AdminClient
    bank: AdminClient
    inbox: SmsInbox
    known: dict[str, str] = field(default_factory=lambda: dict(KNOWN))
    unknown: dict[str, str] = field(default_factory=lambda: dict(UNKNOWN))

    def read_otp(self) -> str:
        """Let the SMS arrive (gateway clock +5 s) and read the newest OTP from the handset."""
        self.sms.advance_clock(5)
        return self.inbox.latest_otp(length=8).code


@pytest.fixture
def world(stack: Stack, request: pytest.FixtureRequest) -> Iterator[World]:
    session = f"onb-{next(_sessions)}-{request.node.name}"[:60]
    app = device_client.credentials(stack.wultra.url, session, "onboarding-app")
    device = device_client.OnboardingDevice(stack.wultra.url, app, session=session)
    admins = [AdminClient(s.url, session=session) for s in (stack.wultra, stack.sms, stack.bank)]
    inbox = SmsInbox(stack.sms.url, PHONE, session=session)
    yield World(session, device, *admins, inbox=inbox)
    for admin in admins:
        admin.reset(session)
        admin.close()
    device.close()
    inbox.close()
