"""The persona mix: parsing, refusals with reasons, and draws in proportion to the weights."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadtests.mix import DEFAULT_MIX, MixError, parse_mix
from simulator.journey.personas import PERSONAS

NAMES = [p.name for p in PERSONAS]


def test_default_mix_parses_with_its_shares() -> None:
    mix = parse_mix(DEFAULT_MIX)
    assert [p.name for p in mix.personas] == ["honest-id-card", "impostor", "otp-typo"]
    assert mix.share("honest-id-card") == pytest.approx(0.8)
    assert mix.share("impostor") == pytest.approx(0.1)


def test_bare_name_weighs_one_and_zero_weight_is_never_drawn() -> None:
    mix = parse_mix("impostor, honest-passport=0")
    rng = random.Random(3)
    assert {mix.draw(rng).name for _ in range(200)} == {"impostor"}


@pytest.mark.parametrize(("text", "reason"), [
    ("", "at least one persona"),
    ("honest-id-card=0", "at least one persona"),
    ("nobody=1", "unknown persona 'nobody'"),
    ("impostor=x", "must be a number"),
    ("impostor=-1", "≥ 0"),
    ("impostor=nan", "finite"),
    ("impostor=1,impostor=2", "appears twice"),
])
def test_bad_mix_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(MixError, match=reason):
        parse_mix(text)


def test_draws_follow_the_weights() -> None:
    mix = parse_mix("honest-id-card=3,impostor=1")
    rng = random.Random(11)
    counts = Counter(mix.draw(rng).name for _ in range(8000))
    assert counts["honest-id-card"] / 8000 == pytest.approx(0.75, abs=0.03)


@given(st.dictionaries(st.sampled_from(NAMES), st.integers(min_value=1, max_value=50), min_size=1))
def test_written_mix_parses_back_to_itself(weights: dict[str, int]) -> None:
    mix = parse_mix(",".join(f"{name}={weight}" for name, weight in weights.items()))
    assert parse_mix(str(mix)) == mix
    assert {p.name: w for p, w in mix.entries} == weights


@given(st.text(max_size=40))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        mix = parse_mix(text)
    except MixError:
        return
    assert mix.personas
