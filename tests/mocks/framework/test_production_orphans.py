"""A production server does not outlive the process that launched it, even one killed outright.

The server runs in its own process group, so a SIGKILL of the launcher reaches none of it; its
workers watch the launcher and stop the group when it is gone, and the companions the launcher
started for it (a private Redis), and remove the temporary folders the launcher would have removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests

from mocks.framework.production import FACTORY_ENV
from mocks.framework.redis_store.server import redis_server_binary

_REPO_ROOT = Path(__file__).resolve().parents[3]

_LAUNCHER = """
import json, sys, time
from mocks.framework.production import serve_production
server = serve_production("mocks.sms_gateway.app:create_app", {"seed": 1}, workers=1)
print(json.dumps({"url": server.url, "pid": server.process.pid, "run_dir": str(server.run_dir)}), flush=True)
time.sleep(600)
"""


def _server_processes(launched_by: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if process.environ().get("RSIM_MOCK_LAUNCHER_PID") == str(launched_by) \
                    and FACTORY_ENV in process.environ():
                found.append(process)
        except psutil.Error:
            continue
    return found


def test_a_killed_launcher_takes_its_production_server_with_it() -> None:
    launcher = subprocess.Popen([sys.executable, "-c", _LAUNCHER], stdout=subprocess.PIPE, cwd=_REPO_ROOT,
                                env={**os.environ, "PYTHONPATH": str(_REPO_ROOT)})
    try:
        assert launcher.stdout is not None
        started = json.loads(launcher.stdout.readline())
        assert requests.get(f"{started['url']}/_admin/health", timeout=10).status_code == 200
        serving = _server_processes(launcher.pid)
        assert len(serving) >= 2, "the server process and its worker, both marked with the launcher"

        launcher.send_signal(signal.SIGKILL)
        launcher.wait(timeout=10)
        _, alive = psutil.wait_procs(serving, timeout=30)

        assert not alive, f"still running after the launcher was killed: {[p.pid for p in alive]}"
        assert not Path(started["run_dir"]).exists(), "the server's run folder (its config) is left behind"
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for process in _server_processes(launcher.pid):
            process.kill()


_LAUNCHER_WITH_REDIS = """
import json, time
from mocks.framework.production import serve_production
from mocks.framework.redis_store.server import start_redis
redis = start_redis()
server = serve_production("mocks.sms_gateway.app:create_app", {"seed": 1, "store": "redis",
                          "redis_url": redis.url}, workers=2, companions=[redis.process.pid],
                          companion_dirs=[redis.directory])
print(json.dumps({"url": server.url, "redis": redis.process.pid, "redis_dir": str(redis.directory),
                  "run_dir": str(server.run_dir)}), flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(redis_server_binary() is None, reason="redis-server is not installed")
def test_a_killed_launcher_takes_the_servers_companions_with_it() -> None:
    launcher = subprocess.Popen([sys.executable, "-c", _LAUNCHER_WITH_REDIS], stdout=subprocess.PIPE,
                                cwd=_REPO_ROOT, env={**os.environ, "PYTHONPATH": str(_REPO_ROOT)})
    redis: psutil.Process | None = None
    try:
        assert launcher.stdout is not None
        started = json.loads(launcher.stdout.readline())
        redis = psutil.Process(started["redis"])
        serving = _server_processes(launcher.pid)
        assert len(serving) >= 3, "the server process and its two workers"

        launcher.send_signal(signal.SIGKILL)
        launcher.wait(timeout=10)
        _, alive = psutil.wait_procs([*serving, redis], timeout=30)

        assert not alive, f"still running after the launcher was killed: {[p.pid for p in alive]}"
        left = [d for d in (started["redis_dir"], started["run_dir"]) if Path(d).exists()]
        assert not left, f"temporary folders left behind: {left}"
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for process in [*_server_processes(launcher.pid), *([redis] if redis is not None else [])]:
            with contextlib.suppress(psutil.Error):
                process.kill()
