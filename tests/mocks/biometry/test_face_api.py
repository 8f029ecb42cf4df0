"""The face API over real HTTP: enrol, verify token, capture upload, server-side validate."""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks.biometry.app import create_app
from mocks.biometry.settings import DEFAULT_API_KEY, DEFAULT_SECRET
from mocks.framework import AdminClient, RunningServer, serve_in_thread
from simulator.identity.faces.liveness import LivenessChallenge, capture_session, stage_attack
from simulator.identity.faces.render import portrait_jpeg

CREDS = {"api_key": DEFAULT_API_KEY, "secret": DEFAULT_SECRET}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve_in_thread(create_app({"seed": 5})) as running:
        yield running


class Api:
    def __init__(self, url: str, session: str) -> None:
        self.url = url + "/api/v2"
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["X-Sim-Session"] = session

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.http.post(self.url + path, json=body, timeout=10, **kw)

    def enrol(self, user: str, identity: str, source: str = "eid") -> requests.Response:
        token = self.post("/claim/enrol/token", {**CREDS, "resource": "r", "user_id": user}).json()["token"]
        files = {"image": ("p.jpg", portrait_jpeg(identity), "image/jpeg")}
        return self.http.post(self.url + "/claim/enrol/image", files=files, timeout=10,
                              data={**CREDS, "token": token, "source": source, "rotation": "0"})

    def verify_token(self, user: str) -> tuple[str, LivenessChallenge]:
        r = self.post("/claim/verify/token", {**CREDS, "resource": "r", "user_id": user})
        assert r.status_code == 200, r.text
        return r.json()["token"], LivenessChallenge.from_json(r.json()["liveness_challenge"])

    def capture(self, token: str, frames: list[bytes]) -> requests.Response:
        return self.post("/claim/verify/capture",
                         {"token": token, "frames": [base64.b64encode(f).decode() for f in frames]})

    def validate(self, token: str, user: str) -> requests.Response:
        return self.post("/claim/verify/validate", {**CREDS, "token": token, "user_id": user, "client": "t"})


@pytest.fixture
def api(server: RunningServer, request: pytest.FixtureRequest) -> Iterator[Api]:
    session = re.sub(r"[^A-Za-z0-9_-]", "-", f"t-{request.node.name}")[:60]
    yield Api(server.url, session)
    AdminClient(server.url, session=session).reset(session)


def _run(api: Api, frames_for: Any, user: str = "u1", identity: str = "alice") -> dict[str, Any]:
    assert api.enrol(user, identity).status_code == 200
    token, challenge = api.verify_token(user)
    assert api.capture(token, frames_for(challenge)).status_code == 200
    r = api.validate(token, user)
    assert r.status_code == 200, r.text
    return r.json()


def test_genuine_user_passes(api: Api) -> None:
    body = _run(api, lambda c: capture_session("alice", c, random.Random(1)))
    assert body["passed"] is True and body["forced"] is False
    assert body["signals"]["anti_spoofing"]["passed"] and body["signals"]["matching"]["passed"]
    assert body["frame_available"] and base64.b64decode(body["frame_jpeg"])[:3] == b"\xff\xd8\xff"


def test_other_person_fails_face_mismatch(api: Api) -> None:
    body = _run(api, lambda c: capture_session("mallory", c, random.Random(2)))
    assert body["passed"] is False and body["reason"] == "face_mismatch"
    assert body["signals"]["anti_spoofing"]["passed"] is True


@pytest.mark.parametrize("attack", ["replay", "static", "screen", "cutout"])
def test_liveness_attack_fails(api: Api, attack: str) -> None:
    body = _run(api, lambda c: stage_attack(attack, "alice", c, random.Random(3)))
    assert body["passed"] is False and body["reason"].startswith("liveness_failed:")
    assert body["signals"]["anti_spoofing"]["passed"] is False
    # the victim's own face is in the frames: matching is reported, and is not the reason
    assert isinstance(body["signals"]["matching"]["passed"], bool)


def test_expired_and_reused_tokens(api: Api, server: RunningServer) -> None:
    assert api.enrol("u1", "alice").status_code == 200
    token, challenge = api.verify_token("u1")
    AdminClient(server.url, session=api.http.headers["X-Sim-Session"]).advance_clock(121)
    r = api.capture(token, capture_session("alice", challenge, random.Random(4)))
    assert r.status_code == 400 and r.json()["error"] == "token_expired"
    token, challenge = api.verify_token("u1")
    frames = capture_session("alice", challenge, random.Random(4))
    assert api.capture(token, frames).status_code == 200
    assert api.capture(token, frames).json()["error"] == "token_reused"
    assert api.validate(token, "u1").status_code == 200
    assert api.validate(token, "u1").json()["error"] == "token_reused"


