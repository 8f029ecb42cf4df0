"""Delivery plans: the same plan as the original draw order (seven draws, then two ``uniform``)."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.sms_gateway.delivery import DRAWS, SmsFaults, draw_plan, draws_for, faults_from_text


def _reference(faults: SmsFaults, rng: random.Random) -> dict[str, Any]:
    """The plan as first written: draws taken one by one, ``uniform`` for the lag and the shuffle."""
    draws = [rng.random() for _ in range(7)]
    lag = rng.uniform(faults.delay.min_seconds, faults.delay.max_seconds)
    shuffle = rng.uniform(0.0, faults.reorder_window_seconds)
    sent_at, final_at = faults.send_seconds, faults.send_seconds + faults.deliver_seconds
    if draws[0] < faults.failed:
        return {"steps": [[sent_at, "failed"]], "errorCode": 30008, "copies": [], "faults": ["failed"]}
    if draws[1] < faults.drop:
        return {"steps": [[sent_at, "sent"]], "errorCode": None, "copies": [], "faults": ["drop"]}
    if draws[2] < faults.undelivered:
        return {"steps": [[sent_at, "sent"], [final_at, "undelivered"]], "errorCode": 30003, "copies": [],
                "faults": ["undelivered"]}
    hit = []
    if draws[3] < faults.delay.probability:
        final_at += lag
        hit.append("delay")
    if draws[4] < faults.reorder:
        final_at += shuffle
        hit.append("reorder")
    copies = [final_at]
    if draws[5] < faults.duplicate:
        copies.append(final_at + faults.duplicate_lag_seconds)
        hit.append("duplicate")
    return {"steps": [[sent_at, "sent"], [final_at, "delivered"]], "errorCode": None, "copies": copies,
            "faults": hit}


_P = st.floats(0.0, 1.0)
_S = st.floats(0.0, 600.0)


@settings(max_examples=200, deadline=None)
@given(failed=_P, drop=_P, undelivered=_P, delay=_P, reorder=_P, duplicate=_P, low=_S, span=_S, window=_S,
       stream=st.integers(0, 2**32), seed=st.none() | st.integers(0, 99), number=st.integers(1, 10**6))
def test_plans_are_bit_identical_to_the_original_draws(failed: float, drop: float, undelivered: float,
                                                       delay: float, reorder: float, duplicate: float,
                                                       low: float, span: float, window: float, stream: int,
                                                       seed: int | None, number: int) -> None:
    faults = SmsFaults(seed=seed, failed=failed, drop=drop, undelivered=undelivered, reorder=reorder,
                       duplicate=duplicate, reorder_window_seconds=window,
                       delay={"probability": delay, "minSeconds": low, "maxSeconds": low + span})
    expected_rng = random.Random(stream)
    if seed is not None:  # seeded faults: their own stream per message number
        material = f"sms-faults\x00{seed}\x00{number}".encode()
        expected_rng = random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))
    assert draw_plan(faults, number, random.Random(stream)) == _reference(faults, expected_rng)


def test_system_random_draws_are_uniform_floats() -> None:
    draws = [u for _ in range(500) for u in draws_for(SmsFaults(), 1, random.SystemRandom())]
    assert len(draws) == 500 * DRAWS
    assert all(0.0 <= u < 1.0 for u in draws)
    assert 0.45 < sum(draws) / len(draws) < 0.55
    assert len(set(draws)) == len(draws)


def test_stored_fault_settings_are_parsed_once_per_text() -> None:
    text = '{"drop":0.5}'
    assert faults_from_text(text) is faults_from_text(text)
    assert faults_from_text(text).drop == 0.5
    assert faults_from_text(None) == SmsFaults()
