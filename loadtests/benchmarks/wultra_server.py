"""Server-side latency of the Wultra mock's device flow, over real HTTP on loopback.

Per device (one isolation session each): application setup is done once; then activation init
(REST), 3.3 temporary key + ``/pa/v3/activation/create`` + commit, a status check, signed
``/pa/v3/signature/validate`` calls and a REST ``token/validate``.  The device's own crypto is
included in the wall time (it runs in the same process), so the figures are an upper bound of what
the server costs.  Prints median and p95 per step.

Run: ``python -m loadtests.benchmarks.wultra_server [--devices 20] [--signatures 5]``

``--journeys N`` measures the whole party instead: the embedded stack served as ``rsim load`` serves
it (each party in its own granian process), ``--clients`` clients run ``N`` honest-id-card journeys
in all (the load test's driver: fast carrier, 50 ms polls), and the Wultra process's CPU per journey
is printed (``psutil``; start-up and a warm-up journey per client not charged), with the phone's
calls to it per journey; ``--profile`` samples that process with ``py-spy`` and prints its hottest
functions (self and inclusive).

Measured 2026-12-06 on the 2-core machine, shared with other work (load average 6-16, so CPU per
journey is inflated and noisy; read the pairs, not the absolute values):
``python -m loadtests.benchmarks.wultra_server --journeys 60 --clients 2`` (and ``--journeys 80``),
alternating the tree at commit 302c88c with the same tree whose ``mocks/wultra`` is that of a535658
(before the Wultra handler work), five pairs: before 71.7 / 64.5 / 67.0 / 68.5 / 59.2 ms of the
Wultra process's CPU per journey (mean 66), after 70.0 / 51.2 / 61.7 / 51.9 / 50.4 ms (mean 57),
about -14%.  An in-process count of the same journeys (thread CPU of the app's request handling,
per route) agrees: -12% to -25% per pair, the REST calls about 0.5 ms cheaper each (``Envelope[model]``
was rebuilt after every garbage collection), the document submit about 1.5 ms (images checked
without a whole decode, the upload's JSON not re-encoded), status and signature calls reusing the
activation's derived keys.  Where the rest goes (``--profile``, 80 journeys): the document submit
≈ 19% of the party (its ECIES opening of the 585 kB envelope alone ≈ 12%: Base64, MAC, AES-CBC,
JSON), calls to other parties (outbound client) ≈ 13-20%, Flask/granian request handling ≈ 35%.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import psutil
import requests

from loadtests.journeys import DriverSettings, JourneyDriver
from loadtests.mix import parse_mix
from loadtests.targets import TargetsSpec
from mocks.framework import serve_in_thread
from mocks.framework.production import FACTORY_ENV
from mocks.wultra.app import create_app
from simulator.powerauth.activation import DeviceActivation
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EciesResponse, dumps_compact
from simulator.powerauth.headers import AUTHORIZATION_HEADER, ENCRYPTION_HEADER, EncryptionHeader
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.request_auth import ClientCounter, sign_request
from simulator.powerauth.signature import SignatureKeys
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest
from simulator.stack import Stack, StackSettings

REST = "/powerauth-java-server/rest/v3"
ES = "/enrollment-server/pa/v3"
VERSION = "3.3"
WULTRA_FACTORY = "mocks.wultra.app:create_app"


class Timer:
    """Collects wall-clock durations per step name."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = fn()
        self.samples[name].append(time.perf_counter() - start)
        return result

    def report(self) -> None:
        for name, values in self.samples.items():
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            print(
                f"{name:<28} n={len(values):<4} median {1000 * statistics.median(values):6.2f} ms"
                f"   p95 {1000 * p95:6.2f} ms"
            )


def _ok(response: requests.Response) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.text}")
    return response.json()


def _post_ok(http: requests.Session, url: str, data: bytes, headers: dict[str, str]) -> Any:
    return _ok(http.post(url, data=data, headers=headers))


