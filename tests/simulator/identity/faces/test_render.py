"""Portrait generator: determinism, identity separation and the look-alike option."""

import io

import numpy as np
import pytest
from PIL import Image

from simulator.identity.faces.render import HEIGHT, WIDTH, face_spec, portrait, portrait_jpeg


def _pixels(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.int16)


def test_same_identity_draws_identical_pixels() -> None:
    a = portrait("alice-1")
    b = portrait("alice-1")
    assert a.size == (WIDTH, HEIGHT) and a.mode == "RGB"
    assert np.array_equal(_pixels(a), _pixels(b))
    assert portrait_jpeg("alice-1", 85) == portrait_jpeg("alice-1", 85)


def test_determinism_survives_the_render_cache() -> None:
    from simulator.identity.faces import render

    before = _pixels(portrait("cache-probe"))
    render._render.cache_clear()
    assert np.array_equal(before, _pixels(portrait("cache-probe")))


def test_different_identities_differ() -> None:
    a, b = _pixels(portrait("alice-1")), _pixels(portrait("bob-2"))
    assert np.abs(a - b).mean() > 5
    assert face_spec("alice-1") != face_spec("bob-2")


def test_lookalike_shares_geometry_but_not_skin() -> None:
    original = face_spec("carol-3")
    look = portrait("mallory-4", lookalike_of="carol-3")
    assert face_spec("carol-3") == original
    diff = np.abs(_pixels(look) - _pixels(portrait("carol-3")))
    # Same drawing outside the face, different skin texture inside it.
    assert diff[:10, :10].max() == 0
    face = diff[int(original.cy) - 10:int(original.cy) + 10, int(original.cx) - 40:int(original.cx) + 40]
    assert face.mean() > 2


def test_generator_constraints_keep_eyes_clear() -> None:
    for i in range(50):
        f = face_spec(f"constraint-{i}")
        brow_bottom = f.eye_y - f.eye_h / 2 - f.brow_gap
        assert f.brow_gap >= 0.3 * f.eye_w  # a clear gap between brow and eye
        assert f.hairline_y < brow_bottom - f.brow_thickness  # hair never reaches the eyes
        assert f.iris_r <= 0.5 * f.eye_h  # iris fits inside the sclera
        assert f.eye_dx + f.eye_w / 2 < f.a  # eyes inside the face oval


def test_jpeg_is_decodable_and_quality_checked() -> None:
    img = Image.open(io.BytesIO(portrait_jpeg("dave-5", 70)))
    assert img.format == "JPEG" and img.size == (WIDTH, HEIGHT)
    with pytest.raises(ValueError):
        portrait_jpeg("dave-5", 0)
