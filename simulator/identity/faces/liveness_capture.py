"""Device side of the flash liveness check: the genuine capture and the attacks a device can stage.

Physics of one frame (per colour channel):

    pixel = albedo x (exposure x AMBIENT + SCREEN_K x screen_colour x shade)

``shade`` is how much of the phone screen's light a surface sends back to the camera. A real face
is a dome: ``0.35 + 0.65 sqrt(1 - r^2)`` over the face oval (r = normalised radius), strongest at
the nose and falling towards the outline, and ``BACKGROUND_SHADE`` on the far background.

The attacks differ only in that physics, which is what the verifier measures:

- ``replay``: a genuine session recorded for an earlier challenge (right physics, wrong colours);
- ``static``: one photo injected for every frame (nothing changes between slots);
- ``print``: a flat print filling the view (uniform reflection, background included);
- ``cutout``: a print cut to the face outline held before a real background (uniform
  reflection on the face, none around it: flat, not a dome);
- ``screen``: an emissive display replaying the face (only a few % of the flash comes back).

Every frame also gets pose jitter, exposure drift, sensor noise and JPEG, seeded from ``rng``.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from enum import StrEnum

import numpy as np
from PIL import Image

from .capture import CaptureParams, affine_warp
from .liveness_challenge import AMBIENT, PALETTE, LivenessChallenge
from .render import HEIGHT, WIDTH, face_spec, portrait

FRAME_SIZE = (160, 200)
AMBIENT_LEVEL = 0.75
SCREEN_K = 0.35
BACKGROUND_SHADE = 0.08
PAPER_SHADE = 0.6
SCREEN_REFLECTION = 0.03
_WALL = (196, 192, 184)


class AttackKind(StrEnum):
    REPLAY = "replay"
    STATIC = "static"
    PRINT = "print"
    CUTOUT = "cutout"
    SCREEN = "screen"


def _face_oval(identity_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(normalised radius map, inside-oval mask) of the face in canonical coordinates."""
    f = face_spec(identity_id)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32) + 0.5
    r2 = ((xx - f.cx) / f.a) ** 2 + ((yy - f.cy) / f.b) ** 2
    return r2, r2 <= 1.0


def dome_shade(identity_id: str) -> np.ndarray:
    """How strongly each canonical pixel of a real head reflects the screen."""
    r2, inside = _face_oval(identity_id)
    return np.where(inside, 0.35 + 0.65 * np.sqrt(np.clip(1.0 - r2, 0.0, 1.0)), BACKGROUND_SHADE)


def _printed(image: Image.Image) -> np.ndarray:
    """Paper and ink: lower contrast and saturation than the live face."""
    arr = np.asarray(image, dtype=np.float32)
    grey = arr.mean(axis=2, keepdims=True)
    arr = 0.8 * arr + 0.2 * grey
    return 20.0 + arr * (215.0 / 255.0)


def _session_pose(rng: random.Random) -> CaptureParams:
    return CaptureParams(rotation_deg=rng.uniform(-4, 4), scale=1.0 + rng.uniform(-0.05, 0.05),
                         shift=(rng.uniform(-6, 6), rng.uniform(-6, 6)))


def _render_frames(albedo: np.ndarray, shade: np.ndarray, challenge_slots: tuple[str, ...],
                   rng: random.Random, reflect: float = SCREEN_K) -> list[bytes]:
    """Frames of a scene (canonical-size albedo and shade maps) lit by the challenge's slots."""
    pose = _session_pose(rng)
    albedo_img = Image.fromarray(np.clip(albedo + 0.5, 0, 255).astype(np.uint8), "RGB")
    shade_img = Image.fromarray(shade.astype(np.float32), "F")
    noise = np.random.default_rng(rng.getrandbits(64))
    frames = []
    for slot in challenge_slots:
        jitter = CaptureParams(rotation_deg=pose.rotation_deg, scale=pose.scale,
                               shift=(pose.shift[0] + rng.uniform(-2.25, 2.25),
                                      pose.shift[1] + rng.uniform(-2.25, 2.25)))
        alb = np.asarray(affine_warp(albedo_img, jitter, FRAME_SIZE), dtype=np.float32)
        shd = np.asarray(affine_warp(shade_img, jitter, FRAME_SIZE), dtype=np.float32)
        colour = np.zeros(3, np.float32) if slot == AMBIENT else np.asarray(PALETTE[slot], np.float32)
        exposure = 1.0 + rng.uniform(-0.03, 0.03)
        light = exposure * AMBIENT_LEVEL + reflect * shd[:, :, None] * colour[None, None, :]
        pixels = alb * light + noise.standard_normal(alb.shape, dtype=np.float32) * 4.0
        out = io.BytesIO()
        Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8), "RGB").save(out, "JPEG", quality=80)
        frames.append(out.getvalue())
    return frames


