"""Flash liveness (flashmark-like), the public face of three small modules.

- :mod:`.liveness_challenge`: :class:`LivenessChallenge` (ambient slot + N palette colours, JSON).
- :mod:`.liveness_capture`: :func:`capture_session` (a genuine user's frames) and the attacks a
  device can stage (:func:`stage_attack` with :class:`AttackKind` ``replay``, ``static``,
  ``print``, ``cutout``, ``screen``).
- :mod:`.liveness_verify`: :class:`LivenessVerifier` deciding from pixels only, with reasons
  ``no_reflection``, ``challenge_mismatch``, ``flat_surface`` (plus ``face_not_found`` and
  ``invalid_capture`` for unusable input).

Caveat worth keeping in mind: the device model and the verifier share one physics, so passing
proves the plumbing and that each attack fails for its own measurable reason — not real-world
presentation-attack resistance.
"""

from .liveness_capture import (
    ATTACKS,
    FRAME_SIZE,
    AttackKind,
    capture_session,
    cutout_attack,
    print_attack,
    replay_attack,
    screen_attack,
    stage_attack,
    static_attack,
)
from .liveness_challenge import AMBIENT, PALETTE, LivenessChallenge
from .liveness_verify import (
    CHALLENGE_MISMATCH,
    FACE_NOT_FOUND,
    FLAT_SURFACE,
    INVALID_CAPTURE,
    NO_REFLECTION,
    LivenessResult,
    LivenessVerifier,
)

__all__ = [
    "AMBIENT", "ATTACKS", "CHALLENGE_MISMATCH", "FACE_NOT_FOUND", "FLAT_SURFACE", "FRAME_SIZE",
    "INVALID_CAPTURE", "NO_REFLECTION", "PALETTE", "AttackKind", "LivenessChallenge", "LivenessResult",
    "LivenessVerifier", "capture_session", "cutout_attack", "print_attack", "replay_attack",
    "screen_attack", "stage_attack", "static_attack",
]
