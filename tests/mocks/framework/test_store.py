"""The state store contract: semantics, TTL on the virtual clock, atomicity under threads.

The contract tests run against every backend (``make_store`` is parametrised: in memory, and Redis
when ``redis-server`` is installed); the sweep tests are specific to the in-memory store.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mocks.framework import InMemoryStore, RunningServer, StateStore, update
from mocks.framework.store import SessionClock, StoreKeyError, StoreTypeError, StoreValueError

StoreMaker = Callable[..., StateStore]


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> StoreMaker:
    """``make_store(clock=None)`` -> a fresh, empty store of the backend under test."""
    if request.param == "memory":
        return lambda clock=None: InMemoryStore(clock)
    from mocks.framework.redis_store import KeySpace, RedisStore, client_for

    client = client_for(request.getfixturevalue("redis_url"))

    def make(clock: SessionClock | None = None) -> StateStore:
        return RedisStore(client, KeySpace(f"t{uuid.uuid4().hex[:12]}", "contract"), clock)

    return make


class Clock:
    def __init__(self) -> None:
        self.t: dict[str, float] = {}

    def __call__(self, session: str) -> float:
        return self.t.get(session, 1000.0)


def test_basic_round_trip_and_copies(make_store: StoreMaker) -> None:
    store = make_store()
    record = {"a": [1, 2], "b": {"c": "d"}}
    store.put("s", "k", record)
    record["a"].append(3)  # mutating the caller's object does not touch the store
    got = store.get("s", "k")
    assert got == {"a": [1, 2], "b": {"c": "d"}}
    got["a"].append(9)
    assert store.get("s", "k") == {"a": [1, 2], "b": {"c": "d"}}
    assert store.get("other", "k") is None
    assert store.delete("s", "k") is True
    assert store.delete("s", "k") is False


@pytest.mark.parametrize("bad", [{1, 2}, b"bytes", float("nan"), object(), None])
def test_non_json_values_are_refused(bad: Any, make_store: StoreMaker) -> None:
    with pytest.raises(StoreValueError):
        make_store().put("s", "k", bad)


@pytest.mark.parametrize(("session", "key"), [("", "k"), ("s", ""), ("s", "k" * 513), ("s", 5)])
def test_bad_keys_are_refused(session: Any, key: Any, make_store: StoreMaker) -> None:
    with pytest.raises(StoreKeyError):
        make_store().get(session, key)


def test_scan_prefix_sorted_and_session_scoped(make_store: StoreMaker) -> None:
    store = make_store()
    for key in ("otp:2", "otp:1", "act:1"):
        store.put("s", key, {"k": key})
    store.put("t", "otp:9", 1)
    assert list(store.scan("s", "otp:")) == ["otp:1", "otp:2"]
    assert store.scan("s", "zzz") == {}


def test_incr_plain_and_field(make_store: StoreMaker) -> None:
    store = make_store()
    assert store.incr("s", "n") == 1
    assert store.incr("s", "n", amount=5) == 6
    store.put("s", "rec", {"attempts": 2, "name": "x"})
    assert store.incr("s", "rec", "attempts") == 3
    assert store.incr("s", "rec", "new") == 1
    assert store.get("s", "rec") == {"attempts": 3, "name": "x", "new": 1}
    store.put("s", "text", "abc")
    with pytest.raises(StoreTypeError):
        store.incr("s", "text")
    with pytest.raises(StoreTypeError):
        store.incr("s", "rec", "name")
    store.put("s", "flag", True)
    with pytest.raises(StoreTypeError):
        store.incr("s", "flag")


def test_batch_is_the_same_operations_one_by_one(make_store: StoreMaker) -> None:
    clock = Clock()
    store = make_store(clock)
    store.put("s", "cfg", {"a": 1})
    store.put("s", "gone", {"b": 2}, ttl=5)
    store.put("s", "text", "abc")
    assert store.batch("s", [("incr", "n"), ("get", "cfg"), ("get", "missing"), ("incr", "n")]) == [
        1, {"a": 1}, None, 2]
    clock.t["s"] = 1005.0
    assert store.bind("s").batch(("get", "gone"), ("incr", "n")) == [None, 3]
    assert store.get("s", "n") == 3
    assert store.batch("other", [("get", "cfg")]) == [None]
    with pytest.raises(StoreTypeError):
        store.batch("s", [("incr", "text")])
    with pytest.raises(ValueError, match="batch supports"):
        store.batch("s", [("put", "k")])


def test_compare_and_set_is_json_exact(make_store: StoreMaker) -> None:
    store = make_store()
    assert store.compare_and_set("s", "k", None, 1) is True  # absent → create
    assert store.compare_and_set("s", "k", None, 2) is False
    assert store.compare_and_set("s", "k", True, 2) is False  # true is not 1
    assert store.compare_and_set("s", "k", 1.0, 2) is False  # 1.0 is not 1
    assert store.compare_and_set("s", "k", 1, {"b": 1, "a": 2}) is True
    assert store.compare_and_set("s", "k", {"a": 2, "b": 1}, 3) is True  # key order does not matter
    assert store.compare_and_set("s", "k", 3, None) is True  # compare-and-delete
    assert store.get("s", "k") is None


def test_text_read_is_what_the_text_compare_sees(make_store: StoreMaker) -> None:
    store = make_store()
    assert store.get_text("s", "k") is None
    assert store.compare_text_and_set("s", "k", None, {"b": [1.5, "é"], "a": True}) is True
    text = store.get_text("s", "k")
    assert text == '{"a":true,"b":[1.5,"\\u00e9"]}', "canonical: sorted keys, compact, ASCII"
    assert store.compare_text_and_set("s", "k", text.replace("1.5", "2.5"), 0) is False
    assert store.compare_text_and_set("s", "k", text, {"a": 1}) is True
    assert store.get("s", "k") == {"a": 1}
    assert store.compare_text_and_set("s", "k", store.get_text("s", "k"), None) is True  # delete
    assert store.get_text("s", "k") is None


def test_update_hands_fn_a_private_copy_and_writes_its_result(make_store: StoreMaker) -> None:
    store = make_store()
    store.put("s", "k", {"n": 1, "items": ["a"]}, ttl=60)
    seen: list[Any] = []

    def step(current: Any) -> Any:
        seen.append(current)
        current["items"].append("b")  # the copy is the caller's to change
        return {**current, "n": current["n"] + 1}

    assert update(store, "s", "k", step) == {"n": 2, "items": ["a", "b"]}
    assert store.get("s", "k") == {"n": 2, "items": ["a", "b"]}
    assert store.dump("s")["k"]["expiresAt"] is not None, "update keeps the record's expiry"
    assert len(seen) == 1


def test_put_if_absent_and_pop(make_store: StoreMaker) -> None:
    store = make_store()
    assert store.put_if_absent("s", "k", "first") is True
    assert store.put_if_absent("s", "k", "second") is False
    assert store.pop("s", "k") == "first"
    assert store.pop("s", "k") is None


def test_ttl_runs_on_the_session_clock(make_store: StoreMaker) -> None:
    clock = Clock()
    store = make_store(clock)
    store.put("s", "k", 1, ttl=10)
    store.put("t", "k", 1, ttl=10)
    clock.t["s"] = 1009.9
    assert store.get("s", "k") == 1
    clock.t["s"] = 1010.0
    assert store.get("s", "k") is None
    assert store.put_if_absent("s", "k", 2) is True  # an expired record counts as absent
    assert store.get("t", "k") == 1  # t's clock did not move
    assert store.dump("t")["k"]["expiresAt"] == 1010.0


def test_ttl_kept_by_cas_and_incr_cleared_by_put(make_store: StoreMaker) -> None:
    clock = Clock()
    store = make_store(clock)
    store.put("s", "k", {"n": 0}, ttl=10)
    assert store.compare_and_set("s", "k", {"n": 0}, {"n": 1})
    store.incr("s", "k", "n")
    assert store.dump("s")["k"]["expiresAt"] == 1010.0
    store.put("s", "k", {"n": 5})
    assert store.dump("s")["k"]["expiresAt"] is None


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf"), "5", True])
def test_bad_ttl_is_refused(ttl: Any, make_store: StoreMaker) -> None:
    with pytest.raises(StoreValueError):
        make_store().put("s", "k", 1, ttl=ttl)


def test_reset_one_and_all(make_store: StoreMaker) -> None:
    store = make_store()
    store.put("a", "k", 1)
    store.put("b", "k", 1)
    store.reset("a")
    assert store.sessions() == ["b"]
    store.reset()
    assert store.sessions() == []


def _hammer(workers: int, calls: int, fn: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(workers)

    def run(i: int) -> list[Any]:
        barrier.wait()
        return [fn(i) for _ in range(calls)]

    with ThreadPoolExecutor(workers) as pool:
        return [x for chunk in pool.map(run, range(workers)) for x in chunk]


def test_many_threads_incr_exact_count(make_store: StoreMaker) -> None:
    store = make_store()
    results = _hammer(8, 500, lambda _i: store.incr("s", "n"))
    assert store.get("s", "n") == 4000
    assert sorted(results) == list(range(1, 4001))  # every value handed out exactly once


def test_update_cas_loop_loses_no_write(make_store: StoreMaker) -> None:
    store = make_store()
    _hammer(8, 100, lambda i: update(store, "s", "list", lambda cur: [*(cur or []), i]))
    final = store.get("s", "list")
    assert len(final) == 800 and sorted(set(final)) == list(range(8))


def test_pop_is_take_once_under_contention(make_store: StoreMaker) -> None:
    store = make_store()
    for round_ in range(50):
        store.put("s", f"token:{round_}", {"r": round_})
    taken = _hammer(8, 1, lambda _i: [store.pop("s", f"token:{r}") for r in range(50)])
    per_token = list(zip(*taken, strict=True))
    for round_, results in enumerate(per_token):
        got = [x for x in results if x is not None]
        assert got == [{"r": round_}], f"token {round_} taken {len(got)} times"


def test_single_use_token_over_http_under_contention(server: RunningServer) -> None:
    with requests.Session() as http:
        http.trust_env = False
        token = http.post(f"{server.url}/demo/token", json={}).json()["responseObject"]["token"]

    def redeem(_i: int) -> int:
        with requests.Session() as h:
            h.trust_env = False
            return h.post(f"{server.url}/demo/token/redeem", json={"token": token}).status_code

    statuses = _hammer(6, 1, redeem)
    assert sorted(statuses) == [200, 400, 400, 400, 400, 400]


class StoreMatchesDict(RuleBasedStateMachine):
    """The store behaves like a plain dict of JSON values (per session) for any sequence of ops."""

    def __init__(self) -> None:
        super().__init__()
        self.store = InMemoryStore()
        self.model: dict[tuple[str, str], Any] = {}

    sessions = st.sampled_from(["a", "b"])
    keys = st.sampled_from(["x", "y", "p:1", "p:2"])
    values = st.recursive(
        st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3),
        max_leaves=6,
    ).filter(lambda v: v is not None)

    @rule(s=sessions, k=keys, v=values)
    def put(self, s: str, k: str, v: Any) -> None:
        self.store.put(s, k, v)
        self.model[(s, k)] = v

    @rule(s=sessions, k=keys)
    def pop(self, s: str, k: str) -> None:
        assert self.store.pop(s, k) == self.model.pop((s, k), None)

    @rule(s=sessions, k=keys, v=values)
    def put_if_absent(self, s: str, k: str, v: Any) -> None:
        created = self.store.put_if_absent(s, k, v)
        assert created == ((s, k) not in self.model)
        self.model.setdefault((s, k), v)

    @rule(s=sessions, k=keys)
    def incr(self, s: str, k: str) -> None:
        current = self.model.get((s, k))
        if current is None or (isinstance(current, int) and not isinstance(current, bool)):
            assert self.store.incr(s, k) == (current or 0) + 1
            self.model[(s, k)] = (current or 0) + 1
        else:
            with pytest.raises(StoreTypeError):
                self.store.incr(s, k)

    @rule(s=sessions)
    def reset(self, s: str) -> None:
        self.store.reset(s)
        self.model = {key: v for key, v in self.model.items() if key[0] != s}

    @invariant()
    def same_content(self) -> None:
        for s in ("a", "b"):
            expected = {k: v for (sess, k), v in sorted(self.model.items()) if sess == s}
            assert self.store.scan(s) == expected


TestStoreMatchesDict = StoreMatchesDict.TestCase
TestStoreMatchesDict.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(-(2**60), 2**60))
def test_incr_amounts(make_store: StoreMaker, amount: int) -> None:
    store = make_store()
    assert store.incr("s", "n", amount=amount) == amount


def test_bound_view_and_update_helper(make_store: StoreMaker) -> None:
    clock = Clock()
    view = make_store(clock).bind("s")
    view.put("otp:1", {"code": "1", "attempts": 0}, ttl=300)
    updated = view.update("otp:1", lambda rec: {**rec, "attempts": rec["attempts"] + 1})
    assert updated == {"code": "1", "attempts": 1}
    assert view.store.dump("s")["otp:1"]["expiresAt"] == 1300.0  # update keeps the expiry
    assert view.update("otp:1", lambda rec: None) is None  # returning None deletes
    assert view.get("otp:1") is None
    assert view.scan() == {}


def test_expired_records_are_swept_without_being_read() -> None:
    clock = Clock()
    store = InMemoryStore(clock)
    for i in range(10):
        store.put(f"gone-{i}", "k", 1, ttl=5)
    store.put("kept", "k", 1)
    for i in range(10):
        clock.t[f"gone-{i}"] = 2000.0
    assert store.purge_expired() == 10
    assert store.sessions() == ["kept"]


def test_sweep_runs_by_itself_every_n_writes() -> None:
    clock = Clock()
    store = InMemoryStore(clock)
    store.SWEEP_EVERY = 8
    store.put("old", "k", 1, ttl=1)
    clock.t["old"] = 5000.0
    for i in range(8):
        store.put("busy", f"k{i}", i)
    assert store.sessions() == ["busy"]
