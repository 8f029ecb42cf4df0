"""Serving for real: in a thread, in a subprocess, and the loopback-only default."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from mocks.framework import MockConfig, serve_in_subprocess, serve_in_thread
from mocks.framework.serving import ServingError, is_loopback, load_factory

DEMO = Path(__file__).with_name("demo_party.py")


def test_subprocess_serving_is_a_separate_process(http: requests.Session) -> None:
    import os

    with serve_in_subprocess(f"{DEMO}:create_app", {"seed": 3, "admin_token": "sub-process-token"}) as mock:
        assert mock.pid != os.getpid()
        assert mock.port > 0
        response = http.post(f"{mock.url}/demo/counter", json={"name": "p"}, headers={"X-Sim-Session": "x"})
        assert response.json()["responseObject"]["value"] == 1
        assert http.get(f"{mock.url}/_admin/state").status_code == 401  # config (token) reached the child
        state = http.get(f"{mock.url}/_admin/state", params={"session": "x"},
                         headers={"X-Admin-Token": "sub-process-token"}).json()
        assert state["records"]["counter:p"]["value"] == 1
        process = mock.process
    assert process.poll() == 0  # SIGTERM shuts the server down cleanly
    assert mock.stop() == 0  # idempotent


def test_subprocess_with_a_bad_config_fails_clearly() -> None:
    with pytest.raises(ServingError, match="exited"):
        serve_in_subprocess(f"{DEMO}:create_app", {"journal_capacity": -1}, startup_timeout=20)


def test_thread_server_stops_and_frees_its_port(demo, http: requests.Session) -> None:
    with serve_in_thread(demo.create_app()) as running:
        assert http.get(f"{running.url}/_admin/health").status_code == 200
        url = running.url
    with pytest.raises(requests.ConnectionError):
        http.get(f"{url}/_admin/health", timeout=2)


def test_two_apps_in_one_process_share_nothing(demo, http: requests.Session) -> None:
    with serve_in_thread(demo.create_app()) as a, serve_in_thread(demo.create_app()) as b:
        http.post(f"{a.url}/demo/counter", json={"name": "c"})
        assert http.get(f"{b.url}/demo/counter/c").status_code == 404


def test_non_loopback_bind_is_refused(demo) -> None:
    with pytest.raises(ServingError, match="loopback"):
        serve_in_thread(demo.create_app(), host="0.0.0.0")
    with pytest.raises(ServingError, match="admin token"):
        serve_in_thread(demo.create_app(), host="0.0.0.0", allow_remote=True)
    with pytest.raises(ServingError, match="loopback"):
        serve_in_subprocess(f"{DEMO}:create_app", {}, host="0.0.0.0")


def test_remote_bind_allowed_only_with_flag_and_token_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    from mocks.framework.serving import _check_bind

    with caplog.at_level("WARNING"):
        _check_bind("0.0.0.0", True, "a-long-admin-token")  # no bind happens here: only the policy
    assert "non-loopback" in caplog.text
    _check_bind("127.0.0.1", False, None)


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("example.org", False),
])
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_load_factory_errors() -> None:
    with pytest.raises(ServingError, match="module:function"):
        load_factory("no-colon")
    with pytest.raises(ServingError, match="cannot import"):
        load_factory("no_such_module_anywhere:create_app")
    with pytest.raises(ServingError, match="not a callable"):
        load_factory(f"{DEMO}:ENVELOPE_MISSING")


def test_config_coercion_and_validation() -> None:
    assert MockConfig.coerce(None).max_request_bytes == 1024 * 1024
    assert MockConfig.coerce({"seed": 5}).seed == 5
    with pytest.raises(ValueError, match="unknown store backend"):
        MockConfig(store="redis-not-yet")
    with pytest.raises(ValueError):
        MockConfig(delay_cap=3600)
    with pytest.raises(ValueError):
        MockConfig(unknown_setting=1)
