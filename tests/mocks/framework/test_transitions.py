"""Transition policies: immediate, after virtual time, after N polls, or on manual release."""

from __future__ import annotations

import pytest
import requests
from pydantic import ValidationError

from mocks.framework import InMemoryStore, RunningServer, TransitionPolicy, Transitions
from mocks.framework.transitions import TransitionError


def _start(http: requests.Session, server: RunningServer, session: str) -> str:
    return str(http.post(f"{server.url}/demo/job", headers={"X-Sim-Session": session})
               .json()["responseObject"]["id"])


def _poll(http: requests.Session, server: RunningServer, session: str, job: str) -> str:
    response = http.get(f"{server.url}/demo/job/{job}", headers={"X-Sim-Session": session})
    assert response.status_code == 200, response.text
    return str(response.json()["responseObject"]["status"])


def _policy(http: requests.Session, server: RunningServer, session: str, **policy: object) -> None:
    body = {"kind": "demo.job", "session": session, **policy}
    response = http.post(f"{server.url}/_admin/transitions", json=body)
    assert response.status_code == 200, response.text


def test_default_is_immediate(server: RunningServer, http: requests.Session) -> None:
    job = _start(http, server, "t")
    assert _poll(http, server, "t", job) == "DONE"


def test_after_n_reads(server: RunningServer, http: requests.Session) -> None:
    _policy(http, server, "t", mode="reads", reads=3)
    job = _start(http, server, "t")
    assert [_poll(http, server, "t", job) for _ in range(4)] == ["PENDING", "PENDING", "DONE", "DONE"]


def test_after_virtual_time(server: RunningServer, http: requests.Session) -> None:
    _policy(http, server, "t", mode="time", seconds=90)
    job = _start(http, server, "t")
    assert _poll(http, server, "t", job) == "PENDING"
    http.post(f"{server.url}/_admin/clock", json={"advance": 91, "session": "t"})
    assert _poll(http, server, "t", job) == "DONE"


def test_manual_release_and_session_scope(server: RunningServer, http: requests.Session) -> None:
    _policy(http, server, "t", mode="manual")
    job = _start(http, server, "t")
    other = _start(http, server, "u")  # session u keeps the immediate default
    assert _poll(http, server, "u", other) == "DONE"
    assert _poll(http, server, "t", job) == "PENDING"
    released = http.post(f"{server.url}/_admin/transitions/release",
                         json={"kind": "demo.job", "id": job, "session": "t"})
    assert released.status_code == 200
    assert _poll(http, server, "t", job) == "DONE"
    listed = http.get(f"{server.url}/_admin/transitions", params={"session": "t"}).json()["transitions"]
    assert listed["demo.job"]["mode"] == "manual"
    http.post(f"{server.url}/_admin/reset", json={"session": "t"})
    assert http.get(f"{server.url}/_admin/transitions", params={"session": "t"}).json()["transitions"] == {}


@pytest.mark.parametrize("body", [
    {"kind": "demo.job", "mode": "sometimes"},
    {"kind": "demo.job", "mode": "reads", "reads": 0},
    {"kind": "demo.job", "mode": "time", "seconds": -1},
    {"kind": "bad kind", "mode": "immediate"},
    {"kind": "demo.job", "extra": 1},
])
def test_bad_policies_are_400(server: RunningServer, http: requests.Session, body: dict) -> None:
    assert http.post(f"{server.url}/_admin/transitions", json=body).status_code == 400


def test_policy_semantics_unit() -> None:
    assert TransitionPolicy(mode="time", seconds=10).is_due(started_at=100, now=110)
    assert not TransitionPolicy(mode="time", seconds=10).is_due(started_at=100, now=109.9)
    assert not TransitionPolicy(mode="manual").is_due(started_at=0, now=1e9, reads=10**6)
    with pytest.raises(ValidationError):
        TransitionPolicy(mode="reads", reads=0)
    transitions = Transitions(InMemoryStore())
    assert transitions.get("s", "k", TransitionPolicy(mode="reads", reads=2)).reads == 2
    with pytest.raises(TransitionError):
        transitions.release("s", "k", "../id")
