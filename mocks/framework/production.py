"""Serving a mock under a production WSGI server with several worker processes.

``serve_production("mocks.sms_gateway.app:create_app", {"store": "redis", ...}, workers=2)`` starts
the server in a child process group, waits until ``/_admin/health`` answers and returns a
:class:`ProductionServer` handle (``url``, ``stop()``, a context manager) - the same shape as
:func:`~mocks.framework.serving.serve_in_subprocess`, so tests and the stack runner use it alike.

Which server
------------
**granian** (Rust HTTP stack, WSGI interface) is the default; **gunicorn** is kept as an alternative
(``server="gunicorn"``: sync workers with ``threads=1``, gthread workers above).  Measured on this
2-core machine (shared with other jobs, so figures vary by ±20 %) with ``wrk -t2 -c32`` over
loopback, 2 workers:

* a bare Flask handler: granian ≈ 3,500-7,000 req/s, gunicorn sync ≈ 1,300-2,000 req/s - the
  server's own overhead decides, and granian parses HTTP and keeps connections alive in Rust,
  outside the GIL;
* the demo party's counter (JSON body, Redis ``incr``): granian (4 threads) ≈ 1,630 req/s,
  gunicorn gthread (4 threads) ≈ 1,060, gunicorn sync ≈ 560;
* the SMS gateway's send on Redis (≈ 2 ms of CPU per request in the app then): granian ≈ 750-950,
  gunicorn sync ≈ 800, gthread ≈ 620-670 - the handler's cost decides, the servers tie.  Since
  the send costs ≈ 0.85 ms (workers) + 0.1 ms (Redis): granian ≈ 1,100-1,900 req/s under a load
  average of 9-13, while a bare Flask handler under granian costs ≈ 0.12 ms (see
  :mod:`loadtests.benchmarks.wiremock_vs_sms_gateway`); granian's runtime mode (``st``), HTTP/1
  only and a small backpressure changed nothing measurable there.

So granian wins where handlers are cheap (status polls, admin calls) and never loses where they
are not.  Four request threads per worker is the default: handlers wait on Redis, and eight threads
only added GIL contention.

How the app reaches the workers
-------------------------------
Every worker process imports :func:`worker_app`, which builds the party's app from the factory
path and the config named by two environment variables, then leaves a "ready" marker beside the
config; the launcher returns once every worker has left one and ``/_admin/health`` answers, so the
first requests are spread over all workers.  The config is written to a private (0700 directory,
0600 file) temporary place rather than put on a command line or in the environment, so an admin
token or a Redis password does not show in the process list.  Several workers need shared state, so
``workers > 1`` with the in-memory store is refused: each worker would have its own world.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import requests
from flask import Flask

from .config import MockConfig
from .heap import arena_environment
from .serving import ServingError, _check_bind, _url, load_factory

__all__ = ["SERVERS", "ProductionServer", "serve_production", "worker_app"]

FACTORY_ENV = "RSIM_MOCK_FACTORY"
CONFIG_ENV = "RSIM_MOCK_CONFIG_FILE"
#: The launcher's pid: the workers stop their server when it is gone (see ``_exit_with_launcher``).
LAUNCHER_ENV = "RSIM_MOCK_LAUNCHER_PID"
#: Processes the launcher started for the server (comma-separated pids), stopped with it.
COMPANIONS_ENV = "RSIM_MOCK_COMPANION_PIDS"
#: Temporary folders to remove when the launcher is gone (``os.pathsep``-separated): the server's own
#: run folder (its config may hold secrets) and the companions' (a private Redis's socket and log).
LEFTOVERS_ENV = "RSIM_MOCK_LEFTOVER_DIRS"
READY_PREFIX = "ready-"
SERVERS = ("granian", "gunicorn")
Server = Literal["granian", "gunicorn"]
MAX_WORKERS = 64
_REPO_ROOT = Path(__file__).resolve().parents[2]


def worker_app() -> Flask:
    """Build the app in a worker process (the target both servers load)."""
    factory_path = os.environ.get(FACTORY_ENV)
    config_file = os.environ.get(CONFIG_ENV)
    if not factory_path or not config_file:
        raise ServingError(f"{FACTORY_ENV} and {CONFIG_ENV} must be set for a production worker")
    path = Path(config_file)
    config = json.loads(path.read_text(encoding="utf-8"))
    app = load_factory(factory_path)(config)
    _tune_gc()
    launcher = os.environ.get(LAUNCHER_ENV, "")
    if launcher.isdigit():
        companions = [int(pid) for pid in os.environ.get(COMPANIONS_ENV, "").split(",") if pid.isdigit()]
        leftovers = [Path(d) for d in os.environ.get(LEFTOVERS_ENV, "").split(os.pathsep) if d]
        threading.Thread(target=_exit_with_launcher, args=(int(launcher), companions, leftovers),
                         name="launcher-watch", daemon=True).start()
    # Tell the launcher this worker is about to serve (it waits for one marker per worker).
    (path.parent / f"{READY_PREFIX}{os.getpid()}").touch()
    return app


def _tune_gc() -> None:
    """Keep the cyclic garbage collector off the hot path of a long-running worker.

    What the app built at start (routes, schemas, keys, caches' first entries) lives as long as the
    worker: frozen, later collections never walk it again.  A young generation of 50,000 objects
    instead of 700 makes collections rarer; request handling allocates freely but rarely in cycles.
    Measured with ``journeys_per_second --users 20 --duration 40``, alternating (load average 4-5):
    the parties' CPU per journey 73-74 ms with this, 76 ms without; 16.4-17.2 vs 16.2 journeys/s.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _exit_with_launcher(pid: int, companions: Sequence[int] = (), leftovers: Sequence[Path] = (),
                        every: float = 1.0) -> None:
    """Stop this server's whole process group once the process that launched it is gone.

    The server runs in its own process group (so a Ctrl-C in the launcher's terminal reaches the
    launcher, which stops it in order); a launcher killed outright (SIGKILL, a crash) cannot, and
    its servers would keep their ports and memory for ever.  Each worker watches the launcher and
    takes the group down with SIGTERM, which the server handles as a normal shutdown; and first the
    launcher's ``companions`` (processes it started for the server, such as a private Redis), whose
    exit it awaits briefly before removing the ``leftovers`` (temporary folders: the launcher's own
    clean-up never runs).  Only folders inside the temporary directory are removed.
    """
    while True:
        time.sleep(every)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            continue  # exists, owned by someone else: the pid was reused, or is still the launcher
    for companion in companions:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(companion, signal.SIGTERM)
    _await_exit(companions, timeout=5.0)
    scratch = Path(tempfile.gettempdir()).resolve()
    for folder in leftovers:
        if folder.resolve().parent == scratch:
            shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(os.getpgrp(), signal.SIGTERM)


