"""Party hooks on the runtime: setup, reset hooks, state view, registries, verdict queue contention."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Blueprint, Flask, Response, jsonify

from mocks.framework import (
    BackendRegistry,
    InMemoryStore,
    MockRuntime,
    PartySpec,
    VerdictQueue,
    create_mock_app,
    current_runtime,
    current_session,
    serve_in_thread,
)


def _registry_party() -> tuple[PartySpec, BackendRegistry[dict[str, Any]]]:
    built: list[str] = []
    registry: BackendRegistry[dict[str, Any]] = BackendRegistry(lambda s: {"session": s, "n": len(built)})
    bp = Blueprint("reg", __name__)

    @bp.get("/backend")
    def backend() -> Response:
        built.append(current_session())
        return jsonify(registry.get(current_session()))

    def setup(app: Flask, runtime: MockRuntime) -> None:
        runtime.add_reset_hook(registry.reset)

    def state_view(runtime: MockRuntime, session: str) -> dict[str, Any]:
        return {"hasBackend": session in registry}

    return PartySpec(name="reg", blueprints=(bp,), setup=setup, state_view=state_view), registry


def test_registry_backends_are_per_session_and_reset_by_hook(http: requests.Session) -> None:
    party, registry = _registry_party()
    with serve_in_thread(create_mock_app(party)) as server:
        first = http.get(f"{server.url}/backend", headers={"X-Sim-Session": "a"}).json()
        assert http.get(f"{server.url}/backend", headers={"X-Sim-Session": "a"}).json() == first
        http.get(f"{server.url}/backend", headers={"X-Sim-Session": "b"})
        assert registry.sessions() == ["a", "b"]
        view = http.get(f"{server.url}/_admin/state", params={"session": "a"}).json()["party_state"]
        assert view == {"hasBackend": True}
        http.post(f"{server.url}/_admin/reset", json={"session": "a"})
        assert registry.sessions() == ["b"]
        assert http.get(f"{server.url}/backend", headers={"X-Sim-Session": "a"}).json() != first


def test_registry_builds_once_under_contention() -> None:
    calls: list[str] = []
    registry = BackendRegistry(lambda s: calls.append(s) or object())
    barrier = threading.Barrier(8)

    def get(_i: int) -> object:
        barrier.wait()
        return registry.get("s")

    with ThreadPoolExecutor(8) as pool:
        got = set(map(id, pool.map(get, range(8))))
    assert len(got) == 1 and calls == ["s"]


def test_default_envelope_is_problem_json(http: requests.Session) -> None:
    with serve_in_thread(create_mock_app(PartySpec(name="bare"))) as server:
        response = http.get(f"{server.url}/missing")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:rsim:error:not_found"


def test_current_runtime_requires_a_mock_app() -> None:
    with Flask("plain").app_context(), pytest.raises(RuntimeError, match="create_mock_app"):
        current_runtime()


def test_verdict_pop_is_take_once_under_contention() -> None:
    queue = VerdictQueue(InMemoryStore())
    queue.push("s", "k", "v", times=50)
    barrier = threading.Barrier(8)

    def drain(_i: int) -> list[Any]:
        barrier.wait()
        taken = []
        while (item := queue.pop("s", "k")) is not None:
            taken.append(item)
        return taken

    with ThreadPoolExecutor(8) as pool:
        total = sum(len(chunk) for chunk in pool.map(drain, range(8)))
    assert total == 50
    assert queue.peek("s") == {}


def test_broken_envelope_falls_back_to_problem_json(http: requests.Session) -> None:
    def broken(_error: Any) -> tuple[dict[str, Any], int]:
        raise KeyError("envelope bug")

    with serve_in_thread(create_mock_app(PartySpec(name="broken", envelope=broken))) as server:
        response = http.get(f"{server.url}/missing")
    assert response.status_code == 500
    assert response.json()["type"] == "urn:rsim:error:internal"


def test_invalid_session_requests_are_journaled(http: requests.Session) -> None:
    with serve_in_thread(create_mock_app(PartySpec(name="bare"))) as server:
        http.get(f"{server.url}/x", headers={"X-Sim-Session": "bad key"})
        (entry,) = http.get(f"{server.url}/_admin/journal").json()["entries"]
    assert entry["status"] == 400 and entry["error"] == "invalid_session"
