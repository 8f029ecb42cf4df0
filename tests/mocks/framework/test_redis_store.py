"""The Redis backend: agreement with the in-memory store, shared clock and random streams, config.

The store contract itself runs against Redis in ``test_store.py``; here are the parts that only a
shared backend has (several instances = several workers on one server) and a differential test
that drives both backends through the same random operations.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
import requests
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mocks.framework import InMemoryStore, MockConfig, serve_in_thread
from mocks.framework.clock import MAX_SHIFT_SECONDS, ClockError
from mocks.framework.journal import Exchange, JournalQuery, OutboundCall
from mocks.framework.redis_store import (
    KeySpace,
    RedisClock,
    RedisJournal,
    RedisRandomSource,
    RedisStore,
    SharedControl,
    StoreUnavailableError,
    client_for,
)
from mocks.framework.redis_store.server import RedisServerError, redis_server_binary, start_redis
from mocks.framework.store import StoreKeyError, StoreTypeError, StoreValueError

pytestmark = pytest.mark.skipif(redis_server_binary() is None,
                                reason="redis-server is not installed (apt-get install redis-server)")


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return client_for(redis_url)


@pytest.fixture
def keys() -> KeySpace:
    return KeySpace(f"t{uuid.uuid4().hex[:12]}", "party")


class Clock:
    def __init__(self) -> None:
        self.t: dict[str, float] = {}

    def __call__(self, session: str) -> float:
        return self.t.get(session, 1000.0)


# ------------------------------------------------------------------ differential: Redis == memory

_SESSIONS = st.sampled_from(["a", "b"])
_KEYS = st.sampled_from(["x", "y", "p:1", "p:2"])
_VALUES = st.recursive(
    st.booleans() | st.integers(-5, 5) | st.floats(-2, 2, allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["n", "m", "z"]), inner,
                                                                 max_size=3),
    max_leaves=6,
)
_TTLS = st.none() | st.sampled_from([1.0, 5.0, 30.0])


def _both(client: redis.Redis) -> tuple[InMemoryStore, RedisStore, Clock]:
    clock = Clock()
    return InMemoryStore(clock), RedisStore(client, KeySpace(f"d{uuid.uuid4().hex[:12]}", "p"), clock), clock


class BackendsAgree(RuleBasedStateMachine):
    """Any sequence of operations (with TTLs and clock moves) gives the same results on both backends."""

    url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.memory, self.redis, self.clock = _both(client_for(self.url))

    def same(self, op: Callable[[Any], Any]) -> None:
        outcomes = []
        for store in (self.memory, self.redis):
            try:
                outcomes.append(("ok", op(store)))
            except StoreTypeError:
                outcomes.append(("type-error", None))
        assert outcomes[0] == outcomes[1]

    @rule(s=_SESSIONS, k=_KEYS, v=_VALUES, ttl=_TTLS)
    def put(self, s: str, k: str, v: Any, ttl: float | None) -> None:
        self.same(lambda store: store.put(s, k, v, ttl=ttl))

    @rule(s=_SESSIONS, k=_KEYS, v=_VALUES, ttl=_TTLS)
    def put_if_absent(self, s: str, k: str, v: Any, ttl: float | None) -> None:
        self.same(lambda store: store.put_if_absent(s, k, v, ttl=ttl))

    @rule(s=_SESSIONS, k=_KEYS)
    def pop(self, s: str, k: str) -> None:
        self.same(lambda store: store.pop(s, k))

    @rule(s=_SESSIONS, k=_KEYS)
    def delete(self, s: str, k: str) -> None:
        self.same(lambda store: store.delete(s, k))

    @rule(s=_SESSIONS, k=_KEYS, field=st.none() | st.sampled_from(["n", "m"]), amount=st.integers(-3, 3),
          ttl=_TTLS)
    def incr(self, s: str, k: str, field: str | None, amount: int, ttl: float | None) -> None:
        self.same(lambda store: store.incr(s, k, field, amount, ttl=ttl))

    @rule(s=_SESSIONS, k=_KEYS, new=st.none() | _VALUES, use_current=st.booleans())
    def compare_and_set(self, s: str, k: str, new: Any, use_current: bool) -> None:
        expected = self.memory.get(s, k) if use_current else new
        self.same(lambda store: store.compare_and_set(s, k, expected, new))

    @rule(s=_SESSIONS, seconds=st.sampled_from([0.5, 1.0, 4.0, 29.0]))
    def advance(self, s: str, seconds: float) -> None:
        self.clock.t[s] = self.clock(s) + seconds

    @rule(s=st.none() | _SESSIONS)
    def reset(self, s: str | None) -> None:
        self.same(lambda store: store.reset(s))

    @invariant()
    def same_view(self) -> None:
        for s in ("a", "b"):
            assert self.redis.dump(s) == self.memory.dump(s)
            assert self.redis.scan(s, "p:") == self.memory.scan(s, "p:")
        live = [s for s in ("a", "b") if self.memory.dump(s)]
        assert [s for s in self.redis.sessions() if self.redis.dump(s)] == live


def test_backends_agree_on_random_operations(redis_url: str) -> None:
    BackendsAgree.url = redis_url
    BackendsAgree.TestCase.settings = settings(
        max_examples=40, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    BackendsAgree.TestCase().runTest()


# ------------------------------------------------------------------ store specifics


def test_incr_beyond_64_bits_is_exact(client: redis.Redis, keys: KeySpace) -> None:
    store = RedisStore(client, keys)
    store.put("s", "big", 2**63 - 1)
    assert store.incr("s", "big") == 2**63  # overflows HINCRBY: falls back to the exact path
    assert store.incr("s", "n", amount=2**70) == 2**70
    assert store.get("s", "big") == 2**63


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.dictionaries(st.text(max_size=4).filter(lambda k: k != "seq"), _VALUES, max_size=5))
def test_numbered_put_writes_what_incr_then_put_would(client: redis.Redis, value: dict[str, Any]) -> None:
    memory, shared, _clock = _both(client)
    memory.incr("s", "n")
    shared.incr("s", "n")
    number = memory.incr("s", "n")
    memory.put("s", "rec", {**value, "seq": number})
    done = shared.put_numbered("s", "rec", value, counter="n", field="seq")
    assert done.number == number == 2
    assert shared.dump("s") == memory.dump("s")
    text = client.hget(shared.keys.data("s"), "rec")
    assert text == json.dumps({**value, "seq": 2}, sort_keys=True, separators=(",", ":"))


def test_numbered_put_writes_nothing_when_its_guard_changed(client: redis.Redis, keys: KeySpace) -> None:
    store = RedisStore(client, keys, Clock())
    first = store.put_numbered("s", "m:1", {"a": 1}, counter="seq", field="n", guard=("cfg", None))
    assert first == (1, None)
    store.put("s", "cfg", {"drop": 0.5})
    stale = store.put_numbered("s", "m:2", {"a": 2}, counter="seq", field="n", guard=("cfg", None))
    assert stale == (None, '{"drop":0.5}')
    assert store.get("s", "m:2") is None and store.get("s", "seq") == 1  # nothing counted or written
    fresh = store.put_numbered("s", "m:2", {"a": 2}, counter="seq", field="n", guard=("cfg", stale.current))
    assert fresh == (2, '{"drop":0.5}')
    assert store.get("s", "m:2") == {"a": 2, "n": 2}
    with pytest.raises(StoreValueError):
        store.put_numbered("s", "m:3", {"n": 3}, counter="seq", field="n")


def test_numbered_put_on_a_counter_beyond_64_bits_is_exact(client: redis.Redis, keys: KeySpace) -> None:
    store = RedisStore(client, keys, Clock())
    store.put("s", "seq", 2**63 - 1)
    done = store.put_numbered("s", "m", {"a": True}, counter="seq", field="n")
    assert done.number == 2**63
    assert store.get("s", "m") == {"a": True, "n": 2**63}
    store.put("s", "seq", "text")
    with pytest.raises(StoreTypeError):
        store.put_numbered("s", "m", {"a": True}, counter="seq", field="n")


def test_reset_all_walks_past_one_scan_batch_and_spares_other_parties(client: redis.Redis) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    mine, other = RedisStore(client, KeySpace(prefix, "mine")), RedisStore(client, KeySpace(prefix, "other"))
    mine.SCAN_COUNT = 7
    for i in range(40):
        mine.put(f"s{i}", "k", i, ttl=60)
    other.put("s0", "k", "kept")
    assert len(mine.sessions()) == 40
    mine.reset()
    assert mine.sessions() == []
    assert client.keys(f"{prefix}:mine:*") == []
    assert other.get("s0", "k") == "kept"


def test_unreachable_redis_is_a_typed_503(keys: KeySpace) -> None:
    dead = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2, decode_responses=True)
    store = RedisStore(dead, keys)
    with pytest.raises(StoreUnavailableError) as caught:
        store.get("s", "k")
    assert caught.value.status == 503


def test_direct_commands_recover_from_a_script_flush_and_a_dropped_connection(client: redis.Redis,
                                                                             keys: KeySpace) -> None:
    """A server that lost the scripts, or closed the connection, costs a re-load or a reconnect, not
    an error."""
    store = RedisStore(client, keys)
    store.put("s", "k", {"v": 1})
    client.script_flush()
    assert store.get("s", "k") == {"v": 1}
    client.script_flush()
    assert store.batch("s", [("incr", "n"), ("get", "k")]) == [1, {"v": 1}]
    client.client_kill_filter(_type="normal", skipme=True)  # drops every other connection, ours too
    assert store.get("s", "k") == {"v": 1}
    assert store.incr("s", "n") == 2


def test_a_thread_per_request_reuses_connections(client: redis.Redis, keys: KeySpace) -> None:
    """werkzeug's threaded server runs each request on a new thread: commands from 300 short-lived
    threads (the pool allows 100 connections) share the few connections ever in use at once."""
    store = RedisStore(client, keys)
    for _ in range(300):
        worker = threading.Thread(target=store.incr, args=("s", "n"))
        worker.start()
        worker.join()
    assert store.get("s", "n") == 300
    assert int(client.info("clients")["connected_clients"]) < 20


def test_a_forked_process_makes_its_own_connections(client: redis.Redis, keys: KeySpace) -> None:
    """A worker forked after the parent used Redis must not talk on the parent's sockets."""
    import multiprocessing

    from mocks.framework.redis_store.connection import direct

    store = RedisStore(client, keys)
    assert store.incr("s", "n") == 1
    ours = direct(client).execute("CLIENT", "ID")  # the connection is idle in the list now
    context = multiprocessing.get_context("fork")
    answers = context.Queue()

    def child_work() -> None:
        answers.put((direct(client).execute("CLIENT", "ID"), [store.incr("s", "n") for _ in range(50)]))

    child = context.Process(target=child_work)
    child.start()
    theirs, from_child = answers.get(timeout=30)
    child.join(30)
    parent = [store.incr("s", "n") for _ in range(50)]
    assert theirs != ours
    assert direct(client).execute("CLIENT", "ID") == ours  # the parent keeps its own
    assert sorted(parent + from_child) == list(range(2, 102))


