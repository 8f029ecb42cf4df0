"""Flash liveness: challenge JSON, genuine sessions pass, each attack fails for its own reason."""

import io
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from simulator.identity.faces.errors import ChallengeFormatError
from simulator.identity.faces.liveness import (
    CHALLENGE_MISMATCH,
    FACE_NOT_FOUND,
    FLAT_SURFACE,
    FRAME_SIZE,
    INVALID_CAPTURE,
    NO_REFLECTION,
    PALETTE,
    AttackKind,
    LivenessChallenge,
    LivenessVerifier,
    capture_session,
    stage_attack,
)
from simulator.identity.faces.matcher import FaceMatcher
from simulator.identity.faces.render import portrait_jpeg

VERIFIER = LivenessVerifier()
IDS = ("live-a", "live-b", "live-c")
EXPECTED = {
    AttackKind.REPLAY: CHALLENGE_MISMATCH,
    AttackKind.STATIC: NO_REFLECTION,
    AttackKind.PRINT: NO_REFLECTION,
    AttackKind.CUTOUT: FLAT_SURFACE,
    AttackKind.SCREEN: NO_REFLECTION,
}

colour_lists = st.lists(st.sampled_from(sorted(PALETTE)), min_size=4, max_size=16)
nonces = st.text(alphabet="0123456789abcdef", min_size=16, max_size=64)


@settings(max_examples=80)
@given(nonces, colour_lists, st.integers(min_value=50, max_value=2000))
def test_challenge_json_round_trip(nonce: str, colours: list[str], slot_ms: int) -> None:
    challenge = LivenessChallenge(nonce, tuple(colours), slot_ms)
    back = LivenessChallenge.from_json(challenge.to_json())
    assert back == challenge
    assert back.slots[0] == "ambient" and back.slots[1:] == tuple(colours)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.text(alphabet="0123456789abcdefredgn", max_size=40)
    | st.sampled_from(sorted(PALETTE)),
    lambda inner: st.lists(inner, max_size=10)
    | st.dictionaries(st.sampled_from(["version", "nonce", "colours", "slotMs", "extra"]), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=150)
@given(json_values)
def test_any_json_is_parsed_or_rejected_with_typed_error(value: object) -> None:
    try:
        challenge = LivenessChallenge.from_json(json.dumps(value))
    except ChallengeFormatError:
        return
    assert LivenessChallenge.from_json(challenge.to_json()) == challenge
    assert set(challenge.colours) <= set(PALETTE)


def test_non_json_is_rejected() -> None:
    for text in ("", "{", "null", b"\xff\xfe"):
        with pytest.raises(ChallengeFormatError):
            LivenessChallenge.from_json(text)


@pytest.mark.parametrize("payload", [
    {"version": 2, "nonce": "0" * 32, "colours": ["red"] * 8},
    {"version": 1, "nonce": "xyz", "colours": ["red"] * 8},
    {"version": 1, "nonce": "0" * 32, "colours": ["red", "purple", "blue", "green"]},
    {"version": 1, "nonce": "0" * 32, "colours": ["red"]},
    {"version": 1, "nonce": "0" * 32, "colours": "red,green"},
    {"version": 1, "nonce": "0" * 32, "colours": ["red"] * 8, "slotMs": True},
    [1, 2, 3],
])
def test_malformed_challenges_are_rejected(payload: object) -> None:
    with pytest.raises(ChallengeFormatError):
        LivenessChallenge.from_json(json.dumps(payload))


def test_generated_challenges_are_seeded_and_never_repeat_a_slot() -> None:
    a = LivenessChallenge.generate(random.Random(5))
    assert a == LivenessChallenge.generate(random.Random(5))
    assert len(a.colours) == 8
    assert all(x != y for x, y in zip(a.colours, a.colours[1:], strict=False))


def test_genuine_sessions_pass() -> None:
    rng = random.Random(41)
    for ident in IDS:
        challenge = LivenessChallenge.generate(rng)
        frames = capture_session(ident, challenge, rng)
        assert len(frames) == len(challenge.slots)
        assert Image.open(io.BytesIO(frames[0])).size == FRAME_SIZE
        result = VERIFIER.verify(frames, challenge)
        assert result.passed and result.reason is None, (ident, result)
        assert result.signals["slots_matched"] >= len(challenge.colours) - 1


