"""Settings that change the rules: the consent guard, and an adapter behind HTTP Basic."""

from __future__ import annotations

from typing import Any

WULTRA_EXTRA = {"require_consent": True, "bank_username": "wultra", "bank_password": "adapter-secret"}
BANK_EXTRA = {"adapter_username": "wultra", "adapter_password": "adapter-secret"}


def test_init_waits_for_an_approved_consent(world: Any) -> None:
    journey = world.journey
    journey.start()
    world.read_otp()                       # the bank took /otp/send with Basic auth: the SMS came
    refused = journey.identity("/api/identity/init")
    assert (refused.status, refused.code) == (400, "IDENTITY_VERIFICATION_FAILED")
    assert journey.identity("/api/identity/consent/approve", approved=False).ok
    refused = journey.identity("/api/identity/init")
    assert (refused.status, refused.code) == (400, "IDENTITY_VERIFICATION_FAILED")
    assert journey.identity("/api/identity/consent/approve", approved=True).ok
    assert journey.identity("/api/identity/init").ok
    assert journey.status() == ("DOCUMENT_UPLOAD", "IN_PROGRESS")
