"""``rsim serve`` as a user runs it: a real process, one ready line, every party healthy, clean Ctrl-C."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

READY = re.compile(r"^rsim serve ready: (.+)$")


@contextmanager
def _serve(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    cmd = [sys.executable, "-c", "from simulator.cli import main; main()", "serve", *args]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        match = READY.match(line)
        if not match:
            process.kill()
            raise AssertionError(f"no ready line: {line!r} {process.stderr.read() if process.stderr else ''}")
        urls = dict(item.split("=", 1) for item in match.group(1).split())
        yield process, urls
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


@pytest.mark.parametrize("server", ["threaded", "production"])
def test_serve_starts_every_party_and_stops_on_ctrl_c(server: str) -> None:
    with _serve("--free-ports", "--seed", "3", "--clients", "4", "--server", server) as (process, urls):
        assert set(urls) == {"wultra", "bank", "sms-gateway", "biometry"}
        for name, url in urls.items():
            assert url.startswith("http://127.0.0.1:"), name
            assert requests.get(f"{url}/_admin/health", timeout=5).status_code == 200, name
        status = requests.post(f"{urls['wultra']}/powerauth-java-server/rest/v3/status", json={}, timeout=5)
        assert status.json()["status"] == "OK"
        known = requests.get(f"{urls['bank']}/_admin/clients", timeout=5).json()
        assert known["count"] == 4 and len(known["clients"]) == 4
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
        assert process.stderr is not None and "stopped" in process.stderr.read()
    for url in urls.values():
        try:
            requests.get(f"{url}/_admin/health", timeout=1)
        except requests.ConnectionError:
            continue
        raise AssertionError(f"{url} still answers after stop")


def test_external_party_is_used_by_url_not_started() -> None:
    with _serve("--free-ports") as (first, first_urls), \
            _serve("--free-ports", "--external", f"bank={first_urls['bank']}") as (second, urls):
        assert urls["bank"] == first_urls["bank"]
        assert urls["wultra"] != first_urls["wultra"]
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0
        assert requests.get(f"{first_urls['bank']}/_admin/health", timeout=5).status_code == 200
        first.send_signal(signal.SIGTERM)
        assert first.wait(15) == 0


def test_busy_port_fails_with_a_clear_message() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-c", "from simulator.cli import main; main()", "serve", "--free-ports",
             "--port", f"bank={port}"],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "in use" in result.stderr


def test_bad_port_option_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from simulator.cli import main; main()", "serve", "--port", "bank"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "PARTY=PORT" in result.stderr