@pytest.mark.parametrize("kind", list(AttackKind))
def test_each_attack_fails_with_its_own_reason(kind: AttackKind) -> None:
    rng = random.Random(42)
    for ident in IDS:
        challenge = LivenessChallenge.generate(rng)
        result = VERIFIER.verify(stage_attack(kind, ident, challenge, rng), challenge)
        assert not result.passed
        assert result.reason == EXPECTED[kind], (kind, ident, result)


def test_genuine_live_frame_matches_the_portrait_and_not_another() -> None:
    rng = random.Random(43)
    challenge = LivenessChallenge.generate(rng)
    frames = capture_session("live-a", challenge, rng)
    result = VERIFIER.verify(frames, challenge)
    face = frames[result.signals["face_frame"]]
    matcher = FaceMatcher()
    assert matcher.compare(face, portrait_jpeg("live-a")).matched
    assert not matcher.compare(face, portrait_jpeg("live-b")).matched


def test_unusable_sessions() -> None:
    rng = random.Random(44)
    challenge = LivenessChallenge.generate(rng)
    frames = capture_session("live-b", challenge, rng)
    assert VERIFIER.verify(frames[:-1], challenge).reason == CHALLENGE_MISMATCH
    assert VERIFIER.verify([*frames[:-1], b"garbage"], challenge).reason == INVALID_CAPTURE
    out = io.BytesIO()
    Image.new("RGB", FRAME_SIZE, (90, 90, 90)).save(out, "PNG")
    assert VERIFIER.verify([out.getvalue()] * len(frames), challenge).reason == FACE_NOT_FOUND
    small = io.BytesIO()
    Image.new("RGB", (100, 120)).save(small, "PNG")
    assert VERIFIER.verify([*frames[:-1], small.getvalue()], challenge).reason == INVALID_CAPTURE


def test_unknown_attack_is_rejected() -> None:
    with pytest.raises(ValueError):
        stage_attack("mask", "live-a", LivenessChallenge.generate(random.Random(1)), random.Random(1))


def test_presence_check_runs_liveness_then_the_face() -> None:
    from simulator.identity.faces.presence import check_presence

    rng = random.Random(45)
    matcher = FaceMatcher()
    enrolled = matcher.extract(portrait_jpeg("live-c"))
    challenge = LivenessChallenge.generate(rng)
    genuine = check_presence(capture_session("live-c", challenge, rng), challenge, enrolled)
    assert genuine.passed and genuine.signals["face_score"] >= matcher.threshold
    # A live impostor passes liveness but not the face.
    impostor = check_presence(capture_session("live-a", challenge, rng), challenge, enrolled)
    assert not impostor.passed and impostor.reason == "face_mismatch"
    assert impostor.signals["slots_matched"] >= len(challenge.colours) - 1
    # An attack is stopped by liveness before any matching.
    attack = check_presence(stage_attack(AttackKind.CUTOUT, "live-c", challenge, rng), challenge, enrolled)
    assert attack.reason == FLAT_SURFACE and "face_score" not in attack.signals


def test_presence_matches_the_face_frame_as_the_matcher_alone_scores_it() -> None:
    """The provider reuses the verifier's decoded face frame and eyes: same score as from the bytes."""
    from simulator.identity.faces.presence import check_presence

    rng = random.Random(46)
    matcher = FaceMatcher()
    enrolled = matcher.extract(portrait_jpeg("live-b"))
    for ident in ("live-b", "live-a"):
        challenge = LivenessChallenge.generate(rng)
        frames = capture_session(ident, challenge, rng)
        outcome = check_presence(frames, challenge, enrolled, matcher=matcher)
        alone = matcher.compare(frames[outcome.signals["face_frame"]], enrolled)
        assert outcome.signals["face_score"] == alone.score
        assert outcome.passed is alone.matched is (ident == "live-b")