def capture_session(identity_id: str, challenge: LivenessChallenge, rng: random.Random) -> list[bytes]:
    """A genuine user's session: one JPEG frame per challenge slot, the ambient frame first."""
    albedo = np.asarray(portrait(identity_id), dtype=np.float32)
    return _render_frames(albedo, dome_shade(identity_id), challenge.slots, rng)


def replay_attack(identity_id: str, challenge: LivenessChallenge, rng: random.Random) -> list[bytes]:
    """A genuine session recorded earlier, for another challenge, played back as this one."""
    earlier = LivenessChallenge.generate(rng, len(challenge.colours))
    return capture_session(identity_id, earlier, rng)


def static_attack(identity_id: str, challenge: LivenessChallenge, rng: random.Random) -> list[bytes]:
    """One photo of the victim injected as every frame of the stream."""
    albedo = np.asarray(portrait(identity_id), dtype=np.float32)
    frame = _render_frames(albedo, dome_shade(identity_id), (AMBIENT,), rng)[0]
    return [frame] * len(challenge.slots)


def print_attack(identity_id: str, challenge: LivenessChallenge, rng: random.Random) -> list[bytes]:
    """A flat printed photo filling the camera's view: face and margin reflect alike."""
    albedo = _printed(portrait(identity_id))
    shade = np.full((HEIGHT, WIDTH), PAPER_SHADE, np.float32)
    return _render_frames(albedo, shade, challenge.slots, rng)


def cutout_attack(identity_id: str, challenge: LivenessChallenge, rng: random.Random) -> list[bytes]:
    """A print cut to the face outline, held in front of a real wall."""
    _, inside = _face_oval(identity_id)
    albedo = np.where(inside[:, :, None], _printed(portrait(identity_id)), np.asarray(_WALL, np.float32))
    shade = np.where(inside, PAPER_SHADE, BACKGROUND_SHADE).astype(np.float32)
    return _render_frames(albedo, shade, challenge.slots, rng)


def screen_attack(identity_id: str, challenge: LivenessChallenge, rng: random.Random) -> list[bytes]:
    """The face shown on another display: it emits its picture and hardly reflects the flash."""
    albedo = np.asarray(portrait(identity_id), dtype=np.float32)
    shade = np.ones((HEIGHT, WIDTH), np.float32)
    return _render_frames(albedo, shade, challenge.slots, rng, reflect=SCREEN_K * SCREEN_REFLECTION)


ATTACKS: dict[AttackKind, Callable[[str, LivenessChallenge, random.Random], list[bytes]]] = {
    AttackKind.REPLAY: replay_attack,
    AttackKind.STATIC: static_attack,
    AttackKind.PRINT: print_attack,
    AttackKind.CUTOUT: cutout_attack,
    AttackKind.SCREEN: screen_attack,
}


def stage_attack(kind: AttackKind | str, identity_id: str, challenge: LivenessChallenge,
                 rng: random.Random) -> list[bytes]:
    """Frames a compromised device would upload for ``challenge`` with attack ``kind``."""
    try:
        attack = ATTACKS[AttackKind(kind)]
    except ValueError as exc:
        raise ValueError(f"unknown attack {kind!r}; known: {[k.value for k in AttackKind]}") from exc
    return attack(identity_id, challenge, rng)
