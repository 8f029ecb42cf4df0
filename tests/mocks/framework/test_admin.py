"""The admin API: token enforcement, state view, verdict queues, seed, strict bodies."""

from __future__ import annotations

import pytest
import requests

from mocks.framework import RunningServer

TOKEN = "s3cret-admin-token"


def test_health_is_open_and_the_rest_needs_the_token(serve, http: requests.Session) -> None:
    server = serve(admin_token=TOKEN)
    assert http.get(f"{server.url}/_admin/health").json()["status"] == "UP"
    for method, path in [("GET", "journal"), ("POST", "reset"), ("GET", "state"), ("GET", "clock"),
                         ("GET", "faults"), ("DELETE", "journal"), ("GET", "verdicts")]:
        denied = http.request(method, f"{server.url}/_admin/{path}")
        assert denied.status_code == 401, path
        assert denied.json()["type"].endswith(":unauthorized")
        wrong = http.request(method, f"{server.url}/_admin/{path}", headers={"X-Admin-Token": "nope"})
        assert wrong.status_code == 401
        allowed = http.request(method, f"{server.url}/_admin/{path}", headers={"X-Admin-Token": TOKEN})
        assert allowed.status_code == 200, (path, allowed.text)
    # The party's own API does not need the admin token.
    assert http.post(f"{server.url}/demo/counter", json={"name": "c"}).status_code == 200


def test_token_is_redacted_in_the_journal(serve, http: requests.Session) -> None:
    server = serve(admin_token=TOKEN)
    http.post(f"{server.url}/demo/counter", json={"name": "c"}, headers={"X-Admin-Token": TOKEN})
    text = http.get(f"{server.url}/_admin/journal", headers={"X-Admin-Token": TOKEN}).text
    assert TOKEN not in text


def test_verdicts_are_popped_in_order_then_computed(server: RunningServer, http: requests.Session) -> None:
    queued = http.post(f"{server.url}/_admin/verdicts",
                       json={"kind": "judge", "verdict": {"match": False, "score": 0.12}, "session": "v"})
    assert queued.json() == {"session": "v", "kind": "judge", "queued": 1}
    http.post(f"{server.url}/_admin/verdicts", json={"kind": "judge", "verdict": "second", "times": 2},
              headers={"X-Sim-Session": "v"})
    listed = http.get(f"{server.url}/_admin/verdicts", params={"session": "v"}).json()
    assert listed["verdicts"] == {"judge": [{"match": False, "score": 0.12}, "second", "second"]}

    def judge(session: str) -> dict[str, object]:
        return dict(http.post(f"{server.url}/demo/judge", headers={"X-Sim-Session": session})
                    .json()["responseObject"])

    assert judge("other") == {"verdict": "computed-pass", "forced": False}  # queues are per session
    assert judge("v") == {"verdict": {"match": False, "score": 0.12}, "forced": True}
    assert judge("v")["verdict"] == "second"
    assert judge("v")["verdict"] == "second"
    assert judge("v") == {"verdict": "computed-pass", "forced": False}


def test_verdicts_clear_and_reset(server: RunningServer, http: requests.Session) -> None:
    for kind in ("a", "b"):
        http.post(f"{server.url}/_admin/verdicts", json={"kind": kind, "verdict": 1})
    http.delete(f"{server.url}/_admin/verdicts", params={"kind": "a"})
    assert http.get(f"{server.url}/_admin/verdicts").json()["verdicts"] == {"b": [1]}
    http.post(f"{server.url}/_admin/reset", json={"session": "default"})
    assert http.get(f"{server.url}/_admin/verdicts").json()["verdicts"] == {}


@pytest.mark.parametrize("body", [
    {"kind": "bad kind!", "verdict": 1},
    {"kind": "x", "verdict": 1, "times": 0},
    {"kind": "x"},
    {"kind": "x", "verdict": 1, "surprise": True},
    {"kind": "x", "verdict": 1, "session": "no spaces"},
])
def test_bad_verdict_requests_are_400(server: RunningServer, http: requests.Session, body: dict) -> None:
    response = http.post(f"{server.url}/_admin/verdicts", json=body)
    assert response.status_code == 400, response.text


def test_state_shows_records_clock_and_verdicts(server: RunningServer, http: requests.Session) -> None:
    http.post(f"{server.url}/demo/counter", json={"name": "c", "by": 4}, headers={"X-Sim-Session": "st"})
    http.post(f"{server.url}/demo/token", json={"ttl": 30}, headers={"X-Sim-Session": "st"})
    state = http.get(f"{server.url}/_admin/state", headers={"X-Sim-Session": "st"}).json()
    assert state["session"] == "st" and state["party"] == "demo"
    assert state["records"]["counter:c"] == {"value": 4, "expiresAt": None}
    (token_key,) = [k for k in state["records"] if k.startswith("token:")]
    assert state["records"][token_key]["expiresAt"] == pytest.approx(state["clock"]["timestamp"] + 30, abs=5)
    assert "st" in state["sessions"]


def test_reset_can_clear_the_journal_too(server: RunningServer, http: requests.Session) -> None:
    http.post(f"{server.url}/demo/counter", json={"name": "c"})
    http.post(f"{server.url}/_admin/reset", json={})
    assert http.get(f"{server.url}/_admin/journal").json()["count"] == 1
    http.post(f"{server.url}/_admin/reset", json={"journal": True})
    assert http.get(f"{server.url}/_admin/journal").json()["count"] == 0
    assert http.post(f"{server.url}/_admin/reset", json={"session": "a b"}).status_code == 400
    assert http.post(f"{server.url}/_admin/reset", json={"sesion": "typo"}).status_code == 400


def test_seed_endpoint_makes_ids_replayable(serve, http: requests.Session) -> None:
    server = serve()  # unseeded: CSPRNG

    def token() -> str:
        return str(http.post(f"{server.url}/demo/token", json={}).json()["responseObject"]["token"])

    assert http.post(f"{server.url}/_admin/seed", json={"seed": 77}).json() == {"seed": 77}
    first = [token(), token()]
    http.post(f"{server.url}/_admin/seed", json={"seed": 77})
    assert [token(), token()] == first
    assert http.get(f"{server.url}/_admin/health").json()["seeded"] is True


def test_admin_errors_use_the_problem_envelope(server: RunningServer, http: requests.Session) -> None:
    response = http.get(f"{server.url}/_admin/nothing")
    assert response.status_code == 404
    assert response.json()["type"].endswith(":not_found")
    response = http.post(f"{server.url}/_admin/clock", data="{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["type"].endswith(":malformed_json")
