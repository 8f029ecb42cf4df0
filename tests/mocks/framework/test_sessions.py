"""Idle sessions expire: a session idle past the timeout is swept entirely, an active one is kept.

Time is injected (the activity's real-time source and the ``now`` of :meth:`SessionSweeper.sweep`),
so nothing here sleeps or depends on timing.
"""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mocks.framework import MockConfig
from mocks.framework.journal import Exchange, Journal, JournalQuery
from mocks.framework.redis_store import client_for
from mocks.framework.runtime import EXTENSION_KEY, MockRuntime
from mocks.framework.sessions import SessionSweeper, sweep_interval


class FakeTime:
    """A real-time source the test moves by hand."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def _runtime(app: Flask) -> MockRuntime:
    runtime = app.extensions[EXTENSION_KEY]
    assert isinstance(runtime, MockRuntime)
    return runtime


def _sweeper(app: Flask, clock: FakeTime) -> SessionSweeper:
    sweeper = _runtime(app).sessions
    assert sweeper is not None
    sweeper.stop()  # only the test sweeps, on its own clock
    sweeper.activity.clock = clock
    return sweeper


def _app(demo: ModuleType, **config: Any) -> Flask:
    app: Flask = demo.create_app({"seed": 3, "session_idle_timeout": 60, **config})
    return app


def _leave_state(client: FlaskClient, session: str) -> None:
    """Everything a journey leaves: records, a clock offset, a scoped fault rule, journal entries."""
    headers = {"X-Sim-Session": session}
    assert client.post("/demo/counter", json={"name": "c"}, headers=headers).status_code == 200
    client.post("/_admin/clock", json={"advance": 3600, "session": session})
    client.post("/_admin/faults", json={"route": "/never/*", "session": session, "error": {"status": 503}})
    client.post("/_admin/verdicts", json={"kind": "judge", "verdict": "x", "session": session})


def _state(client: FlaskClient, session: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/_admin/state", query_string={"session": session}).get_json()
    return body


def test_idle_session_is_swept_entirely_and_the_admin_api_shows_nothing(demo: ModuleType) -> None:
    app, clock = _app(demo), FakeTime()
    sweeper = _sweeper(app, clock)
    client = app.test_client()
    _leave_state(client, "old")
    clock.t += 30
    _leave_state(client, "young")

    assert sweeper.sweep(now=clock.t + 31) == ["old"]  # 61 s after "old", 31 s after "young"

    state = _state(client, "old")
    assert state["records"] == {} and state["verdicts"] == {} and "old" not in state["sessions"]
    assert state["clock"]["sessionOffsetSeconds"] == 0
    assert client.get("/_admin/journal", query_string={"session": "old"}).get_json()["count"] == 0
    assert [r.get("session") for r in client.get("/_admin/faults").get_json()["rules"]] == ["young"]
    # The other session keeps everything.
    young = _state(client, "young")
    assert young["records"] and young["verdicts"] and young["clock"]["sessionOffsetSeconds"] == 3600
    assert client.get("/_admin/journal", query_string={"session": "young"}).get_json()["count"] == 1
    # A later request naming the swept session starts a fresh world.
    fresh = client.post("/demo/counter", json={"name": "c"}, headers={"X-Sim-Session": "old"})
    assert fresh.get_json()["responseObject"]["value"] == 1


def test_a_session_with_requests_inside_the_timeout_is_kept(demo: ModuleType) -> None:
    app, clock = _app(demo), FakeTime()
    sweeper = _sweeper(app, clock)
    client = app.test_client()
    for _ in range(5):  # a request every 50 s: never 60 s idle
        client.post("/demo/counter", json={"name": "c"}, headers={"X-Sim-Session": "busy"})
        clock.t += 50
        assert sweeper.sweep(now=clock.t) == []
    value = client.post("/demo/counter", json={"name": "c"}, headers={"X-Sim-Session": "busy"})
    assert value.get_json()["responseObject"]["value"] == 6
    assert sweeper.sweep(now=clock.t + 60) == ["busy"]


def test_the_default_session_survives_unless_configured(demo: ModuleType) -> None:
    for expire, expected in ((False, []), (True, ["default"])):
        app, clock = _app(demo, expire_default_session=expire), FakeTime()
        sweeper = _sweeper(app, clock)
        client = app.test_client()
        client.post("/demo/counter", json={"name": "c"})
        assert sweeper.sweep(now=clock.t + 86_400) == expected
        assert bool(_state(client, "default")["records"]) is not expire


def test_timeout_zero_means_never_and_the_interval_follows_the_timeout(demo: ModuleType) -> None:
    assert _runtime(_app(demo, session_idle_timeout=0)).sessions is None
    assert MockConfig().session_idle_timeout == 600
    assert [sweep_interval(t) for t in (600, 60, 1, 86_400)] == [60, 6, 0.5, 60]
    with pytest.raises(ValueError):
        MockConfig(session_idle_timeout=-1)


def test_a_discarded_app_is_not_kept_alive_by_its_sweeper(demo: ModuleType) -> None:
    import gc
    import weakref

    app = _app(demo)
    ref = weakref.ref(_runtime(app))
    del app
    gc.collect()
    assert ref() is None


# ------------------------------------------------------------------ the journal's two bounds


def _record(journal: Journal, session: str, path: str) -> None:
    journal.record(Exchange(id=journal.allocate_id(), party="p", session=session, timestamp="t",
                            real_timestamp="t", method="GET", path=path))


def test_journal_bounds_each_session_and_the_total_dropping_the_oldest() -> None:
    journal = Journal(capacity=5, session_capacity=2)
    for i in range(4):
        _record(journal, "chatty", f"/c/{i}")
    _record(journal, "quiet", "/q/0")
    assert [e.path for e in journal.search()] == ["/c/2", "/c/3", "/q/0"]  # chatty kept its newest 2
    for i in range(3):
        _record(journal, f"s{i}", f"/s/{i}")
    # Total bound 5: the oldest entries of all sessions went first, in recording order.
    assert [e.path for e in journal.search()] == ["/c/3", "/q/0", "/s/0", "/s/1", "/s/2"]
    assert journal.stats() == {"size": 5, "capacity": 5, "dropped": 3}
    assert journal.clear_sessions(["q", "quiet", "s1"]) == 2
    assert [e.path for e in journal.search(JournalQuery(limit=2))] == ["/s/0", "/s/2"]
    assert len(journal) == 3 and journal.get(journal.search()[0].id) is not None


def test_journal_order_survives_many_dropped_entries() -> None:
    journal = Journal(capacity=10, session_capacity=1)
    for i in range(1000):  # each record drops the session's previous entry: stale order entries pile up
        _record(journal, "loop", f"/l/{i}")
        if i % 100 == 0:
            _record(journal, f"other{i}", f"/o/{i}")
    paths = [e.path for e in journal.search()]
    assert paths[-1] == "/l/999" and len(journal) == len(paths) == 10
    assert len(journal._order) <= 2 * journal.capacity + 64


# ------------------------------------------------------------------ several workers on Redis


def _workers(demo: ModuleType, redis_url: str, clock: FakeTime) -> tuple[Flask, Flask]:
    """Two apps on one Redis prefix: two worker processes of one mock."""
    config = {"store": "redis", "redis_url": redis_url, "redis_prefix": f"t{uuid.uuid4().hex[:12]}"}
    apps = (_app(demo, **config), _app(demo, **config))
    for app in apps:
        _sweeper(app, clock)
    return apps


def test_redis_session_idle_in_every_worker_is_swept_by_one_of_them(demo: ModuleType, redis_url: str) -> None:
    clock = FakeTime()
    a, b = _workers(demo, redis_url, clock)
    sweep_a, sweep_b = _sweeper(a, clock), _sweeper(b, clock)
    _leave_state(a.test_client(), "old")  # served by worker a only
    assert sweep_a.sweep(now=clock.t + 1) == []  # a publishes its activity
    clock.t += 30
    _leave_state(b.test_client(), "young")

    assert sweep_b.sweep(now=clock.t + 31) == ["old"]  # b sweeps what a served

    client = a.test_client()
    state = _state(client, "old")
    assert state["records"] == {} and state["verdicts"] == {} and state["clock"]["sessionOffsetSeconds"] == 0
    assert client.get("/_admin/journal", query_string={"session": "old"}).get_json()["count"] == 0
    assert [r.get("session") for r in client.get("/_admin/faults").get_json()["rules"]] == ["young"]
    assert _state(client, "young")["records"]
    # The session's record hashes also carry a real Redis expiry, in case no worker is left to sweep.
    runtime = _runtime(b)
    redis_client = client_for(redis_url)
    assert 0 < redis_client.pttl(runtime.store.keys.data("young")) <= (60 + 2 * 6) * 1000  # type: ignore[attr-defined]


def test_redis_a_session_active_in_another_worker_is_kept(demo: ModuleType, redis_url: str) -> None:
    clock = FakeTime()
    a, b = _workers(demo, redis_url, clock)
    sweep_a, sweep_b = _sweeper(a, clock), _sweeper(b, clock)
    headers = {"X-Sim-Session": "shared"}
    a.test_client().post("/demo/counter", json={"name": "c"}, headers=headers)
    assert sweep_a.sweep(now=clock.t) == []
    clock.t += 55
    b.test_client().post("/demo/counter", json={"name": "c"}, headers=headers)  # only b saw this one
    assert sweep_b.sweep(now=clock.t) == []
    clock.t += 10  # 65 s after a's request, 10 s after b's: idle for a, not for the mock
    assert sweep_a.sweep(now=clock.t) == []
    value = a.test_client().post("/demo/counter", json={"name": "c"}, headers=headers).get_json()
    assert value["responseObject"]["value"] == 3


def test_the_process_sweeping_thread_runs_a_sweeper_once_its_interval_has_passed(demo: ModuleType) -> None:
    from mocks.framework.sessions import _SCHEDULER

    app, clock = _app(demo), FakeTime()
    sweeper = _sweeper(app, clock)
    app.test_client().post("/demo/counter", json={"name": "c"}, headers={"X-Sim-Session": "s"})
    sweeper.sweep(now=clock.t)  # next round due one interval (6 s) later
    sweeper.start()
    try:
        clock.t += 5
        assert not sweeper.due(clock.t)
        clock.t += 56  # past the interval, and "s" is 61 s idle
        assert sweeper.due(clock.t)
        _SCHEDULER.tick()
        assert sweeper.swept_total == 1 and not sweeper.due(clock.t)
    finally:
        sweeper.stop()


# ------------------------------------------------------------------ nothing else grows per journey


def test_outbound_connections_are_bounded_whatever_the_number_of_threads(server) -> None:
    """The threaded server runs a thread per connection; the outbound client must not keep a
    connection (or a session) per thread that ever called: one pool, at most POOL_CONNECTIONS kept."""
    import threading

    from mocks.framework.clock import VirtualClock
    from mocks.framework.outbound import POOL_CONNECTIONS, OutboundClient

    client = OutboundClient(Journal(), VirtualClock(), party="p")
    statuses: list[int] = []

    def call() -> None:
        statuses.append(client.get(server.url + "/_admin/health", session="s").status_code)

    threads = [threading.Thread(target=call) for _ in range(3 * POOL_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(threads)
    pools = list(client._pool.pools._container.values())
    assert len(pools) == 1
    kept = [conn for conn in pools[0].pool.queue if conn is not None]
    assert len(kept) <= POOL_CONNECTIONS
    client.close()
    assert len(client._pool.pools) == 0


def test_heap_trim_after_a_sweep_is_rate_limited() -> None:
    from mocks.framework.sessions import _HeapTrim

    calls: list[int] = []
    trim = _HeapTrim(every=30.0)
    trim._fn = lambda pad: calls.append(pad) or 1
    assert trim() is True and trim() is False and calls == [0]
    trim._last -= 31
    assert trim() is True and calls == [0, 0]
