"""The face SDK against the biometry mock over HTTP: the server enrols the trusted image and asks for
a verify token; the SDK captures and uploads; the server's validate gives the verdict."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from mocks.biometry.app import create_app
from mocks.biometry.settings import DEFAULT_API_KEY, DEFAULT_SECRET
from mocks.framework import AdminClient, RunningServer, serve_in_thread
from simulator.device.face_sdk import (
    FaceBehaviour,
    FaceCaptureRejectedError,
    FaceSdk,
    FaceSdkError,
    FaceTokenError,
    ProviderUnavailableError,
    _error_of,
    parse_challenge,
)
from simulator.identity.faces.liveness import LivenessChallenge
from simulator.identity.faces.render import portrait_jpeg

CREDS = {"api_key": DEFAULT_API_KEY, "secret": DEFAULT_SECRET}
HOLDER = "holder-4711"


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningServer]:
    with serve_in_thread(create_app({"seed": 9})) as running:
        yield running


class Server:
    """Wultra's side of the provider API: enrol the trusted image, issue a verify token, validate."""

    def __init__(self, url: str, session: str) -> None:
        self.url = url + "/api/v2"
        self.session = session
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["X-Sim-Session"] = session

    def enrol(self, user: str, identity: str) -> None:
        token = self.http.post(self.url + "/claim/enrol/token", timeout=10,
                               json={**CREDS, "resource": "onboarding", "user_id": user}).json()["token"]
        response = self.http.post(self.url + "/claim/enrol/image", timeout=10,
                                  data={**CREDS, "token": token, "source": "eid", "rotation": "0"},
                                  files={"image": ("dg2.jpg", portrait_jpeg(identity), "image/jpeg")})
        assert response.status_code == 200, response.text

    def verify_token(self, user: str) -> tuple[str, str]:
        body = self.http.post(self.url + "/claim/verify/token", timeout=10,
                              json={**CREDS, "resource": "onboarding", "user_id": user}).json()
        return body["token"], body["liveness_challenge"]

    def validate(self, token: str, user: str) -> dict[str, Any]:
        response = self.http.post(self.url + "/claim/verify/validate", timeout=10,
                                  json={**CREDS, "token": token, "user_id": user, "client": "wultra"})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def server(provider: RunningServer, request: pytest.FixtureRequest) -> Iterator[Server]:
    session = re.sub(r"[^A-Za-z0-9_-]", "-", f"face-{request.node.name}")[:60]
    yield Server(provider.url, session)
    AdminClient(provider.url, session=session).reset(session)


def _scan(provider: RunningServer, server: Server, behaviour: FaceBehaviour, seed: int) -> dict[str, Any]:
    server.enrol("user-1", HOLDER)
    token, challenge = server.verify_token("user-1")
    with FaceSdk(provider.url, HOLDER, behaviour=behaviour, rng=random.Random(seed),
                 session=server.session) as sdk:
        receipt = sdk.launch(token, challenge)
    assert receipt.token == token and receipt.frames == len(parse_challenge(challenge).slots)
    return server.validate(token, "user-1")


def test_honest_capture_passes_server_side(provider: RunningServer, server: Server) -> None:
    result = _scan(provider, server, FaceBehaviour.HONEST, 1)
    assert result["passed"] is True and result["forced"] is False
    assert result["signals"]["anti_spoofing"]["passed"] and result["signals"]["matching"]["passed"]


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (FaceBehaviour.REPLAY, "liveness_failed:challenge_mismatch"),
        (FaceBehaviour.INJECTION, "liveness_failed:no_reflection"),
        (FaceBehaviour.PRINTED_PHOTO, "liveness_failed:no_reflection"),
        (FaceBehaviour.CUTOUT, "liveness_failed:flat_surface"),
        (FaceBehaviour.SCREEN, "liveness_failed:no_reflection"),
        (FaceBehaviour.OTHER_PERSON, "face_mismatch"),
    ],
)
def test_each_attack_fails_with_its_reason(
    provider: RunningServer, server: Server, behaviour: FaceBehaviour, reason: str
) -> None:
    result = _scan(provider, server, behaviour, 2)
    assert result["passed"] is False
    assert result["reason"] == reason
    liveness_ok = result["signals"]["anti_spoofing"]["passed"]
    assert liveness_ok is (behaviour is FaceBehaviour.OTHER_PERSON)


