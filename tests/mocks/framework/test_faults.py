"""Seeded fault injection: reproducible error sequences, clamped latency, real connection resets."""

from __future__ import annotations

import random
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mocks.framework import FaultInjector, FaultRule, RunningServer
from mocks.framework.faults import Latency


def _statuses(http: requests.Session, server: RunningServer, n: int, session: str = "f") -> list[int]:
    url, headers = f"{server.url}/demo/counter", {"X-Sim-Session": session}
    return [http.post(url, json={"name": "c"}, headers=headers).status_code for _ in range(n)]


def _add(http: requests.Session, server: RunningServer, rule: dict[str, Any]) -> dict[str, Any]:
    response = http.post(f"{server.url}/_admin/faults", json=rule)
    assert response.status_code == 200, response.text
    return dict(response.json()["rules"][0])


def test_seeded_error_rate_gives_the_same_sequence_twice(serve, http: requests.Session) -> None:
    rule = {"route": "/demo/*", "probability": 0.4, "error": {"status": 503}}
    runs = []
    for _ in range(2):
        server = serve(seed=42)
        _add(http, server, rule)
        runs.append(_statuses(http, server, 40))
    assert runs[0] == runs[1]
    assert 3 < runs[0].count(503) < 37  # a real mix, not all-or-nothing
    other = serve(seed=43)
    _add(http, other, rule)
    assert _statuses(http, other, 40) != runs[0]


def test_sequence_of_a_session_ignores_other_sessions(serve, http: requests.Session) -> None:
    rule = {"route": "/demo/*", "probability": 0.5, "error": {"status": 500}}
    quiet, noisy = serve(seed=5), serve(seed=5)
    _add(http, quiet, rule)
    _add(http, noisy, rule)
    expected = _statuses(http, quiet, 20)
    got = []
    for _ in range(20):
        _statuses(http, noisy, 1, session="other")
        got.extend(_statuses(http, noisy, 1))
    assert got == expected


def test_error_without_body_uses_party_envelope_and_with_body_is_literal(server: RunningServer,
                                                                       http: requests.Session) -> None:
    _add(http, server, {"id": "plain", "route": "/demo/counter", "error": {"status": 429}, "times": 1})
    response = http.post(f"{server.url}/demo/counter", json={"name": "c"})
    assert response.status_code == 429
    assert response.json()["status"] == "ERROR"
    assert response.json()["responseObject"]["code"] == "INJECTED_FAULT"
    _add(http, server, {"route": "/demo/counter", "error": {"status": 502, "body": {"raw": True},
                                                           "headers": {"Retry-After": "3"}}})
    response = http.post(f"{server.url}/demo/counter", json={"name": "c"})
    assert (response.status_code, response.json()) == (502, {"raw": True})
    assert response.headers["Retry-After"] == "3"


def test_times_limit_and_listing(server: RunningServer, http: requests.Session) -> None:
    _add(http, server, {"id": "twice", "route": "/demo/counter", "error": {"status": 503}, "times": 2})
    assert _statuses(http, server, 4) == [503, 503, 200, 200]
    (listed,) = http.get(f"{server.url}/_admin/faults").json()["rules"]
    assert listed["id"] == "twice" and listed["fired"] == 2 and listed["remaining"] == 0


def test_every_nth_is_deterministic(server: RunningServer, http: requests.Session) -> None:
    _add(http, server, {"route": "/demo/*", "everyNth": 3, "error": {"status": 503}})
    assert _statuses(http, server, 7) == [200, 200, 503, 200, 200, 503, 200]


def test_rule_scoped_to_session_method_and_route(server: RunningServer, http: requests.Session) -> None:
    _add(http, server, {"route": "/demo/counter", "methods": ["post"], "session": "victim",
                        "error": {"status": 503}})
    assert _statuses(http, server, 1, session="victim") == [503]
    assert _statuses(http, server, 1, session="bystander") == [200]
    assert http.get(f"{server.url}/demo/counter/c", headers={"X-Sim-Session": "victim"}).status_code == 404


def test_admin_api_is_never_faulted(server: RunningServer, http: requests.Session) -> None:
    _add(http, server, {"route": "*", "reset": True})
    assert http.get(f"{server.url}/_admin/health").status_code == 200
    assert http.delete(f"{server.url}/_admin/faults").json() == {"removed": "all"}
    assert _statuses(http, server, 1) == [200]


