"""The outbound client journals the bytes it sends (without parsing them again when it can)."""

from __future__ import annotations

import json
import math
from enum import IntEnum
from typing import Any

import pytest

from mocks.framework import Journal, RunningServer
from mocks.framework.clock import VirtualClock
from mocks.framework.journal import capture_body
from mocks.framework.outbound import OutboundClient, _is_native


class _Level(IntEnum):
    HIGH = 1


@pytest.mark.parametrize(("value", "native"), [
    ({"a": [1, 2.5, True, None, "x"]}, True),
    ({"a": {"b": [{"c": -0.0}]}}, True),
    ({"a": (1, 2)}, False),
    ({1: "x"}, False),
    ({"level": _Level.HIGH}, False),
    ([math.nan], False),
])
def test_native_values_are_those_a_json_round_trip_keeps(value: Any, native: bool) -> None:
    assert _is_native(value) is native
    if native:
        assert json.loads(json.dumps(value)) == value


@pytest.mark.parametrize("payload", [
    {"pin": "1234", "image": "QUJD" * 5000, "side": "FRONT"},
    {"otp": "99", "items": (1, 2), "when": {"n": 1}},  # a tuple: journaled from the bytes' parse
    {"level": _Level.HIGH, "token": "t"},
])
def test_the_journal_holds_the_capture_of_the_bytes_sent(server: RunningServer, payload: Any) -> None:
    journal = Journal()
    client = OutboundClient(journal, VirtualClock(), party="p")
    client.post(server.url + "/nowhere", json=payload, session="s")
    (entry,) = journal.search()
    sent = json.dumps(payload, allow_nan=False).encode()
    assert entry.outbound[0].request_body == capture_body(sent, "application/json", journal.body_limit)
    client.close()
