"""The verdict of one capture: computed from the pixels, or forced by a test's queued verdict.

Computed path: ``check_presence`` (liveness, then the face against the cached template). Reasons:
``liveness_failed:<sub-reason>`` (``no_reflection``, ``challenge_mismatch``, ``flat_surface``,
``invalid_capture``), ``face_not_found``, ``face_mismatch``. Forced path: the admin API's verdict
queue (kind ``face-verify``), recorded with ``forced: true`` so it can never pass for a computed one.
"""

from __future__ import annotations

import math
from typing import Any

from mocks.framework import MockError, pop_verdict
from simulator.identity.faces.errors import FaceError
from simulator.identity.faces.liveness import LivenessChallenge
from simulator.identity.faces.matcher import FaceMatcher, FaceTemplate
from simulator.identity.faces.presence import check_presence

VERDICT_KIND = "face-verify"
_PLAIN_REASONS = {"face_not_found", "face_mismatch"}

Result = dict[str, Any]


def forced_result() -> Result | None:
    """A queued verdict (``{"passed": bool, "reason": str?}`` or a bare bool), or ``None``."""
    forced = pop_verdict(VERDICT_KIND)
    if forced is None:
        return None
    if isinstance(forced, bool):
        forced = {"passed": forced}
    if not isinstance(forced, dict) or not isinstance(forced.get("passed"), bool):
        raise MockError(f"queued {VERDICT_KIND} verdict must be a bool or an object with a bool "
                        f"'passed', got {forced!r}", kind="validation")
    passed = forced["passed"]
    reason = None if passed else str(forced.get("reason", "forced_failure"))
    return {"passed": passed, "reason": reason,
            "antiSpoofing": bool(forced.get("anti_spoofing", passed)),
            "matching": bool(forced.get("matching", passed)),
            "measurements": {}, "forced": True}


def _json_safe(value: Any) -> Any:
    """Measurements as JSON: a non-finite ratio (no reflection at all) becomes ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def computed_result(frames: list[bytes], challenge: LivenessChallenge, template: FaceTemplate,
                    threshold: float) -> Result:
    matcher = FaceMatcher(threshold)
    outcome = check_presence(frames, challenge, template, matcher=matcher)
    signals = {k: _json_safe(v) for k, v in outcome.signals.items()}
    liveness_ok = outcome.passed or (outcome.reason in _PLAIN_REASONS and "face_score" in signals)
    reason = outcome.reason
    if reason is not None and reason not in _PLAIN_REASONS:
        reason = f"liveness_failed:{reason}"
    matching = outcome.passed
    if not liveness_ok and frames:
        # Liveness stopped the decision before matching; still report the matching signal, as
        # iProov's ``signals`` carry both sub-results.
        try:
            match = matcher.compare(frames[0], template)
        except FaceError:
            match = None
        matching = bool(match and match.matched)
        signals["face_score"] = match.score if match else None
    return {"passed": outcome.passed, "reason": reason, "antiSpoofing": bool(liveness_ok),
            "matching": matching, "measurements": signals, "forced": False}
