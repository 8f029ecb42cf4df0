"""Twilio's date format: the direct formatter says what ``email.utils.format_datetime`` says."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from hypothesis import given
from hypothesis import strategies as st

from mocks.sms_gateway.resources import rfc2822


@given(st.floats(min_value=-2e9, max_value=2.5e11, allow_nan=False))
def test_rfc2822_matches_the_standard_library(timestamp: float) -> None:
    expected = format_datetime(datetime.fromtimestamp(timestamp, tz=UTC).replace(microsecond=0))
    assert rfc2822(timestamp) == expected


def test_rfc2822_examples() -> None:
    assert rfc2822(None) is None
    assert rfc2822(1438287151.9) == "Thu, 30 Jul 2015 20:12:31 +0000"
    assert rfc2822(0.0) == "Thu, 01 Jan 1970 00:00:00 +0000"