def test_used_and_unknown_tokens_are_token_errors(provider: RunningServer, server: Server) -> None:
    server.enrol("user-1", HOLDER)
    token, challenge = server.verify_token("user-1")
    with FaceSdk(provider.url, HOLDER, rng=random.Random(3), session=server.session) as sdk:
        sdk.launch(token, challenge)
        with pytest.raises(FaceTokenError) as info:
            sdk.launch(token, challenge)
        assert info.value.code == "token_reused" and info.value.status == 400
        with pytest.raises(FaceTokenError):
            sdk.launch("no-such-token", challenge)
        with pytest.raises(FaceTokenError):
            sdk.launch("", challenge)


def test_expired_token(provider: RunningServer, server: Server) -> None:
    server.enrol("user-1", HOLDER)
    token, challenge = server.verify_token("user-1")
    AdminClient(provider.url, session=server.session).advance_clock(121)
    with FaceSdk(provider.url, HOLDER, session=server.session) as sdk, pytest.raises(FaceTokenError) as info:
        sdk.launch(token, challenge)
    assert info.value.code == "token_expired"


def test_provider_down_and_non_provider_answers(provider: RunningServer) -> None:
    challenge = LivenessChallenge.generate(random.Random(1))
    with FaceSdk("http://127.0.0.1:9", HOLDER, timeout=2) as sdk, pytest.raises(ProviderUnavailableError):
        sdk.launch("t", challenge)
    with FaceSdk(provider.url + "/nowhere", HOLDER) as sdk, pytest.raises(FaceSdkError) as info:
        sdk.launch("t", challenge)
    assert isinstance(info.value, FaceCaptureRejectedError | ProviderUnavailableError)


def test_challenge_forms_and_bad_challenges() -> None:
    challenge = LivenessChallenge.generate(random.Random(4))
    text = challenge.to_json()
    assert parse_challenge(text) == parse_challenge(json.loads(text)) == parse_challenge(challenge)
    for bad in ("not json", {"version": 1, "nonce": "x", "colours": []}, b"[]"):
        with pytest.raises(FaceSdkError) as info:
            parse_challenge(bad)
        assert info.value.code == "invalid_challenge"


def test_frames_replay_from_the_seed_and_unknown_behaviour_is_refused() -> None:
    challenge = LivenessChallenge.generate(random.Random(5))
    one = FaceSdk("http://x", HOLDER, rng=random.Random(6)).frames_for(challenge)
    assert one == FaceSdk("http://x", HOLDER, rng=random.Random(6)).frames_for(challenge)
    assert len(one) == len(challenge.slots)
    with pytest.raises(ValueError, match="unknown face behaviour"):
        FaceSdk("http://x", HOLDER, behaviour="deepfake")
    with pytest.raises(ValueError, match="must differ"):
        FaceSdk("http://x", HOLDER, behaviour="other_person", other_identity=HOLDER)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@given(status=st.integers(min_value=200, max_value=599), body=_JSON)
def test_any_refusal_becomes_a_typed_error(status: int, body: Any) -> None:
    error = _error_of(status, body, json.dumps(body))
    assert isinstance(error, FaceSdkError)
    if status >= 500 or not (isinstance(body, dict) and isinstance(body.get("error"), str)):
        assert isinstance(error, ProviderUnavailableError)


@given(_JSON)
def test_any_challenge_object_is_parsed_or_refused_cleanly(obj: Any) -> None:
    try:
        parse_challenge(obj if isinstance(obj, dict) else json.dumps(obj))
    except FaceSdkError as exc:
        assert exc.code == "invalid_challenge"
