"""Sessions named by X-Sim-Session never see each other's state; resetting one leaves the others."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.framework import RunningServer
from mocks.framework.isolation import InvalidSessionError, validate_session


def _incr(http: requests.Session, server: RunningServer, session: str | None, name: str = "c") -> int:
    headers = {"X-Sim-Session": session} if session is not None else {}
    response = http.post(f"{server.url}/demo/counter", json={"name": name}, headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["responseObject"]["value"])


def test_two_sessions_do_not_share_state(server: RunningServer, http: requests.Session) -> None:
    assert [_incr(http, server, "alice") for _ in range(3)] == [1, 2, 3]
    assert [_incr(http, server, "bob") for _ in range(2)] == [1, 2]
    assert _incr(http, server, None) == 1  # no header: the default world
    alice = http.get(f"{server.url}/_admin/state", params={"session": "alice"}).json()
    assert alice["records"]["counter:c"]["value"] == 3
    nobody = http.get(f"{server.url}/_admin/state", params={"session": "nobody"}).json()
    assert "counter:c" not in nobody["records"]


def test_reset_of_one_session_leaves_the_other(server: RunningServer, http: requests.Session) -> None:
    _incr(http, server, "alice")
    _incr(http, server, "bob")
    _incr(http, server, "bob")
    response = http.post(f"{server.url}/_admin/reset", json={"session": "bob"})
    assert response.json() == {"reset": "bob", "journal": False}
    assert _incr(http, server, "bob") == 1
    assert _incr(http, server, "alice") == 2


def test_reset_all_clears_every_session(server: RunningServer, http: requests.Session) -> None:
    _incr(http, server, "alice")
    _incr(http, server, "bob")
    assert http.post(f"{server.url}/_admin/reset").json()["reset"] == "all"
    assert _incr(http, server, "alice") == 1
    assert _incr(http, server, "bob") == 1


@pytest.mark.parametrize("bad", ["", "a" * 65, "../etc", "a b", "ü", "-lead", "x;y"])
def test_invalid_session_header_is_400_in_party_envelope(server: RunningServer, http: requests.Session,
                                                         bad: str) -> None:
    response = http.post(f"{server.url}/demo/counter", json={"name": "c"},
                         headers={"X-Sim-Session": bad.encode("utf-8").decode("latin-1")})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "ERROR"
    assert body["responseObject"]["code"] == "INVALID_SESSION"


def test_session_is_echoed_in_journal(server: RunningServer, http: requests.Session) -> None:
    _incr(http, server, "carol")
    entries = http.get(f"{server.url}/_admin/journal", params={"session": "carol"}).json()["entries"]
    assert [e["session"] for e in entries] == ["carol"]


_VALID = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", fullmatch=True)


@settings(deadline=None)
@given(_VALID)
def test_valid_keys_pass_unchanged(key: str) -> None:
    assert validate_session(key) == key


@settings(deadline=None)
@given(st.text(max_size=80))
def test_validation_accepts_exactly_the_safe_charset(key: str) -> None:
    safe = (
        0 < len(key) <= 64
        and key[0].isascii() and key[0].isalnum()
        and all(c.isascii() and (c.isalnum() or c in "._:-") for c in key)
    )
    if safe:
        assert validate_session(key) == key
    else:
        with pytest.raises(InvalidSessionError):
            validate_session(key)
