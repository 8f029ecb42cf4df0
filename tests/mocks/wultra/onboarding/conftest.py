"""Fixtures: every party the Onboarding Server talks to, served for real over loopback.

The Wultra mock, the bank mock (adapter + alert service), the SMS gateway and the biometry mock
(face and document APIs) run in threads; the Onboarding Server reaches them only by URL.  Each test
gets its own isolation session (state, clocks, inboxes), an application at the PowerAuth Server and
the evidence client registered at the bank.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from mocks.bank.app import create_app as create_bank
from mocks.bank.client import BankClient
from mocks.biometry.app import create_app as create_biometry
from mocks.biometry.settings import DEFAULT_API_KEY, DEFAULT_SECRET
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
evidence_module = _load("evidence.py")
journey_module = _load("journey.py")

UNKNOWN = {"clientNumber": "0000000001", "birthDate": "1985-04-12"}
_sessions = itertools.count()


@dataclass
class Stack:
    wultra: RunningServer
    sms: RunningServer
    bank: RunningServer
    biometry: RunningServer


@pytest.fixture(scope="session")
def evidence() -> Any:
    return evidence_module.build_evidence()


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """The parties; a test module may add settings with ``WULTRA_EXTRA`` / ``BANK_EXTRA``."""
    wultra_extra = getattr(request.module, "WULTRA_EXTRA", {})
    bank_extra = getattr(request.module, "BANK_EXTRA", {})
    with serve_in_thread(create_sms_gateway({"seed": 3})) as sms, \
            serve_in_thread(create_biometry({"seed": 6})) as biometry:
        bank_app = create_bank({"seed": 4, "extra": {"sms_gateway_url": sms.url, **bank_extra}})
        with serve_in_thread(bank_app) as bank, _wultra(bank, biometry, wultra_extra) as wultra:
            yield Stack(wultra, sms, bank, biometry)


@contextmanager
def _wultra(bank: RunningServer, biometry: RunningServer,
            wultra_extra: dict[str, Any]) -> Iterator[RunningServer]:
    """The Wultra mock wired to the others (a body limit that fits document photos)."""
    extra = {"bank_url": bank.url, "biometry_url": biometry.url, "document_provider_url": biometry.url,
             **wultra_extra}
    with serve_in_thread(create_wultra({"seed": 5, "max_request_bytes": 8 * 1024 * 1024,
                                        "extra": extra})) as wultra:
        yield wultra


@dataclass
class World:
    """One test's view: the journey driver, the admin clients and the handset inbox."""

    session: str
    stack: Stack
    journey: Any
    wultra: AdminClient
    sms: AdminClient
    bank: AdminClient
    biometry: AdminClient
    inbox: SmsInbox
    evidence: Any

    @property
    def device(self) -> Any:
        return self.journey.device

    @property
    def known(self) -> dict[str, str]:
        return dict(self.evidence.identification)

    @property
    def unknown(self) -> dict[str, str]:
        return dict(UNKNOWN)

    def read_otp(self) -> str:
        """Let the SMS arrive (gateway clock +5 s) and read the newest OTP from the handset."""
        self.sms.advance_clock(5)
        return str(self.inbox.latest_otp(length=8).code)

    def device_of_new_application(self, application_id: str) -> Any:
        """An app client of another application created in this session (close it after use)."""
        app = device_client.credentials(self.stack.wultra.url, self.session, application_id)
        return device_client.OnboardingDevice(self.stack.wultra.url, app, session=self.session)

    def biometry_user(self, user_id: str) -> requests.Response:
        """The face provider's view of one enrolled user (what the server left there)."""
        return requests.get(f"{self.stack.biometry.url}/api/v2/users/{user_id}", timeout=10,
                            params={"api_key": DEFAULT_API_KEY, "secret": DEFAULT_SECRET},
                            headers={"X-Sim-Session": self.session})

    def fault(self, admin: AdminClient, route: str, status: int) -> str:
        """A fault for this test's session only; returns the rule id."""
        return str(admin.add_fault(route=route, session=self.session, error={"status": status})["id"])

    def journal(self, path: str) -> list[dict[str, Any]]:
        entries = self.wultra.journal(path="/enrollment-server-onboarding" + path, session=self.session)
        return [e for e in entries if e.get("direction") == "inbound"]


@pytest.fixture
def world(stack: Stack, evidence: Any, request: pytest.FixtureRequest) -> Iterator[World]:
    session = re.sub(r"[^A-Za-z0-9._:-]", "-", f"onb-{next(_sessions)}-{request.node.name}")[:60]
    app = device_client.credentials(stack.wultra.url, session, "onboarding-app")
    device = device_client.OnboardingDevice(stack.wultra.url, app, session=session)
    with BankClient(stack.bank.url, session=session) as bank:
        bank.add_client(evidence.customer())
    journey = journey_module.Journey(device, stack.biometry.url, evidence)
    admins = [AdminClient(s.url, session=session)
              for s in (stack.wultra, stack.sms, stack.bank, stack.biometry)]
    inbox = SmsInbox(stack.sms.url, evidence.person.phone_number, session=session)
    yield World(session, stack, journey, *admins, inbox=inbox, evidence=evidence)
    for admin in admins:
        admin.remove_faults()  # a rule without a session would outlive the test
        admin.reset(session)
        admin.close()
    device.close()
    inbox.close()
