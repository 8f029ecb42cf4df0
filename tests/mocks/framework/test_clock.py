"""The virtual clock: per-session and global offsets, and TTL expiry without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from mocks.framework import RunningServer, VirtualClock
from mocks.framework.clock import ClockError


class FakeTime:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value


def test_offsets_per_session_and_global() -> None:
    real = FakeTime()
    clock = VirtualClock(real)
    clock.advance(60, "a")
    clock.advance(5, scope="global")
    assert clock.timestamp("a") == real.value + 65
    assert clock.timestamp("b") == real.value + 5
    real.value += 10  # real time keeps flowing underneath
    assert clock.timestamp("a") == real.value + 65
    clock.reset("a")
    assert clock.timestamp("a") == real.value + 5
    clock.reset(scope="all")
    assert clock.timestamp("a") == real.value


def test_set_to_an_instant_and_aware_now() -> None:
    clock = VirtualClock(FakeTime())
    target = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    clock.set(target, "s")
    assert clock.now("s") == target
    assert clock.now("s").tzinfo is not None
    clock.set(target.timestamp() - 3600, "s")
    assert clock.now("s") == datetime(2030, 1, 2, 2, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), 1e12, True, "10"])
def test_invalid_advances_are_refused(bad: object) -> None:
    clock = VirtualClock(FakeTime())
    with pytest.raises(ClockError):
        clock.advance(bad, "s")  # type: ignore[arg-type]
    assert clock.offset("s") == 0


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ClockError, match="timezone-aware"):
        VirtualClock().set(datetime(2030, 1, 1), "s")


def _token(http: requests.Session, server: RunningServer, session: str, ttl: float) -> str:
    response = http.post(f"{server.url}/demo/token", json={"ttl": ttl}, headers={"X-Sim-Session": session})
    assert response.status_code == 200
    return str(response.json()["responseObject"]["token"])


def _redeem(http: requests.Session, server: RunningServer, session: str, token: str) -> int:
    return http.post(f"{server.url}/demo/token/redeem", json={"token": token},
                     headers={"X-Sim-Session": session}).status_code


def test_ttl_expires_when_the_session_clock_moves(server: RunningServer, http: requests.Session) -> None:
    expiring = _token(http, server, "s1", ttl=120)
    surviving = _token(http, server, "s1", ttl=600)
    other = _token(http, server, "s2", ttl=120)
    moved = http.post(f"{server.url}/_admin/clock", json={"advance": 121, "session": "s1"}).json()
    assert moved["sessionOffsetSeconds"] == 121
    assert _redeem(http, server, "s1", expiring) == 400  # expired in s1's time
    assert _redeem(http, server, "s1", surviving) == 200
    assert _redeem(http, server, "s2", other) == 200  # s2's clock did not move


def test_clock_api_set_reset_and_global(server: RunningServer, http: requests.Session) -> None:
    url = f"{server.url}/_admin/clock"
    state = http.post(url, json={"set": "2031-05-06T07:08:09+00:00"}, headers={"X-Sim-Session": "k"}).json()
    assert state["now"].startswith("2031-05-06T07:08:09")
    at = http.post(f"{server.url}/demo/counter", json={"name": "t"}, headers={"X-Sim-Session": "k"})
    assert at.json()["responseObject"]["at"].startswith("2031-05-06T07:08")
    assert http.post(url, json={"advance": 30, "scope": "global"}).json()["globalOffsetSeconds"] == 30
    reset = http.post(url, json={"reset": True, "scope": "all"}).json()
    assert reset["globalOffsetSeconds"] == 0 and reset["sessionOffsetSeconds"] == 0
    assert http.post(url, json={"advance": 1, "reset": True}).status_code == 400
    assert http.post(url, json={"advance": -5}).status_code == 400
    assert http.post(url, json={"set": "not a date"}).status_code == 400
    assert http.post(url, json={"advance": 1, "bogus": 1}).status_code == 400
    assert http.get(url, params={"session": "k"}).json()["session"] == "k"


def test_movers_take_session_or_global_scope_only() -> None:
    clock = VirtualClock(FakeTime())
    with pytest.raises(ClockError, match="scope"):
        clock.advance(1, "s", scope="all")
    with pytest.raises(ClockError, match="scope"):
        clock.set(0.0, "s", scope="everything")
    with pytest.raises(ClockError, match="scope"):
        clock.reset("s", scope="nope")
