"""The OTP model inside the Wultra app (no HTTP): generation, salted storage, checks, expiry, resend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.framework import current_runtime, store
from mocks.wultra.app import create_app
from mocks.wultra.onboarding import otp
from mocks.wultra.onboarding.exceptions import OnboardingOtpError
from mocks.wultra.onboarding.settings import OnboardingSettings

SETTINGS = OnboardingSettings()


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"seed": 9})


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"X-Sim-Session": "otp-unit"}):
        yield
        current_runtime().reset("otp-unit")


def _advance(seconds: float) -> None:
    current_runtime().clock.advance(seconds, "otp-unit")


def test_code_is_numeric_of_the_configured_length_and_never_stored(ctx: None) -> None:
    code = otp.issue("p1", SETTINGS, resend=False)
    assert len(code) == 8 and code.isdigit()
    assert code not in str(store().scan("onb:otp:"))
    assert otp.check("p1", code) is otp.OtpCheck.MATCH


@settings(max_examples=30, deadline=None)
@given(guess=st.text(min_size=1, max_size=12))
def test_any_other_guess_is_a_mismatch(app: Flask, guess: str) -> None:
    with app.test_request_context(headers={"X-Sim-Session": "otp-guess"}):
        code = otp.issue("p2", SETTINGS, resend=False)
        expected = otp.OtpCheck.MATCH if guess == code else otp.OtpCheck.MISMATCH
        assert otp.check("p2", guess) is expected
        current_runtime().reset("otp-guess")


def test_expiry_after_five_minutes(ctx: None) -> None:
    code = otp.issue("p3", SETTINGS, resend=False)
    _advance(299)
    assert not otp.is_expired("p3")
    _advance(2)
    assert otp.check("p3", code) is otp.OtpCheck.EXPIRED
    assert otp.status_of("p3") is otp.OtpStatus.FAILED
    assert otp.check("p3", code) is otp.OtpCheck.NOT_ACTIVE


def test_resend_period_and_invalidation(ctx: None) -> None:
    first = otp.issue("p4", SETTINGS, resend=False)
    with pytest.raises(OnboardingOtpError):
        otp.issue("p4", SETTINGS, resend=False)
    _advance(29)
    with pytest.raises(OnboardingOtpError):
        otp.issue("p4", SETTINGS, resend=True)
    _advance(2)
    second = otp.issue("p4", SETTINGS, resend=True)
    assert first != second                        # seeded: the draw is fixed
    assert otp.check("p4", first) is otp.OtpCheck.MISMATCH
    assert otp.check("p4", second) is otp.OtpCheck.MATCH
    otp.set_status("p4", otp.OtpStatus.VERIFIED)
    _advance(31)
    with pytest.raises(OnboardingOtpError):
        otp.issue("p4", SETTINGS, resend=True)