def _await_exit(pids: Sequence[int], timeout: float) -> None:
    """Wait until none of ``pids`` exists (they are not our children: polled), at most ``timeout``."""
    deadline = time.monotonic() + timeout
    waiting = list(pids)
    while waiting and time.monotonic() < deadline:
        still = []
        for pid in waiting:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            except PermissionError:
                pass
            still.append(pid)
        waiting = still
        if waiting:
            time.sleep(0.05)


@dataclass(eq=False)
class ProductionServer:
    """A mock served by a production server in its own process group."""

    host: str
    port: int
    workers: int
    server: str
    process: subprocess.Popen[bytes]
    log_path: Path
    run_dir: Path
    _log_file: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return _url(self.host, self.port)

    @property
    def pid(self) -> int:
        return self.process.pid

    def logs(self) -> str:
        """What the server and its workers wrote so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM the master (it stops its workers), SIGKILL the group if it will not go (idempotent)."""
        if self.process.poll() is None:
            # Only the master: it stops its workers in order (granian hangs when they get it too).
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        # Workers left behind by a killed master share its process group: make sure none survives.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self._log_file.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        _live.discard(self)
        return self.process.returncode

    def ready_workers(self) -> int:
        """How many worker processes have built the app and are serving (respawns count again)."""
        return len(list(self.run_dir.glob(f"{READY_PREFIX}*")))

    def __enter__(self) -> ProductionServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self.log_path.unlink()


_live: set[ProductionServer] = set()


@atexit.register
def _stop_leftovers() -> None:
    """Stop servers their caller forgot: they run in their own session and would outlive us."""
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.stop(timeout=3)


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host.strip("[]"), 0))
        return int(sock.getsockname()[1])


def _command(server: Server, host: str, port: int, workers: int, threads: int) -> list[str]:
    target = "mocks.framework.production:worker_app"
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory", "--no-ws",
                "--host", host, "--port", str(port), "--workers", str(workers),
                "--blocking-threads", str(threads), "--log-level", "warning", "--no-access-log", target]
    return [sys.executable, "-m", "gunicorn", "--bind", f"{_url(host, port).removeprefix('http://')}",
            "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
            "--graceful-timeout", "2", f"{target}()"]


