"""The stack runner starts parties for real, wires them by URL and stops them cleanly."""

from __future__ import annotations

import socket

import pytest
import requests

from simulator.stack import PARTIES, PartyPlan, Stack, StackError, StackSettings

SMS = PartyPlan("sms-gateway", "mocks.sms_gateway.app:create_app", 8091)
BIOMETRY = PartyPlan("biometry", "mocks.biometry.app:create_app", 8092)
CALLER = PartyPlan("caller", "mocks.sms_gateway.app:create_app", 8093, needs=("biometry",),
                   wire=lambda urls: {"biometry_url": urls["biometry"]})


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/_admin/health", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_parties_start_on_free_ports_and_stop() -> None:
    with Stack(StackSettings(free_ports=True, seed=3), parties=(SMS, BIOMETRY)) as stack:
        urls = dict(stack.urls)
        assert set(urls) == {"sms-gateway", "biometry"}
        assert all(url.startswith("http://127.0.0.1:") for url in urls.values())
        assert len(set(urls.values())) == 2
        assert all(_healthy(url) for url in urls.values())
    assert not any(_healthy(url) for url in urls.values())
    assert stack.urls == {}


def test_external_party_is_not_started_and_is_wired_by_url() -> None:
    with Stack(StackSettings(free_ports=True), parties=(SMS,)) as real_system:
        external = real_system.urls["sms-gateway"]
        settings = StackSettings(free_ports=True, external={"biometry": external + "/"})
        with Stack(settings, parties=(BIOMETRY, CALLER)) as stack:
            assert stack.started == ["caller"]
            assert stack.urls["biometry"] == external
            assert settings.config_of(CALLER, stack.urls)["extra"] == {"biometry_url": external}
        assert _healthy(external), "stopping a stack must not stop the external system"


def test_missing_dependency_is_refused_and_nothing_is_left_running() -> None:
    stack = Stack(StackSettings(free_ports=True), parties=(SMS, CALLER))
    with pytest.raises(StackError, match="caller needs biometry"):
        stack.start()
    assert stack.started == []


def test_busy_port_gives_a_clear_error_and_stops_what_started() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        stack = Stack(StackSettings(free_ports=True, ports={"biometry": port}), parties=(SMS, BIOMETRY))
        with pytest.raises(StackError, match="could not start"):
            stack.start()
        assert stack.started == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (StackSettings(external={"nobody": "http://127.0.0.1:1"}), "unknown party: nobody"),
        (StackSettings(ports={"nobody": 1}), "unknown party: nobody"),
        (StackSettings(external={"biometry": "127.0.0.1:1"}), "must start with http"),
        (StackSettings(server="gevent"), "server must be one of threaded, production"),  # type: ignore[arg-type]
    ],
)
def test_bad_settings_are_refused(settings: StackSettings, message: str) -> None:
    with pytest.raises(StackError, match=message):
        Stack(settings, parties=(SMS, BIOMETRY))


def test_several_workers_imply_the_production_server() -> None:
    assert not StackSettings().production
    assert StackSettings(server="production").production
    assert StackSettings(workers=2).production


def test_every_party_comes_after_the_parties_it_calls() -> None:
    seen: set[str] = set()
    for plan in PARTIES:
        assert set(plan.needs) <= seen, plan.name
        seen.add(plan.name)
    assert {p.default_port for p in PARTIES} == {8080, 8090, 8091, 8092}


def test_session_idle_timeout_reaches_every_started_party() -> None:
    assert "session_idle_timeout" not in StackSettings().config_of(PARTIES[0], {})  # the mocks' default
    assert StackSettings(session_idle_timeout=0).config_of(PARTIES[0], {})["session_idle_timeout"] == 0
    with Stack(StackSettings(free_ports=True, session_idle_timeout=45), parties=PARTIES[:1]) as stack:
        health = requests.get(f"{stack.urls[PARTIES[0].name]}/_admin/health", timeout=5)
        assert health.ok
        running = stack._running[0][1]
        sweeper = running.server.app.extensions["rsim_mock"].sessions  # type: ignore[attr-defined]
        assert sweeper is not None and sweeper.idle_timeout == 45
