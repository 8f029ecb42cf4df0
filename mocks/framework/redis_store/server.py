"""A throwaway Redis server for tests, benchmarks and local multi-worker runs.

``start_redis()`` runs ``redis-server`` (Debian package ``redis-server``) without persistence in a
private temporary directory, listening on a Unix socket there by default - no port to pick, so no
race with other processes for a free one - and returns once it answers ``PING``.  A production
deployment points ``redis_url`` at its own server instead.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import redis

__all__ = ["RedisServerError", "RunningRedis", "redis_server_binary", "start_redis"]


class RedisServerError(RuntimeError):
    """``redis-server`` is missing, or it did not come up."""


def redis_server_binary() -> str | None:
    """Path of ``redis-server`` on this machine, or ``None``."""
    return shutil.which("redis-server")


@dataclass
class RunningRedis:
    """A ``redis-server`` child process and how to reach it."""

    url: str
    process: subprocess.Popen[bytes]
    directory: Path
    _cleanup: tempfile.TemporaryDirectory[str] = field(repr=False)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server and remove its directory (idempotent)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        with contextlib.suppress(OSError):
            self._cleanup.cleanup()

    def __enter__(self) -> RunningRedis:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(*, tcp: bool = False, startup_timeout: float = 10.0) -> RunningRedis:
    """Start a private ``redis-server``; on a Unix socket unless ``tcp`` (then a free loopback port)."""
    binary = redis_server_binary()
    if binary is None:
        raise RedisServerError("redis-server is not installed (Debian: apt-get install redis-server)")
    tmp = tempfile.TemporaryDirectory(prefix="rsim-redis-")
    directory = Path(tmp.name)
    args = [binary, "--save", "", "--appendonly", "no", "--dir", str(directory), "--daemonize", "no",
            "--loglevel", "warning", "--logfile", str(directory / "redis.log")]
    if tcp:
        port = _free_port()
        args += ["--port", str(port), "--bind", "127.0.0.1"]
        url = f"redis://127.0.0.1:{port}/0"
    else:
        sock = directory / "redis.sock"
        args += ["--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700"]
        url = f"unix://{sock}?db=0"
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    running = RunningRedis(url=url, process=process, directory=directory, _cleanup=tmp)
    deadline = time.monotonic() + startup_timeout
    probe = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        while True:
            try:
                if probe.ping():
                    return running
            except redis.RedisError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log_path = directory / "redis.log"
                log = log_path.read_text(errors="replace") if log_path.exists() else ""
                code = process.poll()
                running.stop()
                raise RedisServerError(f"redis-server did not come up (exit {code}):\n{log[-2000:]}")
            time.sleep(0.02)
    finally:
        probe.close()
