"""One load-test client: runs whole journeys and reports each step and each journey as a request.

This is the locust user's body without locust (so it can be tested and benchmarked in a plain
process).  Each journey draws a persona from the mix and a client from a bounded pool of seeds, uses
its own isolation session, and reports through a callback:

* one ``STEP`` request per step reached, named ``"NN step name"``, with the step's wall time, and
  an exception only when the step failed *unexpectedly* (a persona stopped at its expected step -
  an impostor at step 8 - is the system doing its job);
* one ``JOURNEY`` request named after the persona, with the journey's total time (the sum of its
  steps; setting up the world before step 1 is the bank's back office, not the client's wait), an
  exception unless the persona ended as it must.

Why a bounded seed pool: the client's evidence (document photos, chip files) for a (persona, seed)
costs the load generator real CPU to render (around a second) and is cached by the journey's world
module; a new seed per journey would measure the renderer, not the system.  :meth:`warm` renders the
pool before measuring.  The cache holds 256 entries, so the pool per persona is capped to fit.

SMS latency: our SMS gateway delays each hop by default (seconds, as a carrier does); a load run
sets a short latency per session (``sms_seconds``, default 50 ms per hop) so the journey measures
the parties, not a simulated carrier.  ``None`` leaves the gateway's own latency (and is forced when
the gateway is a real system).

Connections: a client keeps its HTTP connections to the parties alive from one journey to the next
(``reuse_connections``, on by default; :class:`simulator.journey.connections.SharedConnections`), as
a load tool's user keeps its session: every journey still has its own sessions, headers and
isolation, but not a TCP connect, a server thread and a close per session and party - where the
parties keep connections alive (the production server, ``rsim load``'s default; real systems; the
threaded development server closes each connection after its response).
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from simulator.device.phone_http import PhoneSession
from simulator.journey.connections import SharedConnections
from simulator.journey.events import JourneyRun, StepEvent
from simulator.journey.personas import Persona
from simulator.journey.runner import SESSION_HEADER, JourneyOptions, run_journey
from simulator.journey.world import EVIDENCE_CACHE_SIZE, ArrangeError, warm_evidence

from .mix import PersonaMix
from .slo import JOURNEY, STEP
from .targets import TargetsSpec

__all__ = [
    "ARRANGE_STEP", "EVIDENCE_CACHE_SIZE", "DriverSettings", "JourneyDriver", "JourneyFailed", "Report",
    "StepFailedUnexpectedly", "step_name",
]

#: The request name under which a failure to set up the world before step 1 is reported.
ARRANGE_STEP = "00 world before step 1"

#: ``report(request_type, name, ms, exception_or_None)``.
Report = Callable[[str, str, float, BaseException | None], None]


class StepFailedUnexpectedly(Exception):
    """A step failed where the persona should have passed it; the message is what the phone saw."""


class JourneyFailed(Exception):
    """The journey did not end as the persona must (reactivated, or stopped at its expected step)."""


def _interrupted() -> bool:
    """Whether the step ended because the user is being stopped (``GreenletExit``, ``KeyboardInterrupt``):
    the journey reports its steps from a ``finally``, which also runs when locust kills a user."""
    current = sys.exc_info()[1]
    return current is not None and not isinstance(current, Exception)


def step_name(event: StepEvent) -> str:
    """``"08 OTP verified, activation code issued"``: sortable, and readable in locust's tables."""
    return f"{event.number:02d} {event.name}"


@dataclass(frozen=True)
class DriverSettings:
    """What the client does: who comes (mix), from how many distinct clients, and its waits."""

    mix: PersonaMix
    seed_pool: int = 10
    sms_seconds: float | None = 0.05
    options: JourneyOptions = field(default_factory=lambda: JourneyOptions(
        sms_timeout=20.0, verification_timeout=60.0, poll_interval=0.05))
    reuse_connections: bool = True

    def __post_init__(self) -> None:
        if self.seed_pool < 1:
            raise ValueError(f"the seed pool needs at least 1 seed, got {self.seed_pool}")
        if self.sms_seconds is not None and not 0 <= self.sms_seconds <= 60:
            raise ValueError(f"sms_seconds must be between 0 and 60, got {self.sms_seconds}")

    @property
    def seeds_per_persona(self) -> int:
        """The pool, capped so that every (persona, seed) of the mix fits in the evidence cache."""
        return max(1, min(self.seed_pool, EVIDENCE_CACHE_SIZE // len(self.mix.personas)))


class JourneyDriver:
    """Runs journeys one after another for one load-test user."""

    def __init__(self, spec: TargetsSpec, settings: DriverSettings, report: Report,
                 rng: random.Random | None = None) -> None:
        self.spec, self.settings, self.report = spec, settings, report
        self.targets = spec.targets()
        self.rng = rng or random.Random()
        self.connections = SharedConnections() if settings.reuse_connections else None
        self.http = PhoneSession(self.connections)

    def close(self) -> None:
        self.http.close()
        if self.connections is not None:
            self.connections.shutdown()

    def warm(self) -> int:
        """Render the evidence of every (persona, seed) in the pool; returns how many."""
        count = 0
        for who in self.settings.mix.personas:
            for seed in self._seeds():
                warm_evidence(who, seed)
                count += 1
        return count

    def _seeds(self) -> range:
        return range(1, self.settings.seeds_per_persona + 1)

    def _fast_sms(self, session: str) -> None:
        if self.settings.sms_seconds is None or not self.spec.is_ours("sms-gateway"):
            return
        seconds = self.settings.sms_seconds
        headers = {SESSION_HEADER: session}
        if self.spec.admin_token:
            headers["X-Admin-Token"] = self.spec.admin_token
        self.http.put(f"{self.spec.urls['sms-gateway']}/_admin/sms-faults",
                      json={"sendSeconds": seconds, "deliverSeconds": seconds}, headers=headers,
                      timeout=10).raise_for_status()

    def _on_step(self, who: Persona) -> Callable[[StepEvent], None]:
        def on_step(event: StepEvent) -> None:
            if _interrupted():
                return  # the run is being stopped mid-step: not a result of the system under test
            expected = not event.ok and event.number == who.expected_failure
            error = None if event.ok or expected else StepFailedUnexpectedly(event.detail or "step failed")
            self.report(STEP, step_name(event), event.ms, error)
        return on_step

    def run_one(self) -> JourneyRun | None:
        """Draw a persona and a client, run the journey, report it; ``None`` if the world was not set up."""
        who = self.settings.mix.draw(self.rng)
        seed = self.rng.choice(self._seeds())
        session = f"load-{who.name}-{seed}-{uuid.uuid4().hex[:12]}"
        started = time.perf_counter()
        try:
            self._fast_sms(session)
            run = run_journey(self.targets, who, seed=seed, session=session, options=self.settings.options,
                              on_step=self._on_step(who), connections=self.connections)
        except (ArrangeError, requests.RequestException) as exc:
            ms = (time.perf_counter() - started) * 1000
            self.report(STEP, ARRANGE_STEP, ms, exc)
            self.report(JOURNEY, who.name, ms, JourneyFailed(f"world not set up: {exc}"))
            return None
        error = None
        if not run.as_expected:
            failed = run.failed_step
            where = f"step {failed.number} failed: {failed.detail}" if failed else "ended early"
            want = "reactivation" if who.must_succeed else f"a stop at step {who.expected_failure}"
            error = JourneyFailed(f"{who.name} (seed {seed}) wanted {want}; {where}")
        self.report(JOURNEY, who.name, run.ms, error)
        return run