def test_wrong_credentials_invalid_image_and_unknown_user(api: Api) -> None:
    r = api.post("/claim/verify/token", {"api_key": "x", "secret": "y", "resource": "r", "user_id": "u"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_key"
    r = api.post("/claim/verify/token", {**CREDS, "resource": "r", "user_id": "nobody"})
    assert r.status_code == 400 and r.json()["error"] == "no_user"
    token = api.post("/claim/enrol/token", {**CREDS, "resource": "r", "user_id": "u"}).json()["token"]
    r = api.http.post(api.url + "/claim/enrol/image", timeout=10,
                      data={**CREDS, "token": token, "source": "eid"},
                      files={"image": ("x.jpg", b"\xff\xd8\xffnot really", "image/jpeg")})
    assert r.status_code == 400 and r.json()["error"] == "invalid_enrol_image"


def test_queued_verdict_is_honoured_and_marked(api: Api, server: RunningServer) -> None:
    AdminClient(server.url, session=api.http.headers["X-Sim-Session"]).push_verdict(
        "face-verify", {"passed": False, "reason": "face_mismatch"})
    body = _run(api, lambda c: capture_session("alice", c, random.Random(1)))
    assert body["passed"] is False and body["forced"] is True and body["reason"] == "face_mismatch"


@pytest.mark.parametrize("path,payload", [
    ("/claim/verify/capture", {"token": "t", "frames": ["!!"]}),
    ("/claim/verify/capture", {"frames": []}),
    ("/claim/verify/validate", [1, 2]),
    ("/claim/enrol/token", "x"),
    ("/claim/abc/invalidate", {**CREDS}),
])
def test_malformed_requests_are_4xx(api: Api, path: str, payload: Any) -> None:
    r = api.post(path, payload)
    assert 400 <= r.status_code < 500 and "error" in r.json()


def test_print_attack_fails_liveness(api: Api) -> None:
    body = _run(api, lambda c: stage_attack("print", "alice", c, random.Random(3)))
    assert body["passed"] is False and body["reason"].startswith("liveness_failed:")


def test_token_bound_to_user_and_validate_needs_capture(api: Api) -> None:
    assert api.enrol("u1", "alice").status_code == 200
    assert api.enrol("u2", "bob").status_code == 200
    token, challenge = api.verify_token("u1")
    assert api.validate(token, "u1").json()["error"] == "invalid_validation"
    assert api.capture(token, capture_session("alice", challenge, random.Random(6))).status_code == 200
    assert api.validate(token, "u2").json()["error"] == "invalid_token"
    assert api.validate(token, "u1").json()["passed"] is True


def test_invalidate_and_user_management(api: Api) -> None:
    assert api.enrol("u1", "alice", source="oid").status_code == 200
    r = api.post("/claim/enrol/token", {**CREDS, "resource": "r", "user_id": "u1"})
    assert r.status_code == 400 and r.json()["error"] == "already_enrolled"
    token, challenge = api.verify_token("u1")
    r = api.post(f"/claim/{token}/invalidate", {**CREDS, "reason": "user cancelled"})
    assert r.json() == {"claim_aborted": True, "user_informed": False}
    r = api.capture(token, capture_session("alice", challenge, random.Random(7)))
    assert r.json()["error"] == "invalid_token"
    user = api.http.get(api.url + "/users/u1", params=CREDS, timeout=10).json()
    assert user["source"] == "oid" and "template" not in user
    assert api.http.delete(api.url + "/users/u1", params=CREDS, timeout=10).status_code == 200
    assert api.http.get(api.url + "/users/u1", params=CREDS, timeout=10).json()["error"] == "no_user"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                            lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(st.sampled_from(["token", "frames", "api_key", "secret",
                                                               "user_id", "resource", "reason"]),
                                              inner, max_size=4), max_leaves=8),
       path=st.sampled_from(["/claim/verify/capture", "/claim/verify/validate", "/claim/verify/token",
                             "/claim/enrol/token", "/claim/x/invalidate"]))
def test_arbitrary_json_never_5xx(api: Api, payload: Any, path: str) -> None:
    r = api.post(path, payload)
    assert 400 <= r.status_code < 500 and isinstance(r.json()["error"], str)
