"""A production server does not outlive the process that launched it, even one killed outright.

The server runs in its own process group, so a SIGKILL of the launcher reaches none of it; its
workers watch the launcher and stop the group when it is gone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import requests

from mocks.framework.production import FACTORY_ENV

_REPO_ROOT = Path(__file__).resolve().parents[3]

_LAUNCHER = """
import json, sys, time
from mocks.framework.production import serve_production
server = serve_production("mocks.sms_gateway.app:create_app", {"seed": 1}, workers=1)
print(json.dumps({"url": server.url, "pid": server.process.pid}), flush=True)
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
    finally:
        if launcher.poll() is None:
            launcher.kill()
        for process in _server_processes(launcher.pid):
            process.kill()
