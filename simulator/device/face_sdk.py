"""The face biometry provider's device SDK, shaped like iProov's: ``launch(token, challenge)``.

The Onboarding Server's ``presence-check/init`` hands the app a verification token (iProov's
``iProovVerificationToken``) and the flash-liveness challenge the provider drew for it. The SDK
lights the screen in the challenge's colours, films the face (one frame per slot, the dark ambient
slot first) and uploads the frames with the token to the provider's capture endpoint
(``POST /api/v2/claim/verify/capture``, ``{"token", "frames": [Base64 JPEG …], "client"}``). The
token is the only credential the device holds. The provider's answer tells the device only that the
capture was processed: the verdict is fetched server-side by Wultra (``claim/verify/validate``), never
taken from the device.

Who is in front of the camera is the persona's choice (:class:`FaceBehaviour`): the genuine holder,
or one of the presentation and injection attacks of :mod:`simulator.identity.faces.liveness`
(replayed recording, injected still photo, printed photo, cut-out print, another screen) or another
person altogether. Every frame comes from the SDK's seeded ``random.Random``, so a run replays.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import requests

from simulator.encoding import b64encode_text
from simulator.identity.faces.errors import ChallengeFormatError
from simulator.identity.faces.liveness import AttackKind, LivenessChallenge, capture_session, stage_attack

__all__ = [
    "CAPTURE_PATH",
    "CaptureReceipt",
    "FaceBehaviour",
    "FaceCaptureRejectedError",
    "FaceSdk",
    "FaceSdkError",
    "FaceTokenError",
    "ProviderUnavailableError",
    "parse_challenge",
]

CAPTURE_PATH = "/api/v2/claim/verify/capture"
SESSION_HEADER = "X-Sim-Session"
DEFAULT_CLIENT = "rsim-virtual-phone"
_TOKEN_ERRORS = {"invalid_token", "token_expired", "token_reused", "token_invalid"}


class FaceSdkError(Exception):
    """Base class of the SDK's errors. ``code`` is the provider's error code (``""`` if none)."""

    def __init__(self, message: str, *, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class FaceTokenError(FaceSdkError):
    """The provider refused the token (unknown, expired, already used): ask Wultra for a new one."""


class FaceCaptureRejectedError(FaceSdkError):
    """The provider refused the upload itself (malformed frames, too large …)."""


class ProviderUnavailableError(FaceSdkError):
    """The provider could not be reached or failed (5xx, no answer, not its envelope)."""


class FaceBehaviour(StrEnum):
    """Who (or what) faces the camera."""

    HONEST = "honest"
    REPLAY = "replay"  # a genuine recording made for an earlier challenge
    INJECTION = "injection"  # one still photo injected into the video stream as every frame
    PRINTED_PHOTO = "printed_photo"  # a flat print filling the view
    CUTOUT = "cutout"  # a print cut to the face outline, held before a real wall
    SCREEN = "screen"  # the face shown on another display
    OTHER_PERSON = "other_person"  # a live person, but not the document holder


_ATTACKS: dict[FaceBehaviour, AttackKind] = {
    FaceBehaviour.REPLAY: AttackKind.REPLAY,
    FaceBehaviour.INJECTION: AttackKind.STATIC,
    FaceBehaviour.PRINTED_PHOTO: AttackKind.PRINT,
    FaceBehaviour.CUTOUT: AttackKind.CUTOUT,
    FaceBehaviour.SCREEN: AttackKind.SCREEN,
}


def parse_challenge(challenge: LivenessChallenge | str | bytes | Mapping[str, Any]) -> LivenessChallenge:
    """The challenge as the server passed it on: an object, its JSON text, or the decoded JSON object."""
    if isinstance(challenge, LivenessChallenge):
        return challenge
    try:
        if isinstance(challenge, Mapping):
            return LivenessChallenge.from_json(_json_text(challenge))
        return LivenessChallenge.from_json(challenge)
    except ChallengeFormatError as exc:
        raise FaceSdkError(f"unusable liveness challenge: {exc}", code="invalid_challenge") from exc


def _json_text(obj: Mapping[str, Any]) -> str:
    try:
        return json.dumps(dict(obj))
    except (TypeError, ValueError) as exc:
        raise ChallengeFormatError(f"challenge object is not JSON: {exc}") from exc


@dataclass(frozen=True, slots=True)
class CaptureReceipt:
    """What the device knows after a capture: it was uploaded and processed, nothing about the verdict."""

    token: str
    frames: int
    behaviour: FaceBehaviour


class FaceSdk:
    """The provider SDK in one app, for the face of ``identity_id`` (the holder's face seed).

    ``base_url`` is the provider's root (the SDK's streaming URL, configured in the app);
    ``other_identity`` is whose face ``OTHER_PERSON`` shows; ``session`` the isolation header value.
    """

    def __init__(
        self,
        base_url: str,
        identity_id: str,
        *,
        behaviour: FaceBehaviour | str = FaceBehaviour.HONEST,
        other_identity: str = "rsim-impostor",
        rng: random.Random | None = None,
        session: str | None = None,
        client: str = DEFAULT_CLIENT,
        timeout: float = 15.0,
        http: requests.Session | None = None,
    ) -> None:
        try:
            self.behaviour = FaceBehaviour(behaviour)
        except ValueError as exc:
            known = ", ".join(b.value for b in FaceBehaviour)
            raise ValueError(f"unknown face behaviour {behaviour!r}; known: {known}") from exc
        if self.behaviour is FaceBehaviour.OTHER_PERSON and other_identity == identity_id:
            raise ValueError("other_identity must differ from the holder's identity")
        self.url = base_url.rstrip("/") + CAPTURE_PATH
        self.identity_id = identity_id
        self.other_identity = other_identity
        self.rng = rng or random.Random(f"face-sdk:{identity_id}")
        self.client = client
        self.timeout = timeout
        self.http = http or requests.Session()
        self.http.trust_env = False
        if session is not None:
            self.http.headers[SESSION_HEADER] = session

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> FaceSdk:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def frames_for(self, challenge: LivenessChallenge) -> list[bytes]:
        """The JPEG frames this persona's camera produces for ``challenge``, ambient slot first."""
        if self.behaviour is FaceBehaviour.HONEST:
            return capture_session(self.identity_id, challenge, self.rng)
        if self.behaviour is FaceBehaviour.OTHER_PERSON:
            return capture_session(self.other_identity, challenge, self.rng)
        return stage_attack(_ATTACKS[self.behaviour], self.identity_id, challenge, self.rng)

    def launch(
        self, token: str, challenge: LivenessChallenge | str | bytes | Mapping[str, Any]
    ) -> CaptureReceipt:
        """Run the face scan for ``token`` and upload it; typed errors on any refusal."""
        if not isinstance(token, str) or not token:
            raise FaceTokenError("no verification token", code="invalid_token")
        frames = self.frames_for(parse_challenge(challenge))
        body = {
            "token": token,
            "frames": [b64encode_text(frame) for frame in frames],
            "client": self.client,
        }
        try:
            response = self.http.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ProviderUnavailableError(f"biometry provider unreachable: {exc}") from exc
        answer = _json_or_none(response)
        if response.status_code == 200 and isinstance(answer, dict) and answer.get("processed") is True:
            return CaptureReceipt(token, len(frames), self.behaviour)
        raise _error_of(response.status_code, answer, response.text)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_of(status: int, answer: Any, text: str) -> FaceSdkError:
    """The typed error for a refused upload, from iProov's ``{"error", "error_description"}``."""
    code = answer.get("error") if isinstance(answer, dict) else None
    description = answer.get("error_description") if isinstance(answer, dict) else None
    if not isinstance(code, str) or status >= 500 or status == 200:
        return ProviderUnavailableError(
            f"biometry provider answered {status} without its error envelope: {text[:200]}", status=status
        )
    message = f"{code}: {description}" if isinstance(description, str) else code
    if code in _TOKEN_ERRORS:
        return FaceTokenError(message, code=code, status=status)
    return FaceCaptureRejectedError(message, code=code, status=status)
