"""The whole journey against parties served by the production server in their own processes: one
worker each on the in-memory store (``rsim load``'s default), and two workers each sharing state,
clocks and journals through a real Redis server."""

from __future__ import annotations

import shutil
import uuid

import psutil
import pytest
import requests

from mocks.framework import AdminClient
from simulator.journey.personas import persona
from simulator.journey.runner import JourneyOptions, run_journey
from simulator.journey.world import Targets
from simulator.stack import Stack, StackSettings

_NO_REDIS = pytest.mark.skipif(shutil.which("redis-server") is None,
                               reason="redis-server is not installed (Debian package redis-server)")


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=_NO_REDIS)])
def test_journey_across_worker_processes(workers: int) -> None:
    session = f"workers-{uuid.uuid4().hex[:6]}"
    with Stack(StackSettings(free_ports=True, seed=5, server="production", workers=workers)) as stack:
        children = psutil.Process().children(recursive=True)
        assert len(children) >= 4  # at least one process per party, none of them this one
        requests.put(f"{stack.urls['sms-gateway']}/_admin/sms-faults",
                     json={"sendSeconds": 0.05, "deliverSeconds": 0.05},
                     headers={"X-Sim-Session": session}, timeout=5).raise_for_status()
        run = run_journey(Targets.from_urls(stack.urls), persona("otp-typo"), seed=5, session=session,
                          options=JourneyOptions(sms_timeout=5.0, poll_interval=0.05))
        assert run.ok, run.to_json()
        wultra = AdminClient(stack.urls["wultra"])
        # One journal per party (across its workers): every step's calls to the Wultra mock are in it.
        paths = {entry["path"] for entry in wultra.journal(session=session)}
        assert {"/enrollment-server/pa/v3/activation/create",
                "/enrollment-server-onboarding/api/identity/otp/verify"} <= paths
        # The virtual clock is the party's own, whichever process answers.
        wultra.advance_clock(3600, session=session)
        assert wultra.clock(session=session)["sessionOffsetSeconds"] == 3600
        assert AdminClient(stack.urls["bank"]).clock(session=session)["sessionOffsetSeconds"] == 0
    # Stopping the stack leaves no server process behind.
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
