"""The flash challenge: an ambient slot, then N screen colours drawn by the server.

The server draws the colours (seeded ``random.Random`` in the simulator, so runs replay), binds the
challenge to a verification token and hands it to the device as JSON. Because the sequence is
unpredictable and single-use, a recording made for another challenge carries the wrong colours.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

from .errors import ChallengeFormatError

AMBIENT = "ambient"
PALETTE: dict[str, tuple[float, float, float]] = {
    "red": (1.0, 0.0, 0.0), "green": (0.0, 1.0, 0.0), "blue": (0.0, 0.0, 1.0),
    "cyan": (0.0, 1.0, 1.0), "magenta": (1.0, 0.0, 1.0), "yellow": (1.0, 1.0, 0.0),
}
DEFAULT_SLOTS = 8
MIN_SLOTS, MAX_SLOTS = 4, 16
_NONCE = re.compile(r"^[0-9a-f]{16,64}$")
_VERSION = 1


@dataclass(frozen=True)
class LivenessChallenge:
    """``nonce`` identifies the challenge; ``colours`` are the lit slots after the ambient one."""

    nonce: str
    colours: tuple[str, ...]
    slot_ms: int = 300

    def __post_init__(self) -> None:
        if not isinstance(self.nonce, str) or not _NONCE.match(self.nonce):
            raise ChallengeFormatError("nonce must be 16-64 lowercase hex characters")
        if not isinstance(self.colours, tuple) or not MIN_SLOTS <= len(self.colours) <= MAX_SLOTS:
            raise ChallengeFormatError(f"a challenge has {MIN_SLOTS}..{MAX_SLOTS} colour slots")
        unknown = [c for c in self.colours if c not in PALETTE]
        if unknown:
            raise ChallengeFormatError(f"unknown colour(s) {unknown}; palette is {sorted(PALETTE)}")
        if isinstance(self.slot_ms, bool) or not isinstance(self.slot_ms, int) \
                or not 50 <= self.slot_ms <= 2000:
            raise ChallengeFormatError("slot_ms must be an integer within 50..2000")

    @property
    def slots(self) -> tuple[str, ...]:
        """Every slot in order, the ambient (screen dark) one first: one video frame per slot."""
        return (AMBIENT, *self.colours)

    @classmethod
    def generate(cls, rng: random.Random, n_slots: int = DEFAULT_SLOTS,
                 slot_ms: int = 300) -> LivenessChallenge:
        """Draw a fresh challenge; consecutive slots never repeat a colour (each flash is visible)."""
        if not MIN_SLOTS <= n_slots <= MAX_SLOTS:
            raise ValueError(f"n_slots must be within {MIN_SLOTS}..{MAX_SLOTS}")
        names = sorted(PALETTE)
        colours: list[str] = []
        while len(colours) < n_slots:
            c = rng.choice(names)
            if not colours or c != colours[-1]:
                colours.append(c)
        return cls(f"{rng.getrandbits(128):032x}", tuple(colours), slot_ms)

    def to_json(self) -> str:
        return json.dumps({"version": _VERSION, "nonce": self.nonce, "colours": list(self.colours),
                           "slotMs": self.slot_ms}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> LivenessChallenge:
        try:
            data: Any = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise ChallengeFormatError(f"challenge is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ChallengeFormatError("challenge JSON must be an object")
        if data.get("version") != _VERSION:
            raise ChallengeFormatError(f"unsupported challenge version {data.get('version')!r}")
        colours = data.get("colours")
        if not isinstance(colours, list) or not all(isinstance(c, str) for c in colours):
            raise ChallengeFormatError("colours must be a list of colour names")
        return cls(nonce=data.get("nonce"), colours=tuple(colours), slot_ms=data.get("slotMs", 300))
