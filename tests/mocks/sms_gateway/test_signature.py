"""X-Twilio-Signature: HMAC-SHA1 over URL + sorted params, Base64."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from mocks.sms_gateway.signature import signature, valid_signature

URL = "https://example.com/status"


def test_matches_an_independent_computation() -> None:
    params = {"To": "+420601234567", "MessageStatus": "delivered", "AccountSid": "AC1"}
    material = URL + "AccountSidAC1MessageStatusdeliveredTo+420601234567"
    expected = base64.b64encode(hmac.new(b"secret", material.encode(), hashlib.sha1).digest()).decode()
    assert signature("secret", URL, params) == expected


@given(st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=6))
def test_round_trip_and_tamper(params: dict[str, str]) -> None:
    sig = signature("token", URL, params)
    assert valid_signature("token", URL, params, sig)
    assert not valid_signature("other", URL, params, sig)
    assert not valid_signature("token", URL + "x", params, sig)
    assert not valid_signature("token", URL, params, "not base64!")
