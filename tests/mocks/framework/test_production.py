"""Production serving: several worker processes on one Redis behave as one mock.

The party below is test-only; workers load it from this file (``...test_production.py:create_app``).
Its answers carry the worker's pid, so a test can tell that several processes really served.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Blueprint, Flask, Response, jsonify
from pydantic import BaseModel

from mocks.framework import MockError, PartySpec, create_mock_app, parse_body, store
from mocks.framework.production import ProductionServer, serve_production
from mocks.framework.redis_store.server import redis_server_binary
from mocks.framework.serving import ServingError

FACTORY = f"{Path(__file__).resolve()}:create_app"
OTP_LIMIT = 30


# ------------------------------------------------------------------ the test-only party


class _Code(BaseModel):
    code: str


def _blueprint() -> Blueprint:
    bp = Blueprint("prod", __name__)

    def answer(status: int, **body: Any) -> Response:
        response = jsonify({"pid": os.getpid(), **body})
        response.status_code = status
        return response

    @bp.post("/otp")
    def issue() -> Response:
        store().put("otp", {"code": "12345678", "attempts": 0}, ttl=60)
        return answer(200, issued=True)

    @bp.post("/otp/verify")
    def verify() -> Response:
        body = parse_body(_Code)
        record = store().get("otp")
        if record is None:
            return answer(404, error="expired")
        attempt = store().incr("otp", "attempts")  # counts every attempt, whichever worker gets it
        if attempt > OTP_LIMIT:
            return answer(429, error="blocked", attempt=attempt)
        return answer(200 if body.code == record["code"] else 400, attempt=attempt)

    @bp.post("/token")
    def token() -> Response:
        store().put("token:t1", {"single": "use"})
        return answer(200)

    @bp.post("/token/redeem")
    def redeem() -> Response:
        if store().pop("token:t1") is None:
            raise MockError("already used", status=409)
        return answer(200, redeemed=True)

    return bp


def create_app(config: Any = None) -> Flask:
    return create_mock_app(PartySpec(name="prod-test", blueprints=(_blueprint(),)), config)


# ------------------------------------------------------------------ fixtures

needs_redis = pytest.mark.skipif(redis_server_binary() is None,
                                 reason="redis-server is not installed (apt-get install redis-server)")


@pytest.fixture(scope="module")
def prod(redis_url: str) -> Iterator[ProductionServer]:
    config = {"store": "redis", "redis_url": redis_url, "redis_prefix": f"p{uuid.uuid4().hex[:10]}"}
    with serve_production(FACTORY, config, workers=2, threads=8) as server:
        yield server


def _parallel(n: int, call: Callable[[requests.Session], requests.Response]) -> list[requests.Response]:
    """``n`` calls at once, each on its own connection (so the kernel spreads them over the workers)."""
    barrier = threading.Barrier(n)

    def one(_i: int) -> requests.Response:
        with requests.Session() as http:
            http.trust_env = False
            barrier.wait()
            return call(http)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _post(url: str, session: str, json: Any = None) -> Callable[[requests.Session], requests.Response]:
    return lambda http: http.post(url, json=json, headers={"X-Sim-Session": session}, timeout=30)


# ------------------------------------------------------------------ tests


@needs_redis
def test_parallel_wrong_otp_attempts_count_exactly_to_the_limit(prod: ProductionServer) -> None:
    session = f"otp-{uuid.uuid4().hex[:8]}"
    requests.post(f"{prod.url}/otp", headers={"X-Sim-Session": session}, timeout=10).raise_for_status()
    answers = _parallel(100, _post(f"{prod.url}/otp/verify", session, {"code": "00000000"}))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {400: OTP_LIMIT, 429: 100 - OTP_LIMIT}
    counted = sorted(a.json()["attempt"] for a in answers)
    assert counted == list(range(1, 101))  # every attempt counted once: no lost update
    assert len({a.json()["pid"] for a in answers}) == 2  # both workers took part
    right = requests.post(f"{prod.url}/otp/verify", json={"code": "12345678"},
                          headers={"X-Sim-Session": session}, timeout=10)
    assert right.status_code == 429  # blocked for good, even with the right code


@needs_redis
def test_single_use_token_is_redeemed_once_across_workers(prod: ProductionServer) -> None:
    session = f"tok-{uuid.uuid4().hex[:8]}"
    requests.post(f"{prod.url}/token", headers={"X-Sim-Session": session}, timeout=10).raise_for_status()
    answers = _parallel(100, _post(f"{prod.url}/token/redeem", session))
    assert Counter(a.status_code for a in answers) == {200: 1, 409: 99}


@needs_redis
def test_clock_moved_through_one_worker_expires_records_for_all(prod: ProductionServer) -> None:
    session = f"clk-{uuid.uuid4().hex[:8]}"
    requests.post(f"{prod.url}/otp", headers={"X-Sim-Session": session}, timeout=10).raise_for_status()
    before = _parallel(20, _post(f"{prod.url}/otp/verify", session, {"code": "1"}))
    assert {a.status_code for a in before} == {400}
    moved = requests.post(f"{prod.url}/_admin/clock", json={"advance": 61, "session": session}, timeout=10)
    assert moved.json()["sessionOffsetSeconds"] == 61
    after = _parallel(20, _post(f"{prod.url}/otp/verify", session, {"code": "1"}))
    assert {a.status_code for a in after} == {404}
    assert len({a.json()["pid"] for a in before + after}) == 2


@needs_redis
def test_faults_and_journal_are_shared_by_the_workers(prod: ProductionServer) -> None:
    session = f"adm-{uuid.uuid4().hex[:8]}"
    rule = {"route": "/otp/verify", "session": session, "times": 10, "error": {"status": 503}}
    requests.post(f"{prod.url}/_admin/faults", json=rule, timeout=10).raise_for_status()
    requests.post(f"{prod.url}/otp", headers={"X-Sim-Session": session}, timeout=10).raise_for_status()
    answers = _parallel(40, _post(f"{prod.url}/otp/verify", session, {"code": "1"}))
    assert Counter(a.status_code for a in answers) == {503: 10, 400: 30}  # `times` counted over both
    assert len({a.json()["pid"] for a in answers if a.status_code == 400}) == 2
    journal = requests.get(f"{prod.url}/_admin/journal", params={"session": session, "limit": 1000},
                           timeout=10).json()
    assert journal["count"] == 41  # every worker's exchanges in one journal
    assert sum(1 for e in journal["entries"] if e["fault"]) == 10


@needs_redis
def test_gunicorn_alternative_serves_and_stops(redis_url: str) -> None:
    config = {"store": "redis", "redis_url": redis_url, "redis_prefix": f"g{uuid.uuid4().hex[:10]}"}
    server = serve_production(FACTORY, config, workers=2, server="gunicorn")
    try:
        session = "g"
        requests.post(f"{server.url}/token", headers={"X-Sim-Session": session}, timeout=10)
        answers = _parallel(10, _post(f"{server.url}/token/redeem", session))
        assert Counter(a.status_code for a in answers) == {200: 1, 409: 9}
    finally:
        assert server.stop() == 0
    assert server.stop() == 0  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/_admin/health", timeout=2)


def test_single_worker_on_the_memory_store_serves() -> None:
    with serve_production(FACTORY, {"seed": 1}, workers=1) as server:
        assert requests.post(f"{server.url}/token", timeout=10).status_code == 200
        assert requests.post(f"{server.url}/token/redeem", timeout=10).status_code == 200
    assert server.process.poll() is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"workers": 2}, "shared state"),
        ({"workers": 0}, "workers must be"),
        ({"server": "uwsgi", "workers": 1}, "unknown production server"),
        ({"host": "0.0.0.0", "workers": 1}, "not a loopback"),
        ({"threads": 0, "workers": 1}, "threads must be"),
    ],
)
def test_unsafe_or_invalid_setups_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ServingError, match=message):
        serve_production(FACTORY, {"store": "memory"}, **kwargs)


def test_a_factory_that_cannot_load_is_reported_before_starting() -> None:
    with pytest.raises(ServingError, match="cannot import"):
        serve_production("mocks.no_such_party.app:create_app", {}, workers=1)


def test_a_worker_that_crashes_at_start_is_reported_with_its_log() -> None:
    # Redis on a closed port: every worker fails while building the app.
    config = {"store": "redis", "redis_url": "redis://127.0.0.1:1/0"}
    with pytest.raises(ServingError, match="unreachable"):
        serve_production(FACTORY, config, workers=1, startup_timeout=15)
