"""Helpers the step modules share: run a move and keep the phone's error for the ``then`` steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import requests

from simulator.device.face_sdk import FaceSdkError
from simulator.device.inbox import InboxError
from simulator.device.onboarding_client import OnboardingError
from simulator.device.powerauth_sdk import PowerAuthSdkError

from ..context import ScenarioContext

__all__ = ["EXPECTED_ERRORS", "attempt"]

T = TypeVar("T")

#: What a phone may legitimately get back from a party that refuses a move.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (
    OnboardingError, PowerAuthSdkError, FaceSdkError, InboxError, requests.RequestException,
)


def attempt(ctx: ScenarioContext, move: Callable[[], T]) -> T | None:
    """Run ``move``; a refusal is stored in ``ctx.error`` (cleared first) instead of failing the step."""
    ctx.error = None
    try:
        return move()
    except EXPECTED_ERRORS as exc:
        ctx.error = exc
        return None