def device_run(base: str, session: str, signatures: int, timer: Timer) -> None:
    http = requests.Session()
    http.headers["X-Sim-Session"] = session
    rest = lambda path, obj: _ok(http.post(base + REST + path, json={"requestObject": obj}))["responseObject"]  # noqa: E731
    rest("/application/create", {"applicationId": "bench"})
    detail = rest("/application/detail", {"applicationId": "bench"})
    app_key, app_secret = detail["versions"][0]["applicationKey"], detail["versions"][0]["applicationSecret"]
    master = public_key_from_bytes(b64decode(detail["masterPublicKey"]))

    init = timer(
        "REST activation/init", lambda: rest("/activation/init", {"userId": "u", "applicationId": "bench"})
    )

    def keystore() -> TemporaryKey:
        request = TemporaryKeyRequest.new(app_key)
        body = {"requestObject": {"jwt": request.to_jwt(app_secret)}}
        jwt = _ok(http.post(base + ES + "/keystore/create", json=body))["responseObject"]["jwt"]
        return TemporaryKey.verify(jwt, master, request)

    key = timer("ES keystore/create", keystore)
    device = DeviceActivation(VERSION, app_key, app_secret, key.public_key, temporary_key_id=key.key_id)
    body = device.build_request(init["activationCode"], platform="android")
    header = {ENCRYPTION_HEADER: EncryptionHeader(VERSION, app_key).format()}
    answer = timer(
        "ES activation/create",
        lambda: _ok(http.post(base + ES + "/activation/create", json=body.to_json(), headers=header)),
    )
    result = device.process_response(EciesResponse.from_json(answer, VERSION))
    timer(
        "REST activation/commit", lambda: rest("/activation/commit", {"activationId": result.activation_id})
    )
    status_body = {
        "requestObject": {"activationId": result.activation_id, "challenge": b64encode(os.urandom(16))}
    }
    timer("ES activation/status", lambda: _ok(http.post(base + ES + "/activation/status", json=status_body)))
    counter = ClientCounter(result.ctr_data)
    keys = SignatureKeys(result.keys.possession, result.keys.knowledge, result.keys.biometry)
    for _ in range(signatures):
        raw = dumps_compact({})
        auth = sign_request(
            version=VERSION,
            activation_id=result.activation_id,
            application_key=app_key,
            application_secret=app_secret,
            keys=keys,
            signature_type="possession_knowledge",
            counter=counter,
            method="POST",
            uri_id="/pa/signature/validate",
            body=raw,
        )
        headers = {AUTHORIZATION_HEADER: auth.format(), "Content-Type": "application/json"}
        timer(
            "ES signature/validate", partial(_post_ok, http, base + ES + "/signature/validate", raw, headers)
        )
    http.close()


