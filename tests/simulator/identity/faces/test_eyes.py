"""Eye-pair locator: precise on degraded captures, silent on images without a face."""

import io
import math
import random

import numpy as np
from PIL import Image

from simulator.identity.faces.capture import CaptureParams, apply_capture
from simulator.identity.faces.eyes import locate_eyes
from simulator.identity.faces.imageio import decode_rgb, to_grey
from simulator.identity.faces.render import HEIGHT, WIDTH, face_spec, portrait


def test_eyes_found_within_two_pixels_on_captures() -> None:
    rng = random.Random(21)
    for i in range(6):
        ident = f"eyes-{i}"
        spec = face_spec(ident)
        params = CaptureParams.draw(rng)
        grey = to_grey(decode_rgb(apply_capture(portrait(ident), params, rng)))
        pair = locate_eyes(grey)
        assert pair is not None, ident
        left = params.map_point(spec.cx - spec.eye_dx, spec.eye_y, (WIDTH, HEIGHT))
        right = params.map_point(spec.cx + spec.eye_dx, spec.eye_y, (WIDTH, HEIGHT))
        assert math.dist(pair.left, left) < 2.0, ident
        assert math.dist(pair.right, right) < 2.0, ident


def test_no_eyes_in_blank_or_noise_images() -> None:
    assert locate_eyes(np.full((300, 240), 128.0, dtype=np.float32)) is None
    noise = np.random.default_rng(0).uniform(0, 255, (300, 240)).astype(np.float32)
    assert locate_eyes(noise) is None


def test_other_resolutions() -> None:
    img = portrait("eyes-res").resize((480, 600), Image.BICUBIC)
    out = io.BytesIO()
    img.save(out, "PNG")
    pair = locate_eyes(to_grey(decode_rgb(out.getvalue())))
    spec = face_spec("eyes-res")
    assert pair is not None
    assert math.dist(pair.left, (2 * (spec.cx - spec.eye_dx), 2 * spec.eye_y)) < 3.0
