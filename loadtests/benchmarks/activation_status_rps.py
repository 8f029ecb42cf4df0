"""Requests per second of ``/enrollment-server/pa/v3/activation/status`` with valid, fresh challenges.

The Wultra mock is served by the production server (granian, ``--workers`` processes, state in a
private Redis) - or, with ``--server threaded``, by the in-process threaded server the tests use, for
comparison.  ``--activations`` devices are activated for real (REST init, ``keystore/create``,
two-layer ECIES ``activation/create``, commit); one status answer is decrypted with the device's
transport key to prove the requests are valid; then ``wrk`` sends status requests, each with a new
random 16-byte challenge and one of the activation ids, over ``--connections`` kept-alive
connections.  Prints requests/s, latency and the count of non-200 answers.

Run: ``python -m loadtests.benchmarks.activation_status_rps [--workers 2] [--duration 10]
[--rounds 3]`` (needs ``wrk`` and ``redis-server``, Debian packages of the same names).  With a
production server it also prints the server's CPU time per request (workers and Redis), the
steadier figure on a shared machine.

Measured on the 2-core development machine (wrk on the same cores, 16 connections, 20 activations):
earlier, granian with 2 workers x 4 threads on Redis ≈ 690 requests/s (10 s; p50 22 ms, p99 48 ms)
and the threaded server with the in-memory store ≈ 425 requests/s (p50 35 ms, p99 64 ms); no
non-200.  Re-measured with ``--rounds 3 --duration 8`` (medians), the tree before the Redis
backend's lean request path (direct connections, batched store operations, the control hash kept
per worker under client tracking) against the tree after, alternately, load average 8-12:
1.61-1.86 -> 1.34-1.68 ms of server CPU per request (10-18 % less), 655-766 -> 783-951
requests/s; the later "after" runs also include a change to the Wultra mock's key handling.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from loadtests.benchmarks.wiremock_vs_sms_gateway import _cpu_seconds
from mocks.framework import serve_in_thread
from mocks.framework.production import serve_production
from mocks.framework.redis_store.server import start_redis
from mocks.wultra.app import create_app
from simulator.powerauth.activation import DeviceActivation
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EciesResponse
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.status_blob import ActivationStatus, decrypt_status_blob
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest

REST = "/powerauth-java-server/rest/v3"
ES = "/enrollment-server/pa/v3"
STATUS = ES + "/activation/status"
VERSION = "3.3"
SESSION = "status-bench"
APP = "status-bench"

LUA = """
local ids = {%(ids)s}
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local last = "AQgw"  -- 16 bytes: the 22nd character carries 2 bits
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Sim-Session"] = "%(session)s"
local function challenge()
  local t = {}
  for i = 1, 21 do local r = math.random(1, 64); t[i] = alphabet:sub(r, r) end
  local r = math.random(1, 4); t[22] = last:sub(r, r)
  return table.concat(t) .. "=="
