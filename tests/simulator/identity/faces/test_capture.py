"""Capture model: seeded, degrading, and with a ground-truth point mapping."""

import io
import random

import numpy as np
import pytest
from PIL import Image

from simulator.identity.faces.capture import CaptureParams, apply_capture, selfie
from simulator.identity.faces.render import HEIGHT, WIDTH, portrait


def test_capture_is_seeded() -> None:
    assert selfie("erin-6", random.Random(7)) == selfie("erin-6", random.Random(7))
    assert selfie("erin-6", random.Random(7)) != selfie("erin-6", random.Random(8))


def test_params_stay_in_design_ranges() -> None:
    rng = random.Random(1)
    for _ in range(200):
        p = CaptureParams.draw(rng)
        assert abs(p.rotation_deg) <= 7 and abs(p.scale - 1) <= 0.08
        assert 0.7 <= p.gain <= 1.2 and abs(p.ramp) <= 0.25
        assert 55 <= p.jpeg_quality <= 92 and 0 <= p.blur <= 1.3
    with pytest.raises(ValueError):
        CaptureParams.draw(rng, strength=3.0)


def test_identity_capture_changes_nothing_but_jpeg() -> None:
    data = apply_capture(portrait("frank-7"), CaptureParams(jpeg_quality=95), random.Random(0))
    got = np.asarray(Image.open(io.BytesIO(data)), dtype=np.float32)
    want = np.asarray(portrait("frank-7"), dtype=np.float32)
    assert np.abs(got - want).mean() < 3


def test_map_point_follows_the_warp() -> None:
    # A dark dot drawn on a blank canvas must land where map_point says.
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    canvas.paste((0, 0, 0), (150, 100, 154, 104))
    params = CaptureParams(rotation_deg=6.0, scale=1.07, shift=(8.0, -5.0), jpeg_quality=95, yaw=0.06)
    out = np.asarray(Image.open(io.BytesIO(apply_capture(canvas, params, random.Random(0)))).convert("L"))
    ys, xs = np.nonzero(out < 128)
    x, y = params.map_point(152.0, 102.0, (WIDTH, HEIGHT))
    assert abs(xs.mean() + 0.5 - x) < 1.0 and abs(ys.mean() + 0.5 - y) < 1.0


def test_yaw_squeezes_one_half_only() -> None:
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    canvas.paste((0, 0, 0), (200, 100, 204, 104))
    canvas.paste((0, 0, 0), (40, 100, 44, 104))
    out = np.asarray(Image.open(io.BytesIO(apply_capture(canvas, CaptureParams(yaw=0.1, jpeg_quality=95),
                                                         random.Random(0)))).convert("L"))
    _, xs = np.nonzero(out < 128)
    right, left = xs[xs > WIDTH // 2], xs[xs < WIDTH // 2]
    assert abs(left.mean() + 0.5 - 42.0) < 1.0  # untouched half
    assert abs(right.mean() + 0.5 - (120 + 82 * 0.9)) < 1.0  # squeezed by 10 % towards the middle


def test_output_size_option() -> None:
    data = selfie("gina-8", random.Random(2), out_size=(160, 200))
    assert Image.open(io.BytesIO(data)).size == (160, 200)