def concurrent_throughput(base: str, threads: int, signatures: int) -> float:
    """Whole device flows run by ``threads`` clients at once; returns completed requests per second."""
    requests_per_device = 6 + signatures  # init, keystore, create, commit, status + signatures (+ setup)
    timer = Timer()
    workers = [
        threading.Thread(target=device_run, args=(base, f"load-{i}", signatures, timer))
        for i in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return threads * requests_per_device / (time.perf_counter() - started)


def _wultra_process(stack_pid: int) -> psutil.Process:
    """The production Wultra worker: the descendant whose environment names its app factory and
    that has no such child (granian's supervisor has the same environment)."""
    found = []
    for process in psutil.Process(stack_pid).children(recursive=True):
        try:
            if process.environ().get(FACTORY_ENV) == WULTRA_FACTORY:
                found.append(process)
        except psutil.Error:
            continue
    pids = {process.pid for process in found}
    workers = [p for p in found if not any(child.pid in pids for child in p.children(recursive=True))]
    if len(workers) != 1:
        raise SystemExit(f"expected one Wultra worker process, found {len(workers)}")
    return workers[0]


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _hot_functions(raw: Path, top: int = 25) -> None:
    """Self and inclusive shares of the samples (taken only while a thread holds the GIL, so waits on
    sockets do not count), per function (inclusive: of this project only)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    busy = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        busy += int(n)
        own[frames[-1]] += int(n)
        for frame in set(frames):
            if "mocks/" in frame or "simulator/" in frame:
                inclusive[frame] += int(n)
    if not busy:
        return
    print(f"py-spy samples of the Wultra process holding the GIL: {busy} (raw: {raw})")
    print("self:")
    for name, n in own.most_common(top):
        print(f"  {n / busy:6.1%}  {name}")
    print("inclusive (mocks/, simulator/):")
    for name, n in inclusive.most_common(top):
        print(f"  {n / busy:6.1%}  {name}")


def journeys_cpu(journeys: int, clients: int, profile: bool) -> None:
    """CPU of the Wultra party per honest-id-card journey, the other parties running beside it."""
    settings = DriverSettings(parse_mix("honest-id-card=1"), seed_pool=1)
    with Stack(StackSettings(free_ports=True, seed=1, server="production")) as stack:
        spec = TargetsSpec(dict(stack.urls))
        wultra = _wultra_process(os.getpid())
        drivers = [JourneyDriver(spec, settings, lambda *_: None, random.Random(i)) for i in range(clients)]
        drivers[0].warm()
        calls: list[int] = []

        def client(driver: JourneyDriver, count: int) -> None:
            for _ in range(count):
                run = driver.run_one()
                if run is None or not run.as_expected:
                    raise SystemExit(f"journey failed: {run.to_json() if run else 'world not set up'}")
                calls.append(sum(c.url.startswith(stack.urls["wultra"]) for s in run.steps for c in s.calls))

        warm = [threading.Thread(target=client, args=(d, 1)) for d in drivers]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        calls.clear()
        raw = Path(tempfile.mkdtemp(prefix="wultra-spy-")) / "wultra.txt"
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(wultra.pid), "--rate", "100", "--format",
                                "raw", "--gil", "--nonblocking", "--output", str(raw)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if profile else None
        before, started = _cpu(wultra), time.perf_counter()
        shares = [journeys // clients + (i < journeys % clients) for i in range(clients)]
        threads = [threading.Thread(target=client, args=(d, n)) for d, n in zip(drivers, shares, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        used, wall = _cpu(wultra) - before, time.perf_counter() - started
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        for driver in drivers:
            driver.close()
    print(f"journeys: {len(calls)} honest-id-card, {clients} clients, {wall:.1f} s wall "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"Wultra party CPU per journey: {1000 * used / len(calls):.1f} ms "
          f"({statistics.mean(calls):.1f} phone calls to it per journey)")
    if spy is not None and raw.exists():
        _hot_functions(raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--signatures", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients for the throughput figure")
    parser.add_argument("--journeys", type=int, default=0, help="measure the party's CPU per whole journey")
    parser.add_argument("--clients", type=int, default=2, help="concurrent journeys (with --journeys)")
    parser.add_argument("--profile", action="store_true", help="py-spy the party (with --journeys)")
    args = parser.parse_args(argv)
    if args.journeys:
        journeys_cpu(args.journeys, args.clients, args.profile)
        return 0
    timer = Timer()
    with serve_in_thread(create_app({"seed": 1})) as server:
        started = time.perf_counter()
        for i in range(args.devices):
            device_run(server.url, f"bench-{i}", args.signatures, timer)
        elapsed = time.perf_counter() - started
        throughput = concurrent_throughput(server.url, args.threads, args.signatures)
    print(f"devices: {args.devices}, signatures each: {args.signatures}, protocol {VERSION}")
    timer.report()
    print(f"whole flow per device: {1000 * elapsed / args.devices:.1f} ms (sequential, one client)")
    print(
        f"throughput with {args.threads} concurrent clients: {throughput:.0f} requests/s "
        "(development server, client crypto in the same process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
