"""The send's own form reading gives exactly what Werkzeug's form parser gives."""

from __future__ import annotations

import pytest
from flask import request
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.sms_gateway.app import create_app
from mocks.sms_gateway.forms import URLENCODED, form_fields

APP = create_app()

TRICKY = [
    b"",
    b"To=%2B420601234567&From=%2B15005550006&Body=Your+code+is+1234",
    b"Body=a&Body=b&Body=",
    b"To&From=&=x&&",
    b"Body=%zz%4&Body=%ff%fe&Body=%C5%BE%E2%82%AC",
    b"Body=\xc5\xbe\xe2\x82\xac+ok",
    b"Body=\xff\xfe",  # not UTF-8: Werkzeug gives an empty form
    b"a=1;b=2&c=3",
    b"To=%00&%3D=%26",
]


def _werkzeug(body: bytes, content_type: str) -> dict[str, list[str]]:
    with APP.test_request_context("/", method="POST", data=body, content_type=content_type):
        return request.form.to_dict(flat=False)


def _ours(body: bytes, content_type: str) -> dict[str, list[str]]:
    with APP.test_request_context("/", method="POST", data=body, content_type=content_type):
        return form_fields()


@pytest.mark.parametrize("body", TRICKY)
@pytest.mark.parametrize("content_type", [URLENCODED, f"{URLENCODED}; charset=utf-8", "text/plain"])
def test_fields_match_werkzeug(body: bytes, content_type: str) -> None:
    assert _ours(body, content_type) == _werkzeug(body, content_type)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(alphabet="ab=&+%;2FfCc5\u017e\x00 ", max_size=40).map(str.encode))
def test_any_body_matches_werkzeug(body: bytes) -> None:
    assert _ours(body, URLENCODED) == _werkzeug(body, URLENCODED)


def test_multipart_still_goes_through_werkzeug() -> None:
    with APP.test_request_context("/", method="POST", data={"To": "+420601234567", "Body": "hi"}):
        assert form_fields() == {"To": ["+420601234567"], "Body": ["hi"]}
