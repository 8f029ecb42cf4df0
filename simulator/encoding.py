"""Base64 and JSON for big bodies: the standard library's results, at SIMD speed.

A leaf module (no project imports), shared by the parties' framework and the virtual device alike.

A journey moves about 1.5 MB of Base64 inside JSON (document pages, face frames, the ECIES envelope
of the document upload), and every party on the way decodes, checks or re-encodes it.  The standard
library goes byte by byte there: ``base64.b64decode(validate=True)`` of a 440 kB page takes about
1.3 ms and ``json.dumps`` of it about 1.2 ms (its ASCII escaper), where pybase64 (SIMD) and orjson
take tens of microseconds.  These functions give exactly what the standard library gives - the same
bytes, the same text, the same acceptance and the same exceptions with the same messages - so a
caller swaps them in without changing what goes on the wire or what is refused:

* :func:`b64encode` / :func:`b64encode_text` - ``base64.b64encode``;
* :func:`b64decode_strict` - ``base64.b64decode(data, validate=True)``; whatever pybase64 refuses
  goes to the standard library, for its error - or its value: it takes padding pybase64 does not
  (``"QUJD="``, ``"QUJD===="`` decode to ``b"ABC"`` there);
* :func:`json_dumps` - ``json.dumps`` with the given separators, ``sort_keys``, ``allow_nan``,
  ``default`` and ``ensure_ascii`` (no indent): a value holding long strings is written by joining
  its few containers here, each long string that needs no escaping is copied as it is (orjson tells
  which in one pass), everything else goes through ``json.dumps``;
* :func:`json_loads` - ``json.loads``: a long text of a few containers around strings (a body
  carrying images) is parsed by orjson; anything else - short text, many items, any number with a
  fraction or exponent (orjson also reads an integer beyond 64 bits as a float) - and anything orjson
  refuses (NaN, lone surrogates, UTF-16 input, malformed text ...) is parsed by ``json``, for its
  value or its error.  The tests hold the two to equal values.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import orjson
import pybase64

__all__ = ["b64decode_strict", "b64encode", "b64encode_text", "json_dumps", "json_loads"]

#: Strings at least this long are worth copying past ``json``'s escaper.
LONG_TEXT = 1024
#: Containers and items looked at before deciding a value is not a few containers around big strings.
MAX_NODES = 64


def b64encode(data: bytes | bytearray | memoryview) -> bytes:
    """``base64.b64encode(data)``."""
    return pybase64.b64encode(data)


def b64encode_text(data: bytes | bytearray | memoryview) -> str:
    """``base64.b64encode(data).decode("ascii")``."""
    return pybase64.b64encode_as_string(data)


def b64decode_strict(data: str | bytes | bytearray) -> bytes:
    """``base64.b64decode(data, validate=True)``: the same bytes, or the same exception."""
    try:
        return pybase64.b64decode(data, validate=True)
    except (ValueError, TypeError):
        return base64.b64decode(data, validate=True)  # its error, or its value for surplus padding


def json_loads(data: str | bytes | bytearray, *, parse_constant: Callable[[str], Any] | None = None) -> Any:
    """``json.loads(data, parse_constant=...)``: orjson's parse of a long body of strings, else
    ``json``'s value or error (orjson refuses ``NaN`` and ``Infinity``, so ``parse_constant`` is
    only ever called by ``json``)."""
    if len(data) >= LONG_TEXT:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            if _few_nodes_no_float(value):
                return value
    return json.loads(data, parse_constant=parse_constant)


def json_dumps(
    value: Any,
    *,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
    allow_nan: bool = True,
    default: Callable[[Any], Any] | None = None,
    ensure_ascii: bool = True,
) -> str:
    """``json.dumps(value, separators=..., sort_keys=..., allow_nan=..., default=..., ensure_ascii=...)``,
    exactly."""
    item_sep, key_sep = separators if separators is not None else (", ", ": ")

    def plain(part: Any) -> str:
        return json.dumps(part, separators=(item_sep, key_sep), sort_keys=sort_keys, allow_nan=allow_nan,
                          default=default, ensure_ascii=ensure_ascii)

    if not _holds_long_text(value):
        return plain(value)

    def text(part: str) -> str:
        return json.dumps(part, ensure_ascii=ensure_ascii)

    def write(part: Any) -> str:
        kind = type(part)
        if kind is str:
            return _string(part, ensure_ascii) if len(part) >= LONG_TEXT else text(part)
        if kind is dict and all(type(key) is str for key in part):
            items = sorted(part.items()) if sort_keys else part.items()
            return "{" + item_sep.join(text(key) + key_sep + write(item) for key, item in items) + "}"
        if kind is list or kind is tuple:
            return "[" + item_sep.join(write(item) for item in part) + "]"
        return plain(part)

    try:
        return write(value)
    except RecursionError:  # a value that contains itself: json says so in its own words
        return plain(value)


def _string(text: str, ensure_ascii: bool) -> str:
    """``json.dumps(text, ensure_ascii=...)`` of a long string; Base64 and other plain ASCII are
    copied as they are."""
    # orjson escapes ASCII as json does (quote, backslash, control characters; DEL only json with
    # ensure_ascii): when it escaped nothing, the text goes in as it is either way
    if text.isascii() and "\x7f" not in text and len(orjson.dumps(text)) == len(text) + 2:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=ensure_ascii)


def _few_nodes_no_float(value: Any) -> bool:
    """Whether orjson's ``value`` has at most :data:`MAX_NODES` items and no float (which might have
    been an integer too big for orjson)."""
    pending = [value]
    seen = 0
    while pending:
        part = pending.pop()
        seen += 1
        kind = type(part)
        if seen > MAX_NODES or kind is float:
            return False
        if kind is dict:
            pending.extend(part.values())
        elif kind is list:
            pending.extend(part)
    return True


def _holds_long_text(value: Any) -> bool:
    """Whether ``value`` is a few plain containers (at most :data:`MAX_NODES` items) around at least
    one long string - the shape of a body carrying images; anything bigger is left to ``json``."""
    pending = [value]
    seen = 0
    found = False
    while pending:
        part = pending.pop()
        seen += 1
        if seen > MAX_NODES:
            return False
        kind = type(part)
        if kind is str:
            found = found or len(part) >= LONG_TEXT
        elif kind is dict:
            pending.extend(part.values())
        elif kind is list or kind is tuple:
            pending.extend(part)
    return found
