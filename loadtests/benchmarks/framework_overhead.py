"""CPU cost of the mock framework per inbound request and per outbound call, in-process.

Why: every one of the ~59 requests of a journey goes through the framework's request hooks
(exchange, session, faults, journal capture of both bodies) and ~20 of them are calls between
parties through :class:`mocks.framework.OutboundClient`.  This isolates those costs from the
parties' own work.

Cases (CPU microseconds of the measuring thread per request, ``time.thread_time``):

* ``bare-flask``: a plain Flask route answering small JSON (the floor: Werkzeug + Flask);
* ``framework-small``: the same route in an app built by ``create_mock_app`` (difference to the
  floor = framework overhead);
* ``framework-big``: a ~440 KB JSON body (like a document page forwarded to the document provider)
  posted to that route (journal capture of a big body);
* ``powerauth-status``: the real PowerAuth ``/powerauth-java-server/rest/v3/status`` route;
* ``outbound-small`` / ``outbound-big``: ``OutboundClient.post`` of a small / ~440 KB JSON body to
  a framework app served by granian in another process (keep-alive, as the parties are served).

Each case runs ``--rounds`` times (alternating), the median of the rounds is printed.

Run: ``python -m loadtests.benchmarks.framework_overhead [--requests 2000] [--rounds 5]``

Measured (2026-12-06, on the 2-core machine shared with other work, so single figures are noisy):

* ``python -m loadtests.benchmarks.framework_overhead --requests 1000 --rounds 3`` alternating with the
  same script on the tree before the changes (a535658); before -> after, load average in brackets:
  outbound-small 1080 -> 674 us (8.5-14.7) and 681 -> 413 us (5-7); outbound-big 5771 -> 2476 us and
  4802 -> 1793 us; framework-big 4510 -> 3331 us and 3676 -> 2592 us.  The small-request overhead
  (framework-small - bare-flask) moves less than the noise between two processes (153 -> 96, 109 -> 103).
* So the request hooks were compared in one process: the a535658 framework imported as a second
  package, its app and this tree's app (same echo route) and a bare Flask app interleaved, 15 rounds
  of 1000 requests (load 5.6): framework overhead per small request 111 -> 89 us; with a 440 KB
  JSON body 1396 -> 448 us.  Of the 89 us, the hooks' own steps measured one by one come to about
  30 us (timestamps, header redaction, two body captures, journal record) and the body limit
  (``MAX_CONTENT_LENGTH``) costs a bare app about 14 us; the rest is not pinned down (cProfile
  spreads it over many small calls and inflates them).
* Whole party: ``python -m loadtests.benchmarks.wultra_server --journeys 40 --clients 2`` (and
  ``--journeys 60``), this tree against the same tree with the a535658 framework files, alternating:
  Wultra party CPU per journey 59.5 / 60.0 / 56.3 ms -> 51.0 / 41.5 / 45.5 ms (load 4-7).
* The outbound client on ``http.client`` instead of urllib3's pool (and its JSON body through
  ``simulator.encoding.json_dumps``): ``--requests 1000 --rounds 5``, this tree alternating with
  4f1f665 three times (load average 1.0-1.2 each run): outbound-small 442 / 406 / 380 -> 201 / 207 /
  211 us; outbound-big 1882 / 2245 / 1690 -> 656 / 524 / 637 us (most of that is the JSON text of the
  440 KB body: ``json.dumps`` escaped its Base64 string character by character).  The two client
  modules in one process (everything else, journal included, from this tree), interleaved, 7 rounds
  of 500 small and 50 big calls (load 5): 366 -> 187 us and 1582 -> 514 us.

Where it went: one urllib3 pool per client instead of a ``requests.Session`` per thread, a JSON
body serialised once, request headers redacted from the environ with memoised names, long JSON
bodies journaled by splicing their long strings instead of re-encoding them, the handler's parse
of a body (or the outbound value itself) reused by the journal instead of parsing the bytes again.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, jsonify, request

from mocks.framework import PartySpec, create_mock_app
from mocks.framework.clock import VirtualClock
from mocks.framework.journal import Journal
from mocks.framework.outbound import OutboundClient
from mocks.framework.production import serve_production
from mocks.wultra.app import create_app as create_wultra_app

SMALL = {"processId": "9c1f6a0e-3b7d-4f5e-8a51-0d6c2b9e7f14", "otpCode": "12345678", "language": "en"}
BIG = {"documentType": "ID_CARD", "side": "FRONT", "filename": "front.jpg",
       "image": base64.b64encode(os.urandom(330_000)).decode("ascii")}


def _echo_blueprint() -> Blueprint:
    bp = Blueprint("bench", __name__)

    @bp.post("/echo")
    def echo() -> object:
        body = request.get_json(silent=True) or {}
        return jsonify({"received": len(body), "pageId": "p-1", "status": "READ"})

    return bp


def _bare_app() -> Flask:
    app = Flask(__name__)
    app.register_blueprint(_echo_blueprint())
    return app


def _framework_app(config: Mapping[str, Any] | None = None) -> Flask:
    return create_mock_app(PartySpec(name="bench", blueprints=(_echo_blueprint(),)),
                           {"session_idle_timeout": 0, **(config or {})})


def target_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The outbound calls' target, served by granian in its own process (keeps connections alive)."""
    return _framework_app(config)


def _cpu_per_call(fn: Callable[[], object], count: int) -> float:
    started = time.thread_time()
    for _ in range(count):
        fn()
    return (time.thread_time() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per case and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n, big_n = args.requests, max(20, args.requests // 10)
    headers = {"X-Sim-Session": "bench-1"}

    bare = _bare_app().test_client()
    framework = _framework_app().test_client()
    wultra = create_wultra_app({"session_idle_timeout": 0}).test_client()
    target = serve_production("loadtests.benchmarks.framework_overhead:target_app", workers=1)
    url = f"{target.url}/echo"
    client = OutboundClient(Journal(), VirtualClock(), party="bench")

    def status() -> None:
        response = wultra.post("/powerauth-java-server/rest/v3/status", json={}, headers=headers)
        assert response.status_code == 200, response.data

    cases: dict[str, tuple[Callable[[], object], int]] = {
        "bare-flask": (lambda: bare.post("/echo", json=SMALL, headers=headers), n),
        "framework-small": (lambda: framework.post("/echo", json=SMALL, headers=headers), n),
        "framework-big": (lambda: framework.post("/echo", json=BIG, headers=headers), big_n),
        "powerauth-status": (status, n),
        "outbound-small": (lambda: client.post(url, json=SMALL, session="bench-1"), n // 2),
        "outbound-big": (lambda: client.post(url, json=BIG, session="bench-1"), big_n),
    }
    for fn, _ in cases.values():  # warm up (imports, connection, memo caches)
        for _ in range(20):
            fn()
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (fn, count) in cases.items():
            results[name].append(_cpu_per_call(fn, count))
    print(f"load average: {os.getloadavg()[0]:.2f}; CPU us per request (median of {args.rounds} rounds)")
    for name, values in results.items():
        print(f"{name:<18} {statistics.median(values):9.1f} us   (rounds: "
              + ", ".join(f"{v:.0f}" for v in values) + ")")
    floor = statistics.median(results["bare-flask"])
    overhead = statistics.median(results["framework-small"]) - floor
    print(f"framework overhead (framework-small - bare-flask): {overhead:.1f} us")
    target.stop()
    client.close()


if __name__ == "__main__":
    main()
