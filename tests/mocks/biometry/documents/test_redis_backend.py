"""The document API on the Redis store: two app instances on one server behave as two workers of one
provider - an investigation opened on one is read, submitted and finished on the other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mocks.biometry.app import create_app
from mocks.biometry.documents.settings import TRANSITION_KIND
from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.framework.redis_store.server import redis_server_binary, start_redis
from simulator.identity.documents.layout import DocumentKind

from .conftest import DocApi, Evidence, failed, read_files

pytestmark = pytest.mark.skipif(
    redis_server_binary() is None, reason="redis-server is not installed (apt-get install redis-server)"
)


@pytest.fixture(scope="module")
def workers() -> Iterator[tuple[RunningServer, RunningServer]]:
    with start_redis() as redis_server:
        config = {"store": "redis", "redis_url": redis_server.url, "redis_prefix": "docs", "seed": 3}
        with serve_in_thread(create_app(config)) as first, serve_in_thread(create_app(config)) as second:
            yield first, second


def test_an_investigation_moves_between_workers(
    workers: tuple[RunningServer, RunningServer], evidence: Evidence
) -> None:
    first, second = workers
    AdminClient(first.url, session="redis-docs").set_transition(TRANSITION_KIND, "reads", reads=2)
    one, two = DocApi(first.url, "redis-docs"), DocApi(second.url, "redis-docs")
    inv = one.create(expected=evidence.expected())
    assert one.page(inv, "PASSPORT", "DATA_PAGE", evidence.photos[DocumentKind.PASSPORT]).status_code == 201
    assert two.chip(inv, read_files(evidence.chip, evidence.passport_lines)).status_code == 200
    assert two.submit(inv).status_code == 202
    assert one.poll(inv)["status"] == "PENDING"
    done = two.poll(inv)
    assert done["status"] == "DONE" and failed(done["result"]) == {}
    assert [p["side"] for p in done["pages"]] == ["DATA_PAGE"]
    assert one.portrait(inv).json()["source"] == "CHIP_DG2"
