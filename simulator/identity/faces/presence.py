"""The provider's genuine-presence decision: liveness first, then the face, in the spec's order.

A flash-liveness session passes only if the reflections prove a live, curved face answering this
challenge *and* the face in the video is the enrolled person. Matching runs on the ambient frame
(screen dark: no colour tint), against the enrolled template the provider cached at enrolment.
Token expiry and reuse are the provider's business and are checked before this is called.
"""

from __future__ import annotations

from .liveness_challenge import LivenessChallenge
from .liveness_verify import LivenessResult, LivenessVerifier
from .matcher import FaceMatcher, FaceTemplate


def check_presence(frames: list[bytes], challenge: LivenessChallenge, reference: FaceTemplate,
                   verifier: LivenessVerifier | None = None,
                   matcher: FaceMatcher | None = None) -> LivenessResult:
    """Liveness (``no_reflection`` / ``challenge_mismatch`` / ``flat_surface`` ...) then matching
    (``face_not_found`` / ``face_mismatch``); ``signals`` gains ``face_score`` when matching ran."""
    liveness = (verifier or LivenessVerifier()).verify(frames, challenge)
    if not liveness.passed:
        return liveness
    match = (matcher or FaceMatcher()).compare(frames[liveness.signals["face_frame"]], reference)
    signals = {**liveness.signals, "face_score": match.score}
    return LivenessResult(match.matched, match.reason, signals)