def test_direct_connection_over_tcp_survives_a_server_side_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over TCP a send to a closed peer succeeds and only the read fails: an idle connection is
    looked at before use (the threshold is lowered here instead of sleeping)."""
    from mocks.framework.redis_store.connection import DirectCommands

    monkeypatch.setattr(DirectCommands, "IDLE_CHECK_SECONDS", 0.0)
    with start_redis(tcp=True) as server:
        tcp = redis.Redis.from_url(server.url, decode_responses=True)
        store = RedisStore(tcp, KeySpace("tcp", "direct"))
        store.put("s", "k", 1)
        admin = server.client()
        admin.client_kill_filter(_type="normal", skipme=True)
        assert store.get("s", "k") == 1
        tcp.close()
        admin.close()


def test_member_incr_is_exact_across_connections(redis_url: str, client: redis.Redis, keys: KeySpace) -> None:
    """Member increments race through compare-and-set; from the server's side each client here is a
    separate worker (its own connection), so no increment may be lost or counted twice."""
    RedisStore(client, keys).put("s", "otp", {"code": "12345678", "attempts": 0})
    stores = [RedisStore(redis.Redis.from_url(redis_url, decode_responses=True), keys) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        handed = list(pool.map(lambda st: [st.incr("s", "otp", "attempts") for _ in range(40)], stores))
    assert sorted(v for chunk in handed for v in chunk) == list(range(1, 241))
    assert RedisStore(client, keys).get("s", "otp") == {"code": "12345678", "attempts": 240}


# ------------------------------------------------------------------ shared clock


def test_clock_moves_are_seen_by_every_instance(client: redis.Redis, keys: KeySpace) -> None:
    frozen = 1_000_000.0
    one = RedisClock(SharedControl(client, keys), lambda: frozen)
    two = RedisClock(SharedControl(client, keys), lambda: frozen)
    one.advance(300, "s")
    assert two.timestamp("s") == frozen + 300
    assert two.timestamp("other") == frozen
    two.advance(60, scope="global")
    assert one.timestamp("s") == frozen + 360
    assert one.state("s")["globalOffsetSeconds"] == 60.0
    one.set(frozen + 10, "s")  # a session set is relative to the global offset
    assert two.timestamp("s") == frozen + 10
    assert two.offset("s") == 10.0
    two.reset("s")
    assert one.timestamp("s") == frozen + 60
    one.reset(scope="all")
    assert two.timestamp("s") == frozen


def _hmget_calls(client: redis.Redis) -> int:
    return int(client.info("commandstats").get("cmdstat_hmget", {}).get("calls", 0))


def test_one_control_read_per_request_and_own_moves_seen_at_once(client: redis.Redis, keys: KeySpace) -> None:
    control = SharedControl(client, keys)
    clock, rng = RedisClock(control), RedisRandomSource(control, keys, seed=None)
    other = RedisClock(SharedControl(client, keys))
    with Flask(__name__).test_request_context("/"):
        before = _hmget_calls(client)
        first = clock.timestamp("s")
        rng.for_session("s")
        clock.now("s")
        assert _hmget_calls(client) - before == 1  # clock and seed came from one read
        other.advance(100, "s")  # another worker: lands after this request
        assert clock.offset("s") == 0.0
        clock.advance(5, "s")  # this process: seen at once
        assert clock.offset("s") == 105.0
        assert clock.timestamp("s") >= first + 105


def test_workers_keep_control_snapshots_until_redis_reports_a_change(client: redis.Redis,
                                                                     keys: KeySpace) -> None:
    """Between requests a worker reuses what it read; a change made through any instance is seen by
    the next request of every other, also after the tracked connection was killed."""
    frozen = 1_000_000.0
    worker = RedisClock(SharedControl(client, keys), lambda: frozen)
    other = RedisClock(SharedControl(client, keys), lambda: frozen)
    app = Flask(__name__)

    def request_offset(session: str = "s") -> float:
        with app.test_request_context("/"):
            return worker.offset(session)

    assert request_offset() == 0.0
    before = _hmget_calls(client)
    assert [request_offset() for _ in range(5)] == [0.0] * 5
    assert _hmget_calls(client) == before  # kept: no read at all
    other.advance(30, "s")
    assert request_offset() == 30.0
    other.advance(5, scope="global")
    assert request_offset() == 35.0 and request_offset("t") == 5.0
    client.client_kill_filter(_type="normal", skipme=True)  # the tracked connection too
    other.advance(1, "s")
    assert request_offset() == 36.0
    other.reset(scope="all")
    assert request_offset() == 0.0 and request_offset("t") == 0.0


def test_clock_refuses_what_the_in_process_clock_refuses(client: redis.Redis, keys: KeySpace) -> None:
    clock = RedisClock(SharedControl(client, keys))
    for bad in (lambda: clock.advance(-1, "s"), lambda: clock.advance(float("nan"), "s"),
                lambda: clock.advance(MAX_SHIFT_SECONDS, "s", scope="bogus"),
                lambda: clock.reset("s", scope="bogus")):
        with pytest.raises(ClockError):
            bad()
    clock.advance(MAX_SHIFT_SECONDS - 10, scope="global")
    with pytest.raises(ClockError):
        clock.advance(20, "s")  # global + session beyond the bound
    assert clock.offset("s") == MAX_SHIFT_SECONDS - 10


def test_concurrent_advances_all_count(redis_url: str, keys: KeySpace) -> None:
    clocks = [RedisClock(SharedControl(redis.Redis.from_url(redis_url, decode_responses=True), keys))
              for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda c: [c.advance(1.5, "s") for _ in range(25)], clocks))
    assert clocks[0].offset("s") == 150.0


def test_store_ttl_follows_the_shared_clock(client: redis.Redis, keys: KeySpace) -> None:
    worker_a, worker_b = RedisClock(SharedControl(client, keys)), RedisClock(SharedControl(client, keys))
    store_a = RedisStore(client, keys, worker_a.timestamp)
    store_b = RedisStore(client, keys, worker_b.timestamp)
    store_a.put("s", "otp:1", {"code": "1"}, ttl=300)
    worker_b.advance(299, "s")
    assert store_a.get("s", "otp:1") == {"code": "1"}
    worker_b.advance(1, "s")
    assert store_a.get("s", "otp:1") is None
    assert store_b.dump("s") == {}


# ------------------------------------------------------------------ shared random streams


def test_seeded_streams_are_distinct_across_workers_and_replay_after_reset(
    client: redis.Redis, keys: KeySpace
) -> None:
    one = RedisRandomSource(SharedControl(client, keys), keys, seed=7)
    two = RedisRandomSource(SharedControl(client, keys), keys, seed=99)
    assert two.seed == 7  # the first instance published the seed; later ones join it
    drawn = [one.for_session("s").getrandbits(64), two.for_session("s").getrandbits(64),
             one.for_session("s").getrandbits(64)]
    assert len(set(drawn)) == 3
    other_purpose = one.for_session("s", "otp").getrandbits(64)
    assert other_purpose not in drawn
    two.reset("s")
    assert [one.for_session("s").getrandbits(64) for _ in range(3)] == drawn
    one.reseed(8)
    assert two.seed == 8 and two.seeded
    assert two.for_session("s").getrandbits(64) not in drawn
    RedisClock(SharedControl(client, keys)).reset(scope="all")  # a clock reset keeps the seed
    assert two.seed == 8
    one.reseed(None)
    assert not two.seeded
    assert two.for_session("s") is two.for_session("t")  # the shared CSPRNG-backed generator


def test_several_streams_at_once_are_the_streams_one_at_a_time(client: redis.Redis, keys: KeySpace) -> None:
    source = RedisRandomSource(SharedControl(client, keys), keys, seed=7)
    one_by_one = [source.for_session("s", p).getrandbits(64) for p in ("ids", "otp", "ids")]
    source.reset("s")
    first = [r.getrandbits(64) for r in source.for_session_many("s", ("ids", "otp"))]
    assert [*first, source.for_session_many("s", ["ids"])[0].getrandbits(64)] == one_by_one
    with pytest.raises(ValueError):
        source.for_session_many("s", ("ids", "ids"))
    source.reseed(None)
    assert source.for_session_many("s", ("ids", "otp")) == [source.for_session("s")] * 2


# ------------------------------------------------------------------ configuration and apps


def test_config_selects_and_validates_the_backend(redis_url: str) -> None:
    cfg = MockConfig(store="redis", redis_url=redis_url, redis_prefix="p1")
    with pytest.raises(ValueError, match=r"built by MockRuntime\.build"):
        cfg.make_store(lambda _s: 0.0)
    for bad in ({"redis_prefix": "a*b"}, {"redis_prefix": ""}, {"redis_url": "http://x"}, {"store": "mongo"}):
        with pytest.raises(ValueError):
            MockConfig(**bad)


def test_two_app_instances_share_state_clock_and_verdicts(demo: Any, redis_url: str) -> None:
    """Two apps on one Redis behave as one mock: what one worker does, the other sees."""
    config = {"store": "redis", "redis_url": redis_url, "redis_prefix": f"t{uuid.uuid4().hex[:12]}",
              "seed": 5}
    with serve_in_thread(demo.create_app(config)) as a, serve_in_thread(demo.create_app(config)) as b, \
            requests.Session() as http:
        http.trust_env = False
        headers = {"X-Sim-Session": "w"}
        token = http.post(f"{a.url}/demo/token", json={"ttl": 60}, headers=headers).json()["responseObject"]
        http.post(f"{b.url}/_admin/clock", json={"advance": 61, "session": "w"})
        redeemed = http.post(f"{a.url}/demo/token/redeem", json={"token": token["token"]}, headers=headers)
        assert redeemed.status_code == 400  # expired on the clock moved through the other instance

        second = http.post(f"{a.url}/demo/token", json={}, headers=headers).json()["responseObject"]["token"]
        assert second != token["token"]  # a seeded stream is not replayed by the other instance
        assert http.post(f"{b.url}/demo/token/redeem", json={"token": second}, headers=headers).ok
        assert not http.post(f"{a.url}/demo/token/redeem", json={"token": second}, headers=headers).ok

        http.post(f"{a.url}/_admin/verdicts", json={"kind": "judge", "verdict": "forced", "session": "w"})
        assert http.post(f"{b.url}/demo/judge", headers=headers).json()["responseObject"]["forced"] is True

        journal = http.get(f"{b.url}/_admin/journal", params={"session": "w", "path": "/demo/token"}).json()
        assert [(e["path"], e["status"]) for e in journal["entries"]] == [
            ("/demo/token", 200), ("/demo/token/redeem", 400), ("/demo/token", 200),
            ("/demo/token/redeem", 200), ("/demo/token/redeem", 400)]  # both instances' exchanges

        http.post(f"{b.url}/demo/counter", json={"name": "c"}, headers=headers)
        http.post(f"{a.url}/_admin/reset", json={"session": "w", "journal": True})
        assert http.get(f"{b.url}/demo/counter/c", headers=headers).status_code == 404
        assert http.get(f"{b.url}/_admin/clock", params={"session": "w"}).json()["sessionOffsetSeconds"] == 0
        assert http.get(f"{a.url}/_admin/journal", params={"session": "w"}).json()["count"] == 1  # the 404


# ------------------------------------------------------------------ shared journal


def _exchange(journal: RedisJournal, session: str, path: str) -> Exchange:
    return Exchange(id=journal.allocate_id(), party="p", session=session, timestamp="t", real_timestamp="t",
                    method="POST", path=path, status=200, request_body={"code": "x"},
                    outbound=[OutboundCall(method="GET", url="http://u", session=session, timestamp="t")])


def test_journal_is_one_bounded_ring_for_every_instance(client: redis.Redis, keys: KeySpace) -> None:
    control = SharedControl(client, keys)
    one = RedisJournal(control, keys, capacity=5)
    two = RedisJournal(SharedControl(client, keys), keys, capacity=5)
    one.ID_BLOCK = two.ID_BLOCK = 2
    written = [_exchange(one if i % 2 else two, "a" if i < 4 else "b", f"/p{i}") for i in range(7)]
    for exchange in written:
        (one if exchange.id % 2 else two).record(exchange)
    assert len({e.id for e in written}) == 7  # ids are unique across instances
    found = two.search(JournalQuery(limit=100))
    assert [e.path for e in found] == [f"/p{i}" for i in range(2, 7)]  # oldest two fell off
    assert found[-1] == written[-1]  # round trip, outbound calls included
    assert one.stats() == {"size": 5, "capacity": 5, "dropped": 2}
    assert one.get(written[3].id) == written[3]
    assert [e.path for e in one.search(JournalQuery(session="b", limit=2))] == ["/p5", "/p6"]
    assert two.clear("a") == 2
    assert [e.session for e in one.search()] == ["b", "b", "b"]
    assert one.clear() == 3
    assert len(two) == 0


# ------------------------------------------------------------------ shared fault rules


@pytest.fixture
def pair(demo: Any, redis_url: str) -> Iterator[tuple[str, str]]:
    """Two instances of the demo party on one Redis namespace (two workers), seeded."""
    config = {"store": "redis", "redis_url": redis_url, "redis_prefix": f"f{uuid.uuid4().hex[:12]}",
              "seed": 3}
    with serve_in_thread(demo.create_app(config)) as a, serve_in_thread(demo.create_app(config)) as b:
        yield a.url, b.url


def _statuses(http: requests.Session, urls: list[str], session: str = "f") -> list[int]:
    return [http.post(f"{u}/demo/counter", json={"name": "c"}, headers={"X-Sim-Session": session}).status_code
            for u in urls]


def test_fault_rules_are_shared_and_counted_across_instances(pair: tuple[str, str]) -> None:
    a, b = pair
    with requests.Session() as http:
        http.trust_env = False
        rule = http.post(f"{a}/_admin/faults", json={"route": "/demo/counter", "times": 3,
                                                     "error": {"status": 503}}).json()["rules"][0]
        assert _statuses(http, [b, a, b, a, b]) == [503, 503, 503, 200, 200]  # times caps the total
        listed = http.get(f"{b}/_admin/faults").json()["rules"]
        counts = [(r["id"], r["matched"], r["fired"], r["remaining"]) for r in listed]
        assert counts == [(rule["id"], 3, 3, 0)]

        http.post(f"{b}/_admin/faults", json={"id": "nth", "route": "/demo/*", "everyNth": 2,
                                              "error": {"status": 502}})
        assert _statuses(http, [a, b, a, b]) == [200, 502, 200, 502]  # one match count for both
        assert _statuses(http, [a], session="other") == [200]  # counted per session

        http.delete(f"{a}/_admin/faults", params={"id": "nth"})
        assert _statuses(http, [b, a]) == [200, 200]
        assert [r["id"] for r in http.get(f"{a}/_admin/faults").json()["rules"]] == [rule["id"]]
        http.delete(f"{b}/_admin/faults")
        assert http.get(f"{a}/_admin/faults").json()["rules"] == []


def test_seeded_fault_draws_replay_whichever_instance_serves(pair: tuple[str, str]) -> None:
    a, b = pair
    with requests.Session() as http:
        http.trust_env = False
        http.post(f"{a}/_admin/faults", json={"id": "coin", "route": "/demo/counter", "probability": 0.5,
                                              "error": {"status": 503}})
        first = _statuses(http, [a, b] * 10)
        http.post(f"{b}/_admin/seed", json={"seed": 3})  # restarts every draw, on every instance
        again = _statuses(http, [b, a] * 10)
        assert first == again
        assert 0 < first.count(503) < 20


def test_session_reset_drops_only_that_sessions_rules(pair: tuple[str, str]) -> None:
    a, b = pair
    with requests.Session() as http:
        http.trust_env = False
        for rule_id, session, status in (("mine", "f", 500), ("theirs", "g", 501)):
            http.post(f"{a}/_admin/faults", json={"id": rule_id, "session": session, "route": "*",
                                                  "error": {"status": status}})
        assert _statuses(http, [b]) == [500]
        http.post(f"{b}/_admin/reset", json={"session": "f"})
        assert _statuses(http, [a]) == [200]
        assert [r["id"] for r in http.get(f"{b}/_admin/faults").json()["rules"]] == ["theirs"]


# ------------------------------------------------------------------ sweeping expired records


def test_expired_records_nobody_reads_are_swept(client: redis.Redis, keys: KeySpace) -> None:
    clock = Clock()
    store = RedisStore(client, keys, clock)
    for i in range(10):
        store.put(f"gone-{i}", "k", 1, ttl=5)
    store.put("kept", "k", 1)
    store.put("kept", "short", 1, ttl=5)
    for i in range(10):
        clock.t[f"gone-{i}"] = 2000.0
    assert store.purge_expired() == 10
    assert store.sessions() == ["kept"]
    assert store.dump("kept").keys() == {"k", "short"}  # kept's clock did not move


def test_sweep_starts_by_itself_and_only_one_process_sweeps_at_a_time(client: redis.Redis,
                                                                       keys: KeySpace) -> None:
    clock = Clock()
    store, other = RedisStore(client, keys, clock), RedisStore(client, keys, clock)
    store.SWEEP_EVERY = other.SWEEP_EVERY = 8
    store.put("old", "k", 1, ttl=1)
    clock.t["old"] = 5000.0
    for i in range(7):
        store.put("busy", f"k{i}", i)
    deadline = time.monotonic() + 5
    while store.sessions() != ["busy"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.sessions() == ["busy"]
    assert client.pttl(keys.sweep_lock) > 0  # the sweeper holds the lock for SWEEP_INTERVAL
    other.put("old2", "k", 1, ttl=1)
    clock.t["old2"] = 5000.0
    for i in range(8):
        other.put("busy", f"j{i}", i)
    time.sleep(0.2)
    assert "old2" in store.sessions()  # swept lately: this process waits for its turn


# ------------------------------------------------------------------ server helper and key space


def test_throwaway_server_on_tcp_and_a_clear_error_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with start_redis(tcp=True) as server:
        assert server.url.startswith("redis://127.0.0.1:")
        assert server.client().ping() is True
    assert server.process.poll() is not None and not server.directory.exists()
    monkeypatch.setattr("mocks.framework.redis_store.server.shutil.which", lambda _name: None)
    with pytest.raises(RedisServerError, match="apt-get install redis-server"):
        start_redis()


@pytest.mark.parametrize(("prefix", "party"), [("a*b", "p"), ("", "p"), ("ok", "{p}"), ("ok", "")])
def test_key_space_refuses_names_that_would_break_patterns_or_hash_tags(prefix: str, party: str) -> None:
    with pytest.raises(ValueError):
        KeySpace(prefix, party)


def test_key_space_maps_sessions_both_ways() -> None:
    keys = KeySpace("rsim", "sms-gateway")
    assert keys.data("s1") == "rsim:sms-gateway:{s1}:d"
    assert keys.session_of(keys.data("a.b:c")) == "a.b:c"
    assert keys.session_of(keys.expiry("s1")) is None
    assert keys.session_of("other:sms-gateway:{s1}:d") is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(min_size=1, max_size=20), value=_VALUES)
def test_any_key_round_trips_or_is_refused(client: redis.Redis, key: str, value: Any) -> None:
    store = RedisStore(client, KeySpace("anykey", "p"))
    try:
        store.put("s", key, value)
    except StoreKeyError:
        with pytest.raises(StoreKeyError):
            key.encode("utf-8")
        return
    assert store.get("s", key) == value
    assert store.scan("s", key)[key] == value
    assert store.pop("s", key) == value


def test_a_key_without_utf8_form_is_a_key_error(client: redis.Redis) -> None:
    store = RedisStore(client, KeySpace("anykey", "p"))
    for call in (lambda: store.put("s", "a\ud800", 1), lambda: store.get("s", "\udfff"),
                 lambda: store.scan("s", "\ud800")):
        with pytest.raises(StoreKeyError):
            call()
