"""What one scenario knows while it runs: its session, the parties, the phones, what the servers said.

Every scenario has its own ``X-Sim-Session``, so the mocks keep its state, clocks, faults and
journal apart from every other scenario running at the same time (pytest-xdist workers share one
set of parties).  ``when`` steps store what happened (an answer, or the typed error the phone got)
and ``then`` steps read it.  Moving time moves the virtual clock of every mocked party for this
session only; nothing sleeps through an expiry.  A step that needs a mock's admin API skips the
scenario when that party is a real system.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from mocks.framework import AdminClient
from simulator.device.inbox import SmsInbox, SmsMessage
from simulator.journey.events import JourneyRun
from simulator.journey.personas import Persona, persona
from simulator.journey.world import Targets

from .phone import SESSION_HEADER, PhoneTimeouts, ScenarioPhone, rest_call
from .targets import TargetsConfig

__all__ = ["SEED", "ScenarioContext", "session_name"]

#: One seed for every scenario: the same client evidence (photos, chips) is rendered once per worker.
SEED = 7
_counter = itertools.count()


def session_name(nodeid: str) -> str:
    """A session id unique to this scenario run and readable in the journals."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "w")
    tail = re.sub(r"[^A-Za-z0-9]+", "-", nodeid.rsplit("::", 1)[-1]).strip("-")[:40]
    return f"bdd-{worker}-{next(_counter)}-{os.getpid()}-{tail}"


@dataclass
class ScenarioContext:
    """The scenario's state; see the module docstring."""

    session: str
    urls: dict[str, str]
    config: TargetsConfig
    persona: Persona = field(default_factory=lambda: persona("honest-id-card"))
    version: str = "3.3"
    phones: dict[str, ScenarioPhone] = field(default_factory=dict)
    run: JourneyRun | None = None
    error: Exception | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    _admins: dict[str, AdminClient] = field(default_factory=dict)
    _http: requests.Session | None = None

    @property
    def seed(self) -> int:
        return SEED

    # ------------------------------------------------------------------ parties

    @property
    def targets(self) -> Targets:
        return Targets.from_urls(self.urls, external=self.config.real_parties,
                                 admin_token=self.config.admin_token)

    def is_mocked(self, party: str) -> bool:
        return self.config.is_mocked(party)

    def admin(self, party: str) -> AdminClient:
        """The mock's admin client for this session; skips the scenario if ``party`` is a real system."""
        if not self.is_mocked(party):
            pytest.skip(f"needs the {party} mock's admin API, but {party} is a real system at "
                        f"{self.urls[party]} ({self.config.source})")
        if party not in self._admins:
            self._admins[party] = AdminClient(self.urls[party], token=self.config.admin_token,
                                              session=self.session)
        return self._admins[party]

    def mocked_parties(self) -> list[str]:
        return [name for name in self.urls if self.is_mocked(name)]

    @property
    def http(self) -> requests.Session:
        """A plain HTTP session carrying the scenario's session header (back office, raw calls)."""
        if self._http is None:
            self._http = requests.Session()
            self._http.trust_env = False
            self._http.headers[SESSION_HEADER] = self.session
        return self._http

    def rest(self, path: str, request_object: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return rest_call(self.http, self.urls["wultra"], path, request_object)

    def activations(self, user_id: str) -> dict[str, str]:
        """The user's activations at the PowerAuth Server: id → status."""
        status, body = self.rest("/activation/list", {"userId": user_id,
                                                      "applicationId": self.targets.application_id})
        if status != 200:
            raise AssertionError(f"PowerAuth Server activation/list answered {status}: {body}")
        listed = (body.get("responseObject") or {}).get("activations", [])
        return {a["activationId"]: a["activationStatus"] for a in listed}

    # ------------------------------------------------------------------ phones

    def phone(self, name: str = "client") -> ScenarioPhone:
        """The named client's phone, arranged on first use with the scenario's persona."""
        if name not in self.phones:
            chosen = self.persona if name == "client" else persona("honest-id-card")
            self.phones[name] = ScenarioPhone(self.targets, chosen, seed=SEED + len(self.phones),
                                              session=self.session, version=self.version,
                                              timeouts=PhoneTimeouts())
        return self.phones[name]

    # ------------------------------------------------------------------ time and setup

    def advance_clocks(self, seconds: float) -> None:
        """Move every mocked party's virtual clock for this session (never sleep through an expiry)."""
        movable = [party for party in self.mocked_parties()]
        if len(movable) < len(self.urls):
            real = ", ".join(sorted(set(self.urls) - set(movable)))
            pytest.skip(f"moving time needs every party's virtual clock; {real} is a real system")
        for party in movable:
            self.admin(party).advance_clock(seconds)

    def fast_sms(self) -> None:
        """Carrier latency of a twentieth of a second, so no scenario waits seconds per SMS."""
        if not self.is_mocked("sms-gateway"):
            return
        response = self.http.put(self.urls["sms-gateway"] + "/_admin/sms-faults",
                                 json={"sendSeconds": 0.05, "deliverSeconds": 0.05}, timeout=10)
        if response.status_code != 200:
            raise RuntimeError(f"the SMS gateway refused the latency setting: {response.text[:200]}")

    def sms_to(self, number: str) -> list[SmsMessage]:
        """The messages a handset received in this session (the SMS gateway's handset inbox)."""
        self.admin("sms-gateway")  # a real gateway has no handsets to read: skip
        with SmsInbox(self.urls["sms-gateway"], number, session=self.session) as inbox:
            return inbox.messages()

    def sms_sent(self) -> list[dict[str, Any]]:
        """Every message the SMS gateway accepted for sending in this session (its journal)."""
        entries = self.admin("sms-gateway").journal(method="POST", path="/Messages", session=self.session,
                                                  limit=1000)
        return [e for e in entries if e.get("direction", "inbound") == "inbound"]

    def close(self) -> None:
        for phone in self.phones.values():
            phone.close()
        for admin in self._admins.values():
            admin.close()
        if self._http is not None:
            self._http.close()