def test_connection_reset_is_a_client_connection_error(server: RunningServer, http: requests.Session) -> None:
    _add(http, server, {"route": "/demo/counter", "reset": True, "times": 1})
    with pytest.raises(requests.ConnectionError):
        http.post(f"{server.url}/demo/counter", json={"name": "c"})
    # The server survives and the journal shows the dropped exchange.
    assert _statuses(http, server, 1, session="default") == [200]
    entries = http.get(f"{server.url}/_admin/journal").json()["entries"]
    assert entries[0]["status"] is None and "reset" in entries[0]["fault"]


def test_latency_is_clamped_to_the_cap(serve, http: requests.Session) -> None:
    server = serve(delay_cap=0.05)
    _add(http, server, {"route": "/demo/*", "latency": {"distribution": "fixed", "ms": 60_000}})
    assert _statuses(http, server, 1) == [200]  # a minute of requested delay ends after the 50 ms cap
    (entry,) = http.get(f"{server.url}/_admin/journal").json()["entries"]
    assert "delay=50.0ms" in entry["fault"]


@settings(deadline=None)
@given(st.sampled_from([
    {"distribution": "fixed", "ms": 5e6},
    {"distribution": "uniform", "minMs": 0, "maxMs": 1e7},
    {"distribution": "normal", "meanMs": 100, "stddevMs": 1e6},
    {"distribution": "lognormal", "medianMs": 5000, "sigma": 3},
]), st.integers(0, 2**32))
def test_every_distribution_stays_within_zero_and_cap(latency: dict[str, Any], seed: int) -> None:
    injector = FaultInjector(seed=seed, delay_cap=10.0)
    injector.add(FaultRule.model_validate({"route": "*", "latency": latency}))
    for _ in range(20):
        decision = injector.decide("GET", "/x", "s")
        assert decision is not None and 0.0 <= decision.delay <= 10.0


def test_distributions_sample_what_they_say() -> None:
    rng = random.Random(0)
    uniform = Latency.model_validate({"distribution": "uniform", "minMs": 10, "maxMs": 20})
    assert all(10 <= uniform.sample_ms(rng) <= 20 for _ in range(200))
    lognormal = Latency.model_validate({"distribution": "lognormal", "medianMs": 100, "sigma": 0.5})
    draws = sorted(lognormal.sample_ms(rng) for _ in range(2001))
    assert 80 < draws[1000] < 125  # the median is the median


@pytest.mark.parametrize("bad", [
    {"route": "/x"},  # no effect
    {"route": "/x", "reset": True, "error": {"status": 500}},
    {"route": "/x", "error": {"status": 200}},
    {"route": "/x", "probability": 1.5, "reset": True},
    {"route": "/x", "latency": {"distribution": "uniform", "minMs": 5}},
    {"route": "/x", "latency": {"distribution": "uniform", "minMs": 9, "maxMs": 5}},
    {"route": "/x", "latency": {"ms": -1}},
    {"route": "/x", "reset": True, "surprise": 1},
])
def test_invalid_rules_are_refused(server: RunningServer, http: requests.Session,
                                   bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        FaultRule.model_validate(bad)
    response = http.post(f"{server.url}/_admin/faults", json=bad)
    assert response.status_code == 400
    assert response.json()["type"].endswith(":validation")


def test_rules_list_and_delete_by_id(server: RunningServer, http: requests.Session) -> None:
    response = http.post(f"{server.url}/_admin/faults", json={"rules": [
        {"id": "a", "route": "/demo/a", "reset": True}, {"id": "b", "route": "/demo/b", "reset": True}]})
    assert [r["id"] for r in response.json()["rules"]] == ["a", "b"]
    assert http.delete(f"{server.url}/_admin/faults", params={"id": "a"}).json() == {"removed": "a"}
    assert http.delete(f"{server.url}/_admin/faults", params={"id": "a"}).status_code == 404
    assert [r["id"] for r in http.get(f"{server.url}/_admin/faults").json()["rules"]] == ["b"]


def test_reset_of_a_session_drops_its_scoped_rules_only() -> None:
    injector = FaultInjector(seed=1)
    injector.add(FaultRule(id="mine", route="*", session="s", reset=True))
    injector.add(FaultRule(id="all", route="/only", reset=True))
    injector.clear("s")
    assert [r["id"] for r in injector.list()] == ["all"]
