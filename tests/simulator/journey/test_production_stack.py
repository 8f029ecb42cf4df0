"""The whole journey against parties served by a production server with two workers each, sharing
state, clocks and journals through a real Redis server."""

from __future__ import annotations

import shutil
import uuid

import pytest
import requests

from mocks.framework import AdminClient
from simulator.journey.personas import persona
from simulator.journey.runner import JourneyOptions, run_journey
from simulator.journey.world import Targets
from simulator.stack import Stack, StackSettings

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed (Debian package redis-server)")


def test_journey_across_worker_processes() -> None:
    session = f"workers-{uuid.uuid4().hex[:6]}"
    with Stack(StackSettings(free_ports=True, seed=5, workers=2)) as stack:
        requests.put(f"{stack.urls['sms-gateway']}/_admin/sms-faults",
                     json={"sendSeconds": 0.05, "deliverSeconds": 0.05},
                     headers={"X-Sim-Session": session}, timeout=5).raise_for_status()
        run = run_journey(Targets.from_urls(stack.urls), persona("otp-typo"), seed=5, session=session,
                          options=JourneyOptions(sms_timeout=5.0, poll_interval=0.05))
        assert run.ok, run.to_json()
        # One journal across the workers: every step's calls to the Wultra mock are in it.
        paths = {entry["path"] for entry in AdminClient(stack.urls["wultra"]).journal(session=session)}
        assert {"/enrollment-server/pa/v3/activation/create",
                "/enrollment-server-onboarding/api/identity/otp/verify"} <= paths
