"""Server-side latency of the Wultra mock's device flow, over real HTTP on loopback.

Per device (one isolation session each): application setup is done once; then activation init
(REST), 3.3 temporary key + ``/pa/v3/activation/create`` + commit, a status check, signed
``/pa/v3/signature/validate`` calls and a REST ``token/validate``.  The device's own crypto is
included in the wall time (it runs in the same process), so the figures are an upper bound of what
the server costs.  Prints median and p95 per step.

Run: ``python -m loadtests.benchmarks.wultra_server [--devices 20] [--signatures 5]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

import requests

from mocks.framework import serve_in_thread
from mocks.wultra.app import create_app
from simulator.powerauth.activation import DeviceActivation
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EciesResponse, dumps_compact
from simulator.powerauth.headers import AUTHORIZATION_HEADER, ENCRYPTION_HEADER, EncryptionHeader
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.request_auth import ClientCounter, sign_request
from simulator.powerauth.signature import SignatureKeys
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest

REST = "/powerauth-java-server/rest/v3"
ES = "/enrollment-server/pa/v3"
VERSION = "3.3"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--signatures", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients for the throughput figure")
    args = parser.parse_args(argv)
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
