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

Cost (the load generator renders one session per face scan): about 14 ms of CPU per 9-frame
session on the 2-core development machine, against about 36 ms with two Pillow bicubic warps and
fresh Gaussian noise per frame (``time.process_time`` over 5 x 20 sessions of one identity; an
earlier commit message quoted ~200 ms before / ~18 ms after, wall-clock figures on a loaded machine).
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache

import numpy as np
from PIL import Image

from .capture import CaptureParams
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


@lru_cache(maxsize=64)
def _face_oval(identity_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(normalised radius map, inside-oval mask) of the face in canonical coordinates.

    A pure function of the identity id (its face geometry), so cached; callers must not mutate it.
    """
    f = face_spec(identity_id)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32) + 0.5
    r2 = ((xx - f.cx) / f.a) ** 2 + ((yy - f.cy) / f.b) ** 2
    r2.flags.writeable = False
    inside = r2 <= 1.0
    inside.flags.writeable = False
    return r2, inside


@lru_cache(maxsize=64)
def dome_shade(identity_id: str) -> np.ndarray:
    """How strongly each canonical pixel of a real head reflects the screen (cached per identity,
    read-only: a pure function of the face geometry)."""
    r2, inside = _face_oval(identity_id)
    shade = np.where(inside, 0.35 + 0.65 * np.sqrt(np.clip(1.0 - r2, 0.0, 1.0)), BACKGROUND_SHADE)
    shade.flags.writeable = False
    return shade


def _printed(image: Image.Image) -> np.ndarray:
    """Paper and ink: lower contrast and saturation than the live face."""
    arr = np.asarray(image, dtype=np.float32)
    grey = arr.mean(axis=2, keepdims=True)
    arr = 0.8 * arr + 0.2 * grey
    return 20.0 + arr * (215.0 / 255.0)


def _session_pose(rng: random.Random) -> CaptureParams:
    return CaptureParams(rotation_deg=rng.uniform(-4, 4), scale=1.0 + rng.uniform(-0.05, 0.05),
                         shift=(rng.uniform(-6, 6), rng.uniform(-6, 6)))


_PAD = 2
_NOISE_POOL = 1 << 22


@lru_cache(maxsize=1)
def _sensor_noise_pool() -> np.ndarray:
    """Sensor noise, N(0, 4^2) per sample, drawn once per process (fixed seed, read-only, 16 MB).

    Drawing 96 000 Gaussian samples per frame cost more than the rest of the frame; each frame now
    takes a window at a seeded random offset instead.  Per pixel the noise is the same N(0, 4^2),
    and with 4 M samples two frames' windows rarely overlap; nothing verifies the noise itself.
    """
    pool = np.random.default_rng(0x5E4503).standard_normal(_NOISE_POOL, dtype=np.float32)
    pool *= np.float32(4.0)
    pool.flags.writeable = False
    return pool


class _PosedScene:
    """The scene (albedo RGB + shade, one 4-channel float map) seen at one session's head pose.

    Every frame of a session shares the pose's rotation and scale and moves only by its own jitter
    shift, so the output-to-input sampling grid is computed once per session and each frame just
    offsets it: a bilinear resample in numpy, about five times cheaper than two Pillow bicubic
    transforms per frame.  Geometry is :func:`affine_warp`'s (same coefficients, Pillow's pixel-centre
    convention); outside the canonical canvas the scene is its corner pixel, as ``affine_warp``'s fill.
    """

    def __init__(self, albedo: np.ndarray, shade: np.ndarray, pose: CaptureParams) -> None:
        scene = np.concatenate([albedo.astype(np.float32, copy=False),
                                shade.astype(np.float32, copy=False)[:, :, None]], axis=2)
        padded = np.pad(scene, ((_PAD, _PAD), (_PAD, _PAD), (0, 0)), mode="constant")
        padded[:_PAD], padded[-_PAD:], padded[:, :_PAD], padded[:, -_PAD:] = (scene[1, 1],) * 4
        self.height, self.width = padded.shape[:2]
        # One 16-byte element per pixel (4 x float32): a 1-D gather is far cheaper than a row gather.
        self.pixels = np.ascontiguousarray(padded).reshape(-1).view(np.complex128)
        ow, oh = FRAME_SIZE
        self.fx = WIDTH / ow
        theta = math.radians(pose.rotation_deg)
        self.a = math.cos(theta) / pose.scale * self.fx
        self.b = math.sin(theta) / pose.scale * self.fx
        v, u = np.mgrid[0:oh, 0:ow].astype(np.float32) + 0.5
        # Input pixel-centre coordinates without the translation term, shifted into the padding.
        self.x0 = self.a * u + self.b * v - 0.5 + _PAD
        self.y0 = -self.b * u + self.a * v - 0.5 + _PAD

    def frame(self, shift: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """(albedo HxWx3, shade HxW) of the frame whose head sits at ``shift`` (canonical pixels)."""
        ow, oh = FRAME_SIZE
        ucx, ucy = ow / 2 + shift[0] / self.fx, oh / 2 + shift[1] / self.fx
        c = WIDTH / 2 - self.a * ucx - self.b * ucy
        f = HEIGHT / 2 + self.b * ucx - self.a * ucy
        x = np.clip(self.x0 + np.float32(c), 0.0, self.width - 1.001)
        y = np.clip(self.y0 + np.float32(f), 0.0, self.height - 1.001)
        # Weights stay float32 (float32 minus an integer array would promote them to float64).
        xf, yf = np.floor(x), np.floor(y)
        wx, wy = (x - xf)[:, :, None], (y - yf)[:, :, None]
        idx = yf.astype(np.intp)
        idx *= self.width
        idx += xf.astype(np.intp)
        shape = (*idx.shape, 4)

        def at(offset: int) -> np.ndarray:
            return self.pixels[idx + offset].view(np.float32).reshape(shape)

        top = at(0)
        top += (at(1) - top) * wx
        bottom = at(self.width)
        bottom += (at(self.width + 1) - bottom) * wx
        top += (bottom - top) * wy
        return top[:, :, :3], top[:, :, 3]


def _render_frames(albedo: np.ndarray, shade: np.ndarray, challenge_slots: tuple[str, ...],
                   rng: random.Random, reflect: float = SCREEN_K) -> list[bytes]:
    """Frames of a scene (canonical-size albedo and shade maps) lit by the challenge's slots."""
    pose = _session_pose(rng)
    scene = _PosedScene(np.clip(albedo + 0.5, 0, 255).astype(np.uint8), shade, pose)
    noise = np.random.default_rng(rng.getrandbits(64))
    pool = _sensor_noise_pool()
    frames = []
    for slot in challenge_slots:
        shift = (pose.shift[0] + rng.uniform(-2.25, 2.25), pose.shift[1] + rng.uniform(-2.25, 2.25))
        alb, shd = scene.frame(shift)
        colour = np.zeros(3, np.float32) if slot == AMBIENT else np.asarray(PALETTE[slot], np.float32)
        exposure = 1.0 + rng.uniform(-0.03, 0.03)
        light = np.float32(exposure * AMBIENT_LEVEL) + np.float32(reflect) * shd[:, :, None] * colour
        pixels = alb * light
        start = int(noise.integers(0, pool.size - alb.size))
        pixels += pool[start:start + alb.size].reshape(alb.shape)
        pixels += np.float32(0.5)
        out = io.BytesIO()
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").save(out, "JPEG", quality=80)
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
