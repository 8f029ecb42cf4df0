"""The deliberate defect switch: with it, an impostor gets an activation code (so a suite can catch it)."""

from __future__ import annotations

from typing import Any

WULTRA_EXTRA = {"mutations": ["issue_code_before_presence_check"]}


def test_mutant_issues_the_code_to_an_impostor_with_the_right_otp(world: Any) -> None:
    journey = world.journey
    journey.start()
    otp = world.read_otp()
    assert journey.identity("/api/identity/init").ok
    assert journey.submit_id_card().ok
    journey.poll_until("PRESENCE_CHECK", "NOT_INITIALIZED")
    journey.presence(face="mallory")
    assert journey.verify(otp)["verified"] is True
    assert journey.activation_code()["activationCode"]
