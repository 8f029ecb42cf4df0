"""The fast encodings give exactly the standard library's results: bytes, text, values and errors."""

from __future__ import annotations

import base64
import binascii
import json
import math
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.encoding import LONG_TEXT, b64decode_strict, b64encode, b64encode_text, json_dumps, json_loads

BASE64_CHARS = string.ascii_letters + string.digits + "+/="


def _outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return "value", fn(*args, **kwargs)
    except Exception as exc:  # the same type and message, whatever they are
        return type(exc).__name__, str(exc)


# --------------------------------------------------------------------------- Base64


@given(st.binary(max_size=2048))
def test_b64encode_is_the_standard_encoding(data: bytes) -> None:
    assert b64encode(data) == base64.b64encode(data)
    assert b64encode_text(data) == base64.b64encode(data).decode("ascii")


@given(st.binary(max_size=600))
def test_b64decode_strict_round_trips(data: bytes) -> None:
    assert b64decode_strict(base64.b64encode(data)) == data
    assert b64decode_strict(base64.b64encode(data).decode("ascii")) == data


@given(st.one_of(st.text(alphabet=BASE64_CHARS + " \n-_.é", max_size=40),
                 st.binary(max_size=40),
                 st.text(max_size=12)))
def test_b64decode_strict_accepts_and_refuses_as_the_standard_library(data: str | bytes) -> None:
    assert _outcome(b64decode_strict, data) == _outcome(base64.b64decode, data, validate=True)


@pytest.mark.parametrize("data", ["QUJD", "QUI=", "QR==", "QUJ", "QU=J", "====", "", "QUJD\n", "QUJ\u00e9",
                                  b"Q U J D", "AB==", "QUJD=", "QUJD====", "QQ==QQ==", "=QQ=", b"\xffAAA"])
def test_b64decode_strict_edge_cases(data: str | bytes) -> None:
    assert _outcome(b64decode_strict, data) == _outcome(base64.b64decode, data, validate=True)


def test_b64decode_strict_refusal_is_the_standard_error() -> None:
    with pytest.raises(binascii.Error):
        b64decode_strict("QUJ")


# --------------------------------------------------------------------------- JSON writing

# Long strings of every kind: Base64 (copied as is), with characters json escapes, non-ASCII, DEL.
long_text = st.builds(
    lambda head, tail, n: head * (LONG_TEXT // max(len(head), 1) + n) + tail,
    st.sampled_from(["QUJD", "ab+/", "x", "é", "\x7f", '"', "\\", "\n", "\x01", "\u2028", "\ud800a"]),
    st.text(max_size=8),
    st.integers(0, 3),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=20), long_text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=8), inner, max_size=5),
                            st.dictionaries(st.integers(0, 9), inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=300)
@given(values, st.sampled_from([None, (",", ":"), (", ", ": ")]), st.booleans(), st.booleans())
def test_json_dumps_is_json_dumps(value: Any, separators: tuple[str, str] | None, sort_keys: bool,
                                  ensure_ascii: bool) -> None:
    options = {"separators": separators, "sort_keys": sort_keys, "ensure_ascii": ensure_ascii}
    assert _outcome(json_dumps, value, **options) == _outcome(json.dumps, value, **options)


@given(st.dictionaries(st.text(max_size=5), st.one_of(long_text, st.floats()), min_size=1, max_size=4))
def test_json_dumps_refuses_nan_as_json_does(value: dict[str, Any]) -> None:
    expected = _outcome(json.dumps, value, allow_nan=False)
    assert _outcome(json_dumps, value, allow_nan=False) == expected


def test_json_dumps_copies_base64_and_escapes_the_rest() -> None:
    page = base64.b64encode(bytes(range(256)) * 20).decode("ascii")
    body = {"side": "FRONT", "image": page, "meta": [1, 2.5, None, "é"], "note": "é" * LONG_TEXT}
    assert json_dumps(body) == json.dumps(body)
    assert json_dumps(body, separators=(",", ":"), sort_keys=True) == json.dumps(
        body, separators=(",", ":"), sort_keys=True)


def test_json_dumps_uses_default_for_other_types() -> None:
    class Stamp:
        pass

    value = {"image": "A" * LONG_TEXT, "at": Stamp(), "n": math.pi}
    assert json_dumps(value, default=lambda _: "stamp") == json.dumps(value, default=lambda _: "stamp")
    assert _outcome(json_dumps, value)[0] == "TypeError"


def test_json_dumps_of_a_value_containing_itself_fails_as_json_does() -> None:
    loop: list[Any] = ["A" * LONG_TEXT]
    loop.append(loop)
    assert _outcome(json_dumps, loop) == _outcome(json.dumps, loop)


# --------------------------------------------------------------------------- JSON reading

json_like = st.text(alphabet='{}[]":,.-+eE0123456789 \t\ntruefalsnNaI\\u\x01é\ufeff', max_size=30)
# Long bodies take orjson's path: padded with a long string, as a body carrying an image is.
padding = "QUJD" * (LONG_TEXT // 4)
long_json_like = json_like.map(lambda t: '{"image": "' + padding + '", "x": ' + t + "}")


@settings(max_examples=300)
@given(st.one_of(json_like, long_json_like, values.map(lambda v: json.dumps(v)),
                 values.map(lambda v: json.dumps(v, ensure_ascii=False)),
                 values.map(lambda v: json.dumps([padding, v]))))
def test_json_loads_is_json_loads(text: str) -> None:
    assert _repr(_outcome(json_loads, text)) == _repr(_outcome(json.loads, text))


@given(st.one_of(json_like.map(lambda t: t.encode("utf-8")), values.map(lambda v: json.dumps(v).encode()),
                 long_json_like.map(lambda t: t.encode("utf-8")),
                 values.map(lambda v: json.dumps({"image": padding, "v": v}).encode()),
                 st.binary(max_size=20),
                 values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-16", "surrogatepass"))))
def test_json_loads_of_bytes_is_json_loads(data: bytes) -> None:
    assert _repr(_outcome(json_loads, data)) == _repr(_outcome(json.loads, data))


@pytest.mark.parametrize("text", ['{"a":1,"a":2}', "NaN", "1e400", str(2**64), str(-2**63 - 1), '"\\ud800"',
                                  "\ufeff{}", "[1,]", "-0", "0.1", "1E5", '"\x01"', "", " 7 "])
@pytest.mark.parametrize("long", [False, True])
def test_json_loads_edge_cases(text: str, long: bool) -> None:
    if long:
        text = '{"image": "' + padding + '", "x": ' + text + "}"
    assert _repr(_outcome(json_loads, text)) == _repr(_outcome(json.loads, text))
    assert _repr(_outcome(json_loads, text.encode("utf-8", "surrogatepass"))) == _repr(
        _outcome(json.loads, text.encode("utf-8", "surrogatepass")))


def _repr(outcome: tuple[str, Any]) -> str:
    """Equality that tells 1 from 1.0 and True, and NaN from NaN."""
    kind, value = outcome
    return f"{kind}:{value!r}" if kind != "value" else f"value:{_typed(value)!r}"


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return [(k, _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def test_json_loads_passes_parse_constant_to_json() -> None:
    def refuse(name: str) -> Any:
        raise ValueError(f"no {name}")

    for text in ("NaN", '{"image": "' + padding + '", "x": Infinity}'):
        assert _outcome(json_loads, text, parse_constant=refuse) == _outcome(json.loads, text,
                                                                             parse_constant=refuse)
    assert json_loads('{"image": "' + padding + '", "x": 1}', parse_constant=refuse)["x"] == 1
