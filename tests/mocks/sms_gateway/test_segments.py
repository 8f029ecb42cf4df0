"""Segment counting: GSM-7 160/153 septets, UCS-2 70/67 code units."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mocks.sms_gateway.segments import GSM7_BASIC, count_segments


def test_gsm7_boundaries() -> None:
    assert count_segments("a" * 160).segments == 1
    assert count_segments("a" * 161).segments == 2
    assert count_segments("a" * 306).segments == 2
    assert count_segments("a" * 307).segments == 3
    assert count_segments("a" * 160).encoding == "GSM-7"


def test_extension_characters_cost_two_septets() -> None:
    info = count_segments("€" * 80)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", 160, 1)
    assert count_segments("€" * 81).segments == 2


def test_ucs2_boundaries() -> None:
    assert count_segments("ř" * 70).segments == 1
    assert count_segments("ř" * 71).segments == 2
    assert count_segments("ř" * 134).segments == 2
    assert count_segments("ř" * 135).segments == 3
    assert count_segments("ř").encoding == "UCS-2"


def test_one_foreign_character_switches_the_whole_body_to_ucs2() -> None:
    assert count_segments("a" * 69 + "😀").units == 71  # the emoji is a surrogate pair
    assert count_segments("a" * 69 + "😀").segments == 2


@given(st.text(alphabet=sorted(GSM7_BASIC), min_size=1, max_size=1600))
def test_gsm7_segments_hold_the_body(body: str) -> None:
    info = count_segments(body)
    assert info.encoding == "GSM-7" and info.units == len(body)
    capacity = 160 if info.segments == 1 else 153 * info.segments
    assert info.units <= capacity
    assert info.segments == 1 or info.units > 153 * (info.segments - 1)


@given(st.text(min_size=1, max_size=400))
def test_any_text_gets_a_positive_segment_count(body: str) -> None:
    info = count_segments(body)
    per = {"GSM-7": (160, 153), "UCS-2": (70, 67)}[info.encoding]
    assert info.segments >= 1
    assert info.units <= (per[0] if info.segments == 1 else per[1] * info.segments)
