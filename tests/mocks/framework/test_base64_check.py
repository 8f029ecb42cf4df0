"""``Base64Str`` accepts what the decoding check accepts, and only that, refusing in its words.

These tests hold the pydantic field to :func:`decode_base64` (which refuses, with the reason,
whatever it does not accept) on edge cases and on arbitrary text built from the Base64 alphabet,
padding and a few strangers.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError

from mocks.framework.errors import Base64Str, InvalidBase64Error, decode_base64


class _Model(BaseModel):
    model_config = ConfigDict(strict=True)
    value: Base64Str


def _decodes(value: Any) -> str | None:
    """``None`` when the decoding check accepts ``value``, else its reason."""
    try:
        decode_base64(value, field="value")
    except InvalidBase64Error as exc:
        return exc.message.removeprefix("value: ")
    return None


def _field_refusal(value: Any) -> str | None:
    """``None`` when ``Base64Str`` accepts ``value`` (kept as it is), else its reason."""
    try:
        accepted = _Model.model_validate({"value": value}).value
    except ValidationError as exc:
        return str(exc.errors()[0]["ctx"]["error"])
    assert accepted == value
    return None


EDGES = ["", "====", "ab==", "abc=", "a===", "ab=c", "=abc", "abcd====", "ab==ab==", "abc\n", "ab c",
         "abcd", "YQ==", "YR==", "YWI=", "YWJ=", "ab=", "abcde===", "====abcd", "ab\u00e9=", "-_-_",
         "AAAA" * 50 + "YR==", base64.b64encode(bytes(range(256)) * 40).decode("ascii"), None, 12,
         b"YWJj", "YWJj\x00"]


@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_edge_cases_get_the_decoding_answer(value: Any) -> None:
    assert _field_refusal(value) == _decodes(value)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\u00e9",
               max_size=24))
def test_any_text_gets_the_decoding_answer(value: str) -> None:
    assert _field_refusal(value) == _decodes(value)


@given(st.binary(max_size=64), st.integers(0, 3), st.sampled_from("AQgw/+=Z"))
def test_encodings_with_a_changed_last_character_get_the_decoding_answer(data: bytes, back: int,
                                                                         char: str) -> None:
    text = base64.b64encode(data).decode("ascii")
    if text:
        position = max(0, len(text) - 1 - back)
        text = text[:position] + char + text[position + 1:]
    assert _field_refusal(text) == _decodes(text)
