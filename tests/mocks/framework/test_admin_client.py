"""The admin client drives a served mock end to end and raises typed errors."""

from __future__ import annotations

import pytest
import requests

from mocks.framework import AdminClient, AdminError, RunningServer


def test_client_round_trip(server: RunningServer, http: requests.Session) -> None:
    with AdminClient(server.url, session="cli") as admin:
        assert admin.health()["party"] == "demo"
        http.post(f"{server.url}/demo/token", json={"ttl": 60}, headers={"X-Sim-Session": "cli"})
        http.post(f"{server.url}/demo/counter", json={"name": "c"}, headers={"X-Sim-Session": "cli"})
        assert len(admin.journal(path="/demo/")) == 2
        assert admin.clock()["session"] == "cli"
        assert admin.advance_clock(61)["sessionOffsetSeconds"] == 61
        records = admin.state()["records"]
        assert list(records) == ["counter:c"]  # the token expired on the advanced clock
        assert admin.reset_clock()["sessionOffsetSeconds"] == 0
        assert admin.set_clock(1_900_000_000.0)["timestamp"] == pytest.approx(1_900_000_000.0, abs=2)
        rule = admin.add_fault(route="/demo/counter", everyNth=2, error={"status": 503})
        assert [r["id"] for r in admin.faults()] == [rule["id"]]
        admin.remove_faults()
        assert admin.faults() == []
        assert admin.push_verdict("judge", "forced", times=2) == 2
        assert admin.verdicts() == {"judge": ["forced", "forced"]}
        admin.set_transition("demo.job", "reads", reads=2)
        admin.release("demo.job", "abc")
        assert admin.clear_journal() == 2
        admin.seed(5)
        admin.reset()  # the client's own session only
        assert admin.state()["records"] == {}


def test_reset_defaults_to_the_clients_session(server: RunningServer, http: requests.Session) -> None:
    for session in ("a", "b"):
        http.post(f"{server.url}/demo/counter", json={"name": "c"}, headers={"X-Sim-Session": session})
    AdminClient(server.url, session="a").reset()
    assert AdminClient(server.url).state("b")["records"]["counter:c"]["value"] == 1
    AdminClient(server.url, session="a").reset(everything=True)
    assert AdminClient(server.url).state("b")["records"] == {}


def test_errors_raise_admin_error(serve) -> None:
    server = serve(admin_token="client-token-123")
    with pytest.raises(AdminError) as denied:
        AdminClient(server.url).state()
    assert denied.value.status == 401
    assert AdminClient(server.url, token="client-token-123").state()["session"] == "default"
    with pytest.raises(AdminError, match="exactly one"):
        AdminClient(server.url, token="client-token-123")._call("POST", "clock", json={})