def serve_production(
    factory_path: str,
    config: MockConfig | Mapping[str, Any] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    workers: int = 2,
    *,
    server: Server = "granian",
    threads: int = 4,
    allow_remote: bool = False,
    startup_timeout: float = 30.0,
    companions: Sequence[int] = (),
    companion_dirs: Sequence[Path | str] = (),
) -> ProductionServer:
    """Serve ``factory_path`` (``module:function`` taking a config) with ``workers`` processes.

    ``companions``: pids of processes started for this server (a private Redis) that must not
    outlive this process either: stopped with the server if this process is killed outright, and
    then their temporary folders ``companion_dirs`` removed.

    ``port=0`` picks a free port (retried if another process takes it first).  ``threads`` is the
    number of request threads per worker (handlers wait on Redis, so a few threads keep a core busy).
    Returns once every worker has built the app and the health endpoint answers; raises
    :class:`ServingError` when the server cannot start, with its log in the message.
    """
    if server not in SERVERS:
        raise ServingError(f"unknown production server {server!r}; use one of {', '.join(SERVERS)}")
    if not 1 <= workers <= MAX_WORKERS:
        raise ServingError(f"workers must be within 1..{MAX_WORKERS}, got {workers}")
    if not 1 <= threads <= 256:
        raise ServingError(f"threads must be within 1..256, got {threads}")
    cfg = MockConfig.coerce(config)
    if workers > 1 and cfg.store == "memory":
        raise ServingError("several workers need shared state: use store='redis' (each worker would "
                           "otherwise keep its own records and clock)")
    if not isinstance(cfg.store, str):
        raise ServingError("a production server needs a store backend given by name, not a factory")
    _check_bind(host, allow_remote, cfg.admin_token)
    load_factory(factory_path)  # fail here, with a clear message, rather than in every worker
    attempts = 3 if port == 0 else 1
    for attempt in range(attempts):
        chosen = port or _free_port(host)
        try:
            return _start(factory_path, cfg, host, chosen, workers, server, threads, startup_timeout,
                          companions, companion_dirs)
        except _PortTaken:
            if attempt == attempts - 1:
                raise ServingError(f"port {chosen} on {host} is in use") from None
    raise AssertionError("unreachable")


class _PortTaken(Exception):
    pass


def _start(factory_path: str, cfg: MockConfig, host: str, port: int, workers: int, server: Server,
           threads: int, startup_timeout: float, companions: Sequence[int] = (),
           companion_dirs: Sequence[Path | str] = ()) -> ProductionServer:
    run_dir = Path(tempfile.mkdtemp(prefix="mock-prod-"))  # 0700: the config may hold secrets
    config_name = str(run_dir / "config.json")
    fd = os.open(config_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(cfg.model_dump_json())
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH")) if p)
    env[FACTORY_ENV] = factory_path
    env[CONFIG_ENV] = config_name
    env[LAUNCHER_ENV] = str(os.getpid())
    env[COMPANIONS_ENV] = ",".join(str(pid) for pid in companions)
    env[LEFTOVERS_ENV] = os.pathsep.join(str(folder) for folder in (run_dir, *companion_dirs))
    arena_environment(env)  # see .heap: the workers' request threads would each grow an arena
    log_file = tempfile.NamedTemporaryFile(prefix="mock-prod-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(_command(server, host, port, workers, threads), stdin=subprocess.DEVNULL,
                               stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=_REPO_ROOT,
                               start_new_session=True)
    running = ProductionServer(host=host, port=port, workers=workers, server=server, process=process,
                               log_path=Path(log_file.name), run_dir=run_dir,
                               _log_file=log_file)
    _live.add(running)
    try:
        _wait_healthy(running, startup_timeout)
    except BaseException:
        running.stop()
        logs = running.logs()
        with contextlib.suppress(OSError):
            running.log_path.unlink()
        if "in use" in logs.lower():
            raise _PortTaken() from None
        raise
    return running


def _wait_healthy(running: ProductionServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with requests.Session() as http:
        http.trust_env = False
        while True:
            try:
                if (running.ready_workers() >= running.workers
                        and http.get(f"{running.url}/_admin/health", timeout=2).status_code == 200):
                    return
            except requests.RequestException:
                pass
            if running.process.poll() is not None:
                raise ServingError(f"{running.server} exited with {running.process.returncode}:\n"
                                   f"{running.logs()[-4000:]}")
            if time.monotonic() > deadline:
                raise ServingError(f"{running.server} not healthy within {timeout} s:\n"
                                   f"{running.logs()[-4000:]}")
            time.sleep(0.05)
