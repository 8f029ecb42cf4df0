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

Cost (the load generator renders one session per face scan): about 9-10 ms of CPU per 9-frame
session on the 2-core development machine (load average 8), against 16-20 ms in the same
alternation for the previous numpy renderer (per-channel weights broadcast over a length-4 axis,
the scene rebuilt every session), the frames byte-identical (``time.process_time``, best of 5 x 60
sessions over 10 identities); earlier, two Pillow bicubic warps and fresh Gaussian noise per frame
cost about 36 ms.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
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

    def __init__(self, scene: _Scene, pose: CaptureParams) -> None:
        self.pixels, self.height, self.width = scene.pixels, scene.height, scene.width
        ow, oh = FRAME_SIZE
        self.fx = WIDTH / ow
        theta = math.radians(pose.rotation_deg)
        self.a = math.cos(theta) / pose.scale * self.fx
        self.b = math.sin(theta) / pose.scale * self.fx
        v, u = np.mgrid[0:oh, 0:ow].astype(np.float32) + 0.5
        # Input pixel-centre coordinates without the translation term, shifted into the padding.
        self.x0 = self.a * u + self.b * v - 0.5 + _PAD
        self.y0 = -self.b * u + self.a * v - 0.5 + _PAD

    def frame(self, shift: tuple[float, float]) -> np.ndarray:
        """``(H, W, 4)`` albedo RGB and shade of the frame whose head sits at ``shift`` (canonical
        pixels).

        Bilinear weights are repeated per channel so that every step is a flat, contiguous array
        operation (broadcasting a weight over a length-4 axis makes numpy loop 4 elements at a
        time); each output value is the same float32 arithmetic either way.
        """
        ow, oh = FRAME_SIZE
        ucx, ucy = ow / 2 + shift[0] / self.fx, oh / 2 + shift[1] / self.fx
        c = WIDTH / 2 - self.a * ucx - self.b * ucy
        f = HEIGHT / 2 + self.b * ucx - self.a * ucy
        x = self.x0 + np.float32(c)
        np.clip(x, 0.0, self.width - 1.001, out=x)
        y = self.y0 + np.float32(f)
        np.clip(y, 0.0, self.height - 1.001, out=y)
        # Weights stay float32 (float32 minus an integer array would promote them to float64).
        xf, yf = np.floor(x), np.floor(y)
        idx = yf.astype(np.intp)
        idx *= self.width
        idx += xf.astype(np.intp)
        x -= xf
        y -= yf
        shape = (*idx.shape, 4)
        wx, wy = np.stack((x, x, x, x), axis=-1), np.stack((y, y, y, y), axis=-1)  # faster than np.repeat

        def at(offset: int) -> np.ndarray:
            # The neighbour at ``offset`` elements: index a shifted view rather than shifted indices.
            return self.pixels[offset:][idx].view(np.float32).reshape(shape)

        top, right = at(0), at(1)
        right -= top
        right *= wx
        top += right
        bottom, right = at(self.width), at(self.width + 1)
        right -= bottom
        right *= wx
        bottom += right
        bottom -= top
        bottom *= wy
        top += bottom
        return top


@dataclass(frozen=True)
class _Scene:
    """Albedo RGB + shade as one padded 4-channel float map, one 16-byte element per pixel (a 1-D
    gather of those is far cheaper than a row gather). A pure function of its two maps."""

    pixels: np.ndarray
    height: int
    width: int

    @classmethod
    def of(cls, albedo: np.ndarray, shade: np.ndarray) -> _Scene:
        scene = np.concatenate([albedo.astype(np.float32, copy=False),
                                shade.astype(np.float32, copy=False)[:, :, None]], axis=2)
        padded = np.pad(scene, ((_PAD, _PAD), (_PAD, _PAD), (0, 0)), mode="constant")
        padded[:_PAD], padded[-_PAD:], padded[:, :_PAD], padded[:, -_PAD:] = (scene[1, 1],) * 4
        pixels = np.ascontiguousarray(padded).reshape(-1).view(np.complex128)
        pixels.flags.writeable = False
        return cls(pixels, padded.shape[0], padded.shape[1])


@lru_cache(maxsize=16)
def _live_scene(identity_id: str) -> _Scene:
    """The genuine user's scene (portrait albedo, dome shade): a pure function of the identity id,
    so kept for the identity's next sessions (1.2 MB each, read-only)."""
    return _Scene.of(np.asarray(portrait(identity_id)), dome_shade(identity_id))


def _render_frames(albedo: np.ndarray, shade: np.ndarray, challenge_slots: tuple[str, ...],
                   rng: random.Random, reflect: float = SCREEN_K) -> list[bytes]:
    """Frames of a scene (canonical-size albedo and shade maps) lit by the challenge's slots."""
    return _render_scene(_Scene.of(np.clip(albedo + 0.5, 0, 255).astype(np.uint8), shade), challenge_slots,
                         rng, reflect)


def _render_scene(scene: _Scene, challenge_slots: tuple[str, ...], rng: random.Random,
                  reflect: float = SCREEN_K) -> list[bytes]:
    pose = _session_pose(rng)
    posed = _PosedScene(scene, pose)
    noise = np.random.default_rng(rng.getrandbits(64))
    pool = _sensor_noise_pool()
    frames = []
    size = FRAME_SIZE[0] * FRAME_SIZE[1] * 3
    for slot in challenge_slots:
        shift = (pose.shift[0] + rng.uniform(-2.25, 2.25), pose.shift[1] + rng.uniform(-2.25, 2.25))
        scene_px = posed.frame(shift)
        colour = (0.0, 0.0, 0.0) if slot == AMBIENT else PALETTE[slot]
        exposure = 1.0 + rng.uniform(-0.03, 0.03)
        ambient = np.float32(exposure * AMBIENT_LEVEL)
        # pixel = albedo x (ambient + reflect x shade x colour), channel by channel (each a
        # contiguous (H, W) light map; the same float32 products and sums as one broadcast).
        reflected = np.float32(reflect) * scene_px[:, :, 3]
        pixels = np.empty((*scene_px.shape[:2], 3), np.float32)
        for ch in range(3):
            light = reflected * np.float32(colour[ch])
            light += ambient
            np.multiply(scene_px[:, :, ch], light, out=pixels[:, :, ch])
        start = int(noise.integers(0, pool.size - size))
        pixels += pool[start:start + size].reshape(pixels.shape)
        pixels += np.float32(0.5)
        np.clip(pixels, 0, 255, out=pixels)
        out = io.BytesIO()
        Image.fromarray(pixels.astype(np.uint8), "RGB").save(out, "JPEG", quality=80)
        frames.append(out.getvalue())
    return frames


def capture_session(identity_id: str, challenge: LivenessChallenge, rng: random.Random) -> list[bytes]:
    """A genuine user's session: one JPEG frame per challenge slot, the ambient frame first."""
    return _render_scene(_live_scene(identity_id), challenge.slots, rng)


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
