"""The provider's genuine-presence decision: liveness first, then the face, in the spec's order.

A flash-liveness session passes only if the reflections prove a live, curved face answering this
challenge *and* the face in the video is the enrolled person. Matching runs on the ambient frame
(screen dark: no colour tint), against the enrolled template the provider cached at enrolment.
Token expiry and reuse are the provider's business and are checked before this is called.
"""

from __future__ import annotations

from .liveness_challenge import LivenessChallenge
from .liveness_verify import LivenessResult, LivenessVerifier
from .matcher import (
    FACE_NOT_FOUND,
    FaceMatcher,
    FaceNotFoundError,
    FaceTemplate,
    MatchResult,
    extract_from_rgb,
)


def check_presence(frames: list[bytes], challenge: LivenessChallenge, reference: FaceTemplate,
                   verifier: LivenessVerifier | None = None,
                   matcher: FaceMatcher | None = None) -> LivenessResult:
    """Liveness (``no_reflection`` / ``challenge_mismatch`` / ``flat_surface`` ...) then matching
    (``face_not_found`` / ``face_mismatch``); ``signals`` gains ``face_score`` when matching ran."""
    inspection = (verifier or LivenessVerifier()).inspect(frames, challenge)
    liveness = inspection.result
    if not liveness.passed:
        return liveness
    matcher = matcher or FaceMatcher()
    if inspection.face is not None and liveness.signals["face_frame"] == 0:
        # The frame the verifier decoded and found the eyes in: not decoded nor searched again.
        try:
            probe = extract_from_rgb(inspection.face, inspection.eyes)
        except FaceNotFoundError:
            match = MatchResult(0.0, False, FACE_NOT_FOUND)
        else:
            match = matcher.compare_templates(probe, reference)
    else:
        match = matcher.compare(frames[liveness.signals["face_frame"]], reference)
    signals = {**liveness.signals, "face_score": match.score}
    return LivenessResult(match.matched, match.reason, signals)
