"""The evidence's Base64 check answers as the framework's ``Base64Str``: same verdicts, same messages.

The onboarding schemas check page images without decoding them whole (see
``mocks.wultra.onboarding.schemas._strict_base64_text``); these tests hold it to the framework's check
on edge cases and on arbitrary text built from the Base64 alphabet, padding and a few strangers.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError

from mocks.framework.errors import Base64Str
from mocks.wultra.onboarding.schemas import StrictBase64Text


class _Framework(BaseModel):
    model_config = ConfigDict(strict=True)
    value: Base64Str


class _Onboarding(BaseModel):
    model_config = ConfigDict(strict=True)
    value: StrictBase64Text


def _verdict(model: type[BaseModel], value: Any) -> tuple[str, Any]:
    try:
        return "ok", model.model_validate({"value": value}).value  # type: ignore[attr-defined]
    except ValidationError as exc:
        return "error", [(e["type"], e["msg"]) for e in exc.errors()]


EDGES = ["", "====", "ab==", "abc=", "a===", "ab=c", "=abc", "abcd====", "ab==ab==", "abc\n", "ab c",
         "abcd", "YQ==", "YR==", "YWI=", "YWJ=", "ab=", "abcde===", "====abcd", "ab\u00e9=", "-_-_",
         "AAAA" * 50 + "YR==", base64.b64encode(bytes(range(256)) * 40).decode("ascii"), None, 12,
         b"YWJj", "YWJj\x00"]


@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_edge_cases_get_the_framework_answer(value: Any) -> None:
    assert _verdict(_Onboarding, value) == _verdict(_Framework, value)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\u00e9",
               max_size=24))
def test_any_text_gets_the_framework_answer(value: str) -> None:
    assert _verdict(_Onboarding, value) == _verdict(_Framework, value)


@given(st.binary(max_size=64), st.integers(0, 3), st.sampled_from("AQgw/+=Z"))
def test_encodings_with_a_changed_last_character_get_the_framework_answer(data: bytes, back: int,
                                                                          char: str) -> None:
    text = base64.b64encode(data).decode("ascii")
    if text:
        position = max(0, len(text) - 1 - back)
        text = text[:position] + char + text[position + 1:]
    assert _verdict(_Onboarding, text) == _verdict(_Framework, text)


def test_a_valid_image_is_not_decoded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the check: the framework's (decoding) path is only for what it does not accept."""
    from mocks.wultra.onboarding import schemas

    def framework_check(value: object) -> str:
        raise AssertionError("the framework's check was used for a valid image")

    monkeypatch.setattr(schemas, "_validate_b64_str", framework_check)
    image = base64.b64encode(bytes(range(256)) * 400 + b"x").decode("ascii")
    assert _Onboarding.model_validate({"value": image}).value == image
