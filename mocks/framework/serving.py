"""Serving a mock for real, over loopback: in a thread of this process, or in a separate process.

Tests talk HTTP to real sockets (never Flask's test client), so what they check is what a real
client gets - including dropped connections.  Ports default to 0: the OS picks a free one at bind
time and the chosen port is reported back, so there is no "find a free port, then bind" race.

Binding anything but a loopback address is refused unless the caller passes ``allow_remote=True``
*and* the app has an admin token: an unauthenticated admin API on a network interface would let
anyone reset or steer the simulation.

Run as ``python -m mocks.framework --factory module:function`` with a JSON config on stdin;
it prints one JSON "ready" line with the bound port, then serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import ipaddress
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .runtime import EXTENSION_KEY, MockRuntime

__all__ = [
    "RunningProcess",
    "RunningServer",
    "ServingError",
    "is_loopback",
    "load_factory",
    "serve_in_subprocess",
    "serve_in_thread",
]

_REPO_ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


class ServingError(RuntimeError):
    """A mock could not be started (refused bind, bad factory, child died or never became ready)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_bind(host: str, allow_remote: bool, admin_token: str | None) -> None:
    if is_loopback(host):
        return
    if not allow_remote:
        raise ServingError(f"refusing to bind {host!r}: not a loopback address (pass allow_remote=True)")
    if not admin_token:
        raise ServingError(f"refusing to bind {host!r}: a non-loopback bind needs an admin token")
    log.warning("binding non-loopback address %s: the mock is reachable from the network", host)


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log line (the journal records requests)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


@dataclass
class RunningServer:
    """A mock served by werkzeug's threaded server in a background thread of this process."""

    host: str
    port: int
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return _url(self.host, self.port)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting requests, close the socket and join the thread (idempotent)."""
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join(timeout)
        self.server.server_close()
        app = self.server.app
        runtime = app.extensions.get(EXTENSION_KEY) if isinstance(app, Flask) else None
        if isinstance(runtime, MockRuntime):
            runtime.outbound.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _admin_token_of(app: Flask) -> str | None:
    runtime = app.extensions.get(EXTENSION_KEY)
    return runtime.config.admin_token if isinstance(runtime, MockRuntime) else None


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0, *,
                    allow_remote: bool = False) -> RunningServer:
    """Serve ``app`` on ``host:port`` (port 0 = any free port) in a daemon thread; ready on return."""
    _check_bind(host, allow_remote, _admin_token_of(app))
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"mock-server-{server.port}", daemon=True)
    thread.start()
    return RunningServer(host=host, port=server.port, server=server, thread=thread)


# --------------------------------------------------------------------------- subprocess

def load_factory(factory_path: str) -> Callable[[Mapping[str, Any]], Flask]:
    """Resolve ``package.module:function`` or ``/path/to/file.py:function`` to the factory."""
    module_part, sep, attr = factory_path.rpartition(":")
    if not sep or not module_part or not attr:
        raise ServingError(
            f"factory must look like 'module:function' or 'file.py:function', got {factory_path!r}"
        )
    try:
        if module_part.endswith(".py"):
            path = Path(module_part)
            spec = importlib.util.spec_from_file_location(f"_mock_factory_{path.stem}", path)
            if spec is None or spec.loader is None:
                raise ServingError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_part)
    except (ImportError, OSError) as exc:
        raise ServingError(f"cannot import {module_part!r}: {exc}") from exc
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise ServingError(f"{factory_path!r} is not a callable factory")
    return factory  # type: ignore[no-any-return]


@dataclass
class RunningProcess:
    """A mock served in a child Python process."""

    host: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log_file: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return _url(self.host, self.port)

    @property
    def pid(self) -> int:
        return self.process.pid

    def logs(self) -> str:
        """What the child wrote to stderr so far (empty once the log file is removed)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait, SIGKILL if it will not go; returns the exit code (idempotent)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(OSError):
            self._log_file.close()
        return self.process.returncode

    def __enter__(self) -> RunningProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self.log_path.unlink()


def _read_ready(stream: IO[bytes], out: queue.Queue[bytes]) -> None:
    for line in stream:
        out.put(line)
    out.put(b"")


def serve_in_subprocess(
    factory_path: str,
    config: Mapping[str, Any] | None = None,
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    allow_remote: bool = False,
    startup_timeout: float = 30.0,
) -> RunningProcess:
    """Start ``factory_path`` in a new Python process and return once ``/_admin/health`` answers.

    The config travels as JSON on the child's stdin, never on its command line, so an admin token
    does not show in the process list.
    """
    cfg = dict(config or {})
    _check_bind(host, allow_remote, cfg.get("admin_token"))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH")) if p)
    log_file = tempfile.NamedTemporaryFile(prefix="mock-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = [sys.executable, "-m", "mocks.framework", "--factory", factory_path,
           "--host", host, "--port", str(port)]
    if allow_remote:
        cmd.append("--allow-remote")
    process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file, env=env)
    running = RunningProcess(host=host, port=0, process=process, log_path=Path(log_file.name),
                             _log_file=log_file)
    try:
        if process.stdin is None or process.stdout is None:
            raise ServingError("child process has no pipes")
        process.stdin.write(json.dumps(cfg).encode())
        process.stdin.close()
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=_read_ready, args=(process.stdout, lines), daemon=True).start()
        try:
            line = lines.get(timeout=startup_timeout)
        except queue.Empty:
            raise ServingError(f"mock did not report ready within {startup_timeout} s") from None
        if not line:
            process.wait(5)
            raise ServingError(f"mock process exited with {process.returncode}:\n{running.logs()[-4000:]}")
        running.port = int(json.loads(line)["port"])
        _wait_healthy(running, startup_timeout)
    except BaseException:
        running.stop()
        raise
    return running


def _wait_healthy(running: RunningProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with requests.Session() as http:
        http.trust_env = False
        while True:
            try:
                if http.get(f"{running.url}/_admin/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if running.process.poll() is not None or time.monotonic() > deadline:
                raise ServingError(f"mock never became healthy:\n{running.logs()[-4000:]}")
            time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    """Child-process entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Serve one mock (config as JSON on stdin).")
    parser.add_argument("--factory", required=True, help="module:function or file.py:function")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--allow-remote", action="store_true")
    args = parser.parse_args(argv)
    raw = sys.stdin.read()
    config = json.loads(raw) if raw.strip() else {}
    app = load_factory(args.factory)(config)
    _check_bind(args.host, args.allow_remote, _admin_token_of(app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=_QuietHandler)

    def _stop(_signum: int, _frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(json.dumps({"ready": True, "port": server.port, "url": _url(args.host, server.port)}), flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    finally:
        server.server_close()
    return 0