end
request = function()
  local body = '{"requestObject":{"activationId":"' .. ids[math.random(#ids)] ..
               '","challenge":"' .. challenge() .. '"}}'
  return wrk.format(nil, nil, nil, body)
end
"""


def _ok(response: requests.Response) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"unexpected answer {response.status_code} from {response.url}: {response.text}")
    return response.json()


class Device:
    """The bank's back office and a phone: activates devices of one application for real."""

    def __init__(self, base: str, http: requests.Session) -> None:
        self.base, self.http = base, http
        self.rest("/application/create", {"applicationId": APP})
        detail = self.rest("/application/detail", {"applicationId": APP})
        version = detail["versions"][0]
        self.app_key, self.app_secret = version["applicationKey"], version["applicationSecret"]
        self.master = public_key_from_bytes(b64decode(detail["masterPublicKey"]))

    def rest(self, path: str, obj: dict[str, Any]) -> dict[str, Any]:
        answer = _ok(self.http.post(self.base + REST + path, json={"requestObject": obj}))
        return dict(answer["responseObject"])

    def activate(self) -> tuple[str, bytes]:
        """One real activation; returns its id and the device's transport key."""
        init = self.rest("/activation/init", {"userId": f"user-{os.urandom(4).hex()}", "applicationId": APP})
        request = TemporaryKeyRequest.new(self.app_key)
        body = {"requestObject": {"jwt": request.to_jwt(self.app_secret)}}
        jwt = _ok(self.http.post(self.base + ES + "/keystore/create", json=body))["responseObject"]["jwt"]
        key = TemporaryKey.verify(jwt, self.master, request)
        device = DeviceActivation(VERSION, self.app_key, self.app_secret, key.public_key,
                                  temporary_key_id=key.key_id)
        create = device.build_request(init["activationCode"], platform="android")
        header = {ENCRYPTION_HEADER: EncryptionHeader(VERSION, self.app_key).format()}
        answer = _ok(self.http.post(self.base + ES + "/activation/create", json=create.to_json(),
                                    headers=header))
        result = device.process_response(EciesResponse.from_json(answer, VERSION))
        self.rest("/activation/commit", {"activationId": result.activation_id})
        return result.activation_id, result.keys.transport


def check_status(base: str, http: requests.Session, activation_id: str, transport: bytes) -> ActivationStatus:
    """One status request as the load sends it, decrypted: the requests are valid, the answer is real."""
    challenge = os.urandom(16)
    answer = _ok(http.post(base + STATUS, json={"requestObject": {"activationId": activation_id,
                                                                  "challenge": b64encode(challenge)}}))
    blob = answer["responseObject"]
    return decrypt_status_blob(blob["encryptedStatusBlob"], transport, challenge,
                               b64decode(blob["nonce"])).status


@contextlib.contextmanager
def wultra(server: str, workers: int, threads: int) -> Iterator[tuple[str, str, tuple[int, ...]]]:
    """The Wultra mock's base URL, a description of how it is served, and the processes whose CPU
    time serving costs (none for the in-process server: it shares this process with the setup)."""
    if server == "threaded":
        threaded = serve_in_thread(create_app({"seed": 1}), "127.0.0.1", 0)
        try:
            yield threaded.url, "in-process threaded server (werkzeug), in-memory store", ()
        finally:
            threaded.stop()
        return
    with start_redis() as redis_server, serve_production(
            "mocks.wultra.app:create_app", {"seed": 1, "store": "redis", "redis_url": redis_server.url,
                                            "redis_prefix": "status-bench"},
            workers=workers, threads=threads, server=server) as running:  # type: ignore[arg-type]
        yield (running.url, f"{server}, {workers} workers x {threads} threads, Redis store",
               (running.pid, redis_server.process.pid))


def run_wrk(url: str, ids: list[str], duration: int, connections: int) -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (Debian package 'wrk')")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "status.lua"
        script.write_text(LUA % {"ids": ", ".join(f'"{i}"' for i in ids), "session": SESSION})
        done = subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency",
                               "-s", str(script), url + STATUS], capture_output=True, text=True, check=True)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=("granian", "gunicorn", "threaded"), default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--activations", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="measured runs (the median is printed last)")
    args = parser.parse_args()

    rates: list[float] = []
    cpu: list[float] = []
    with wultra(args.server, args.workers, args.threads) as (base, how, pids), requests.Session() as http:
        http.headers["X-Sim-Session"] = SESSION
        phone = Device(base, http)
        devices = [phone.activate() for _ in range(args.activations)]
        status = check_status(base, http, *devices[0])
        print(f"server: {how}; load average {os.getloadavg()[0]:.1f} (other processes share the cores)")
        print(f"{len(devices)} activations; a status answer decrypts with the device's key: {status.name}")
        for _ in range(max(1, args.rounds)):
            before = _cpu_seconds(pids) if pids else 0.0
            out = run_wrk(base, [d[0] for d in devices], args.duration, args.connections)
            rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
            total = re.search(r"(\d+) requests in", out)
            bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
            latency = {p: re.search(rf"\s{p}%\s+([\d.]+\w+)", out) for p in ("50", "99")}
            rates.append(float(rate.group(1)) if rate else 0.0)
            shown_cpu = ""
            if pids and total:
                cpu.append(1000 * (_cpu_seconds(pids) - before) / max(int(total.group(1)), 1))
                shown_cpu = f", server CPU {cpu[-1]:.2f} ms/request"
            print(f"/pa/v3/activation/status: {rates[-1]:,.0f} requests/s "
                  f"({args.connections} connections, {args.duration} s), "
                  f"p50 {latency['50'].group(1) if latency['50'] else '?'}, "
                  f"p99 {latency['99'].group(1) if latency['99'] else '?'}, "
                  f"non-200 answers: {bad.group(1) if bad else 0}{shown_cpu}")
    if len(rates) > 1:
        shown_cpu = f", server CPU {statistics.median(cpu):.2f} ms/request" if cpu else ""
        print(f"median of {len(rates)}: {statistics.median(rates):,.0f} requests/s{shown_cpu}")


if __name__ == "__main__":
    main()
