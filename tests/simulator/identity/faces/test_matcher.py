"""Face matcher: genuine captures match, others and look-alikes do not, templates round-trip."""

import io
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from simulator.identity.faces.capture import selfie
from simulator.identity.faces.errors import InvalidImageError, TemplateFormatError
from simulator.identity.faces.matcher import (
    DEFAULT_THRESHOLD,
    FACE_MISMATCH,
    FACE_NOT_FOUND,
    FaceMatcher,
    FaceNotFoundError,
    FaceTemplate,
)
from simulator.identity.faces.render import portrait_jpeg

IDS = ("match-a", "match-b", "match-c", "match-d")
MATCHER = FaceMatcher()


@pytest.fixture(scope="module")
def references() -> dict[str, FaceTemplate]:
    return {i: MATCHER.extract(portrait_jpeg(i)) for i in IDS}


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_genuine_captures_match_their_portrait(references: dict[str, FaceTemplate]) -> None:
    rng = random.Random(31)
    for ident in IDS:
        for _ in range(2):
            result = MATCHER.compare(selfie(ident, rng), references[ident])
            assert result.matched, (ident, result)
            assert result.reason is None and result.score >= DEFAULT_THRESHOLD


def test_other_identities_fail_with_face_mismatch(references: dict[str, FaceTemplate]) -> None:
    rng = random.Random(32)
    for ident in IDS:
        probe = MATCHER.extract(selfie(ident, rng))
        for other in IDS:
            if other != ident:
                result = MATCHER.compare_templates(probe, references[other])
                assert not result.matched and result.reason == FACE_MISMATCH
                assert result.score < 0.4


def test_lookalike_fails_with_face_mismatch(references: dict[str, FaceTemplate]) -> None:
    rng = random.Random(33)
    for ident in IDS[:2]:
        result = MATCHER.compare(selfie(f"twin-of-{ident}", rng, lookalike_of=ident), references[ident])
        assert result.reason == FACE_MISMATCH, result


def test_bytes_reference_equals_cached_template(references: dict[str, FaceTemplate]) -> None:
    probe = selfie("match-a", random.Random(34))
    by_bytes = MATCHER.compare(probe, portrait_jpeg("match-a"))
    by_template = MATCHER.compare(probe, references["match-a"])
    assert by_bytes == by_template


def test_blank_image_is_face_not_found(references: dict[str, FaceTemplate]) -> None:
    blank = _png(Image.new("RGB", (240, 300), (200, 200, 200)))
    assert MATCHER.compare(blank, references["match-a"]).reason == FACE_NOT_FOUND
    assert MATCHER.compare(portrait_jpeg("match-a"), blank).reason == FACE_NOT_FOUND
    with pytest.raises(FaceNotFoundError):
        MATCHER.extract(blank)


def test_undecodable_bytes_raise_typed_error() -> None:
    for bad in (b"", b"not an image", b"\xff\xd8\xff\xe0" + b"\x00" * 40):
        with pytest.raises(InvalidImageError):
            MATCHER.extract(bad)
    with pytest.raises(InvalidImageError):
        MATCHER.extract(_png(Image.new("RGB", (10, 10))))


def test_template_round_trip(references: dict[str, FaceTemplate]) -> None:
    tpl = references["match-b"]
    back = FaceTemplate.from_bytes(tpl.to_bytes())
    assert np.array_equal(back.mask, tpl.mask)
    assert np.allclose(back.texture, tpl.texture, atol=1e-3)
    assert MATCHER.compare_templates(back, tpl).score > 0.999


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=64), st.integers(min_value=0, max_value=20000))
def test_corrupt_template_bytes_raise_typed_error(junk: bytes, cut: int) -> None:
    good = FaceTemplate.from_bytes(_TEMPLATE_BYTES)
    assert good.texture.shape == good.mask.shape
    for data in (junk, _TEMPLATE_BYTES[:cut], _TEMPLATE_BYTES + junk[:1] if junk else b"x"):
        if data == _TEMPLATE_BYTES:
            continue
        with pytest.raises(TemplateFormatError):
            FaceTemplate.from_bytes(data)


_TEMPLATE_BYTES = MATCHER.extract(portrait_jpeg("match-c")).to_bytes()


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError):
        FaceMatcher(threshold=1.5)
    strict = FaceMatcher(threshold=0.999)
    result = strict.compare(selfie("match-d", random.Random(35)), portrait_jpeg("match-d"))
    assert not result.matched and result.reason == FACE_MISMATCH


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_matcher(data: bytes) -> None:
    with pytest.raises((InvalidImageError, FaceNotFoundError)):
        MATCHER.extract(data)


@settings(max_examples=25, deadline=None)
@given(st.integers(48, 400), st.integers(48, 400), st.integers(0, 2**32 - 1),
       st.sampled_from(["noise", "flat", "bars"]))
def test_arbitrary_pictures_give_a_template_or_face_not_found(w: int, h: int, seed: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    if kind == "noise":
        arr = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    elif kind == "flat":
        arr = np.full((h, w, 3), rng.integers(0, 256, 3), dtype=np.uint8)
    else:
        arr = np.repeat((np.arange(w)[None, :, None] // 7 % 2 * 255).astype(np.uint8), h, axis=0).repeat(3, 2)
    try:
        tpl = MATCHER.extract(_png(Image.fromarray(arr, "RGB")))
    except FaceNotFoundError:
        return
    assert tpl.texture.shape == tpl.mask.shape and np.isfinite(tpl.texture).all()


def test_templates_are_cached_by_digest_read_only_and_a_changed_byte_is_extracted_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulator.identity.faces import matcher as module

    calls: list[int] = []
    real = module.extract_from_rgb

    def counting(rgb: np.ndarray) -> FaceTemplate:
        calls.append(1)
        return real(rgb)

    monkeypatch.setattr(module, "extract_from_rgb", counting)
    data = portrait_jpeg("cache-probe", 90)
    first = FaceMatcher().extract(data)
    assert FaceMatcher(0.9).extract(data) is first and len(calls) == 1
    with pytest.raises(ValueError):
        first.texture[0, 0] = 1.0
    changed = portrait_jpeg("cache-probe", 89)
    assert FaceMatcher().extract(changed) is not first and len(calls) == 2
    with pytest.raises(InvalidImageError):
        FaceMatcher().extract(b"\xff\xd8\xff" + b"junk")
    with pytest.raises(InvalidImageError):
        FaceMatcher().extract(b"\xff\xd8\xff" + b"junk")  # failures are never cached
