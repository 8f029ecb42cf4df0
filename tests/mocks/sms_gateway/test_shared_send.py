"""The send on Redis, as several workers run it: one script numbers and writes the message, with a
plan decided by the fault settings the worker last saw - which another worker may have changed."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from mocks.framework.redis_store.server import redis_server_binary, start_redis
from mocks.sms_gateway.accounts import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from mocks.sms_gateway.app import create_app

pytestmark = pytest.mark.skipif(redis_server_binary() is None,
                                reason="redis-server is not installed (apt-get install redis-server)")

MESSAGES = f"/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json"
SESSION = {"X-Sim-Session": "shared-send"}
AUTH = {**SESSION, "Authorization": "Basic " + base64.b64encode(
    f"{DEFAULT_ACCOUNT_SID}:{DEFAULT_AUTH_TOKEN}".encode()).decode()}
TO = "+420601234567"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with start_redis() as server:
        yield server.url


@pytest.fixture
def workers(redis_url: str) -> tuple[FlaskClient, FlaskClient]:
    """Two app instances on one Redis key space: two workers of one gateway."""
    config = {"store": "redis", "redis_url": redis_url, "redis_prefix": f"t{uuid.uuid4().hex[:12]}"}
    return create_app(config).test_client(), create_app(config).test_client()


def _send(worker: FlaskClient, body: str) -> dict[str, Any]:
    response = worker.post(MESSAGES, data={"To": TO, "From": "+15005550006", "Body": body}, headers=AUTH)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def _status_later(worker: FlaskClient, sid: str) -> str:
    assert worker.post("/_admin/clock", json={"advance": 600}, headers=SESSION).status_code < 300
    return worker.get(f"{MESSAGES[:-5]}/{sid}.json", headers=AUTH).get_json()["status"]  # type: ignore[no-any-return]


def _records(worker: FlaskClient) -> dict[str, Any]:
    records = worker.get("/_admin/state", headers=SESSION).get_json()["records"]
    return {key: entry["value"] for key, entry in records.items()}


def test_a_send_follows_faults_another_worker_changed(workers: tuple[FlaskClient, FlaskClient]) -> None:
    a, b = workers
    first = _send(b, "before")  # b now believes the session has no faults
    assert a.put("/_admin/sms-faults", json={"failed": 1.0}, headers=SESSION).status_code == 200
    failing = _send(b, "after the change")  # b's belief is stale: the store refuses, b decides again
    assert a.delete("/_admin/sms-faults", headers=SESSION).status_code == 204
    healthy = _send(b, "after the removal")  # and b's new belief is stale again
    assert _status_later(a, first["sid"]) == "delivered"
    assert _status_later(a, failing["sid"]) == "failed"
    assert _status_later(a, healthy["sid"]) == "delivered"


def test_workers_number_messages_from_one_counter(workers: tuple[FlaskClient, FlaskClient]) -> None:
    a, b = workers
    sids = [_send(worker, f"m{i}")["sid"] for i, worker in enumerate((a, b, a, b, b))]
    records = _records(a)
    assert [records[f"msg:{sid}"]["seq"] for sid in sids] == [1, 2, 3, 4, 5]
    assert records["seq:messages"] == 5
    listed = a.get(MESSAGES, headers=AUTH).get_json()["messages"]
    assert [m["sid"] for m in listed] == sids[::-1]  # newest first, whichever worker took it


def test_seeded_faults_decide_the_same_whichever_worker_sends(redis_url: str) -> None:
    faults = {"seed": 42, "drop": 0.2, "duplicate": 0.3, "undelivered": 0.2, "failed": 0.1}

    def outcomes(senders: list[FlaskClient], admin: FlaskClient) -> list[str]:
        assert admin.put("/_admin/sms-faults", json=faults, headers=SESSION).status_code == 200
        sids = [_send(senders[i % len(senders)], f"m{i}")["sid"] for i in range(12)]
        admin.post("/_admin/clock", json={"advance": 600}, headers=SESSION)
        return [admin.get(f"{MESSAGES[:-5]}/{sid}.json", headers=AUTH).get_json()["status"] for sid in sids]

    config = {"store": "redis", "redis_url": redis_url}
    one = create_app({**config, "redis_prefix": f"t{uuid.uuid4().hex[:12]}"}).test_client()
    prefix = f"t{uuid.uuid4().hex[:12]}"
    a = create_app({**config, "redis_prefix": prefix}).test_client()
    b = create_app({**config, "redis_prefix": prefix}).test_client()
    alone = outcomes([one], one)
    assert outcomes([b, a], a) == alone
    assert len(set(alone)) > 1  # the faults really hit some messages
