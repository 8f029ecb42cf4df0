"""Memory of the parties under a soak: resident set size after warm-up vs after N minutes of journeys.

The embedded stack (the four parties) runs in this process by default, the locust suite in a child
process (``--shape soak``), so this process's RSS is the parties' memory (``--stack-server
production``: the sum over the parties' own processes).  RSS is sampled every few seconds;
the baseline is taken ``--warm-up`` seconds after the first users start.  Target: no growth beyond
10% from the baseline to the end - every journey leaves a finished process behind in its own
isolation session, so this shows whether finished state expires.  The default warm-up lasts until
sessions can expire: 30 s for caches and connection pools, plus the session idle timeout and one
sweep interval (96 s with the 60 s timeout).  Before that the parties hold every session started so
far by design - the window of finished sessions they keep fills up - and a baseline taken inside it
counts that filling as growth: with the malloc arenas capped (:mod:`mocks.framework.heap`) a
30-second baseline read +24% on a run whose RSS was flat from minute 2 on (below).  The parties
sweep a session ``--session-idle-timeout`` seconds (default here
60, the stack's default 600) after its last request (:mod:`mocks.framework.sessions`), so a 10-minute
soak reaches steady state; ``--session-idle-timeout 0`` shows the growth without the sweep.

Short run (figures for orientation): ``python -m loadtests.benchmarks.soak_memory --minutes 2``
The 10-minute soak: ``python -m loadtests.benchmarks.soak_memory --minutes 10 --users 5``; with
``--stack-server production`` the parties run as ``rsim load`` serves them, each in its own granian
process, and their RSS is the sum over those processes (the load generator's excluded).

Measured 2026-12-07 (1.00-1.14 UTC, light other work on the machine), ``--minutes 10 --users 5
--stack-server production``: 8818 journeys (12.7/s); the parties' RSS 632 MB after the 96 s warm-up,
664 MB at the end, peak 674: **+5.1%** (within the 10% target), medians of the first and last minutes
+3.6%, ≈ 3.8 KiB per journey; by minute 515 615 639 643 650 643 641 645 647 661 669 666 (from the
30 s point +16.7%, the window of kept sessions filling).  Four processes each hold their own Python,
libraries and caches, hence about 2.5 x the threaded stack's level.

Measured 2026-12-06, late (quiet machine apart from the run; 5 users, threaded parties, seed 1),
``--minutes 10 --users 5`` - RSS after the 30 s point / at 96 s / at the end, by minute:

* the evening before's tree (93f88b1): 4032 journeys; 305 / 321 / 328 MB (+7.7% from 30 s, +2.5%
  from 96 s); by minute 278 310 318 310 311 310 308 308 308 324 312.
* with the day's Base64/JSON and transport work, glibc's default arenas, two runs: 4471 and 3998
  journeys; 342 / 363 / 385 and 334 / 352 / 380 MB (+12.8% and +13.8% from 30 s, +6.2% and +8.2%
  from 96 s); by minute 348 351 356 353 377 374 354 353 353 352 and 346 345 348 364 378 373 369 375
  363 362 - a higher level swinging by tens of MB.  tracemalloc over minutes 1.5 to 4.5 of the same
  load: the Python heap 97 -> 99 MB, flat; the swing was the C heap's per-thread arenas.
* arenas capped at two (:mod:`mocks.framework.heap`): 4166 journeys; 218 / 265 / 270 MB, peak 279
  (+24.1% from 30 s, **+2.1% from 96 s**); by minute 198 251 265 274 272 266 264 263 266 268 265 -
  flat from minute 2 on and ~100 MB below the uncapped runs.  A 4-minute run: +1.3% from 96 s.
* the same with this script's default warm-up (96 s): 4426 journeys; 245 MB after warm-up, 261 MB
  at the end, peak 266: **+6.8%** (within the 10% target), medians of the first and last minutes
  +3.6%; by minute 200 229 236 251 253 258 256 260 259 263 260 257; from the 30 s point +15.9%.

Earlier measurements (2-core machine shared with other jobs, load average 4-9 during the runs, 30 s warm-up,
5 users, threaded parties, seed 1):

* before the sweep existed (2 minutes): 342 MB after warm-up, 416 MB at the end (+22%, ≈ 265 KiB
  per journey), still climbing.  tracemalloc snapshots (minute 1 vs 3) put the growth in each
  session's store records and random streams, the journal ring filling, and one ``requests.Session``
  with its connection pool per server thread kept by the outbound client (fixed: it now goes with
  its thread).
* ``--minutes 10 --users 5`` (session idle timeout 60 s): 2310 journeys (3.7/s); RSS 246 MB after
  warm-up, 260 MB at the end, peak 283 MB: **+5.7%** (within the 10% target), by minute 222 256
  263 265 265 271 279 278 269 266 260 MB; -0.9% from the first sweeps (96 s) to the end.  Two
  earlier runs of the same command: +10.1% (272 -> 299 MB, 3233 journeys, before the heap trim
  after sweeps) and +8.8% (269 -> 293 MB, 2937 journeys); both flat from minute 2 on.  The growth
  left is the first minute and a half, before any session can be idle for 60 s.
* the same with ``--session-idle-timeout 0`` (no sweep, outbound fix in): 2504 journeys (4.0/s); RSS
  272 MB after warm-up, 594 MB at the end: +118%, ≈ 132 KiB per journey, climbing every minute
  (248 280 304 336 365 391 417 459 504 545 583 MB).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil

from loadtests.slo import SloThresholds
from loadtests.targets import TargetsSpec
from mocks.framework.sessions import sweep_interval
from simulator.load.locust_run import LoadPlan, run_load
from simulator.stack import Stack, StackSettings

MB = 1024 * 1024


def _users_started(history: Path) -> bool:
    try:
        lines = history.read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return any(int(line.split(",")[1] or 0) > 0 for line in lines[1:] if line.count(",") > 2)


def parties_rss(production: bool) -> int:
    """RSS of the parties: this process when they are its threads; else every descendant process but
    the load generator's (the production servers' masters and workers, a private Redis)."""
    me = psutil.Process()
    if not production:
        return int(me.memory_info().rss)
    total = 0
    for process in me.children(recursive=True):
        try:
            if "locust" not in " ".join(process.cmdline()[1:4]):
                total += process.memory_info().rss
        except psutil.Error:
            continue  # a process that just ended
    return total


class RssSampler:
    """(seconds since users started, the parties' RSS in bytes), every ``interval`` seconds."""

    def __init__(self, history: Path, interval: float, production: bool) -> None:
        self.history, self.interval, self.production = history, interval, production
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started: float | None = None
        while not self._stop.wait(self.interval):
            if started is None:
                if not _users_started(self.history):
                    continue
                started = time.monotonic()
            self.samples.append((time.monotonic() - started, parties_rss(self.production)))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="soak length after warm-up")
    parser.add_argument("--warm-up", type=float, default=None,
                        help="seconds of load before the baseline (default: until sessions can expire)")
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--mix", default="honest-id-card=8,impostor=1,otp-typo=1")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--session-idle-timeout", type=float, default=60.0,
                        help="seconds after its last request when a journey's session is swept (0 = never)")
    parser.add_argument("--stack-server", choices=("threaded", "production"), default="threaded",
                        help="threaded: the parties as threads of this process; production: each party "
                             "in its own granian process, as rsim load serves them")
    args = parser.parse_args()
    production = args.stack_server == "production"
    if args.warm_up is None:
        args.warm_up = 30.0 + (args.session_idle_timeout + sweep_interval(args.session_idle_timeout)
                               if args.session_idle_timeout > 0 else 0.0)

    duration = int(args.warm_up + args.minutes * 60)
    out = Path(tempfile.mkdtemp(prefix="rsim-soak-"))
    plan = LoadPlan(users=args.users, spawn_rate=args.users, run_time=f"{duration}s", shape="soak",
                    persona_mix=args.mix, seed_pool=5, out=out, thresholds=SloThresholds(0.0, 1e9, 1e9, 1.0))
    settings = StackSettings(free_ports=True, seed=1, session_idle_timeout=args.session_idle_timeout,
                             server=args.stack_server)
    with Stack(settings) as stack:
        before = parties_rss(production)
        with RssSampler(out / "load_stats_history.csv", args.interval, production) as sampler:
            result = run_load(plan, TargetsSpec(dict(stack.urls)), timeout=duration + 600)
    samples = sampler.samples
    baseline = next((rss for t, rss in samples if t >= args.warm_up), None)
    if baseline is None or not samples:
        raise SystemExit("no RSS samples after warm-up: the run was too short")
    end = samples[-1][1]
    growth = (end - baseline) / baseline
    journeys = int(result.verdict["journeys"])
    print(f"users={args.users} warm-up={args.warm_up:.0f}s soak={args.minutes:g} min journeys={journeys} "
          f"({journeys / duration:.2f}/s) session idle timeout={args.session_idle_timeout:g}s "
          f"parties {args.stack_server}")
    print(f"RSS of the parties: idle {before / MB:.0f} MB, after warm-up {baseline / MB:.0f} MB, "
          f"end {end / MB:.0f} MB, peak {max(r for _, r in samples) / MB:.0f} MB")
    per_minute = [f"{t / 60:.0f}m={rss / MB:.0f}" for t, rss in samples if int(t) % 60 < args.interval]
    print("RSS by minute (MB): " + " ".join(per_minute))
    verdict = "within" if growth <= 0.10 else "BEYOND"
    print(f"growth after warm-up: {growth:+.1%} ({verdict} the 10% target); "
          f"≈ {(end - baseline) / max(1, journeys) / 1024:.1f} KiB per journey")
    # One sample catches whatever bodies are in flight (a document upload is ~0.6 MB per copy, and
    # the heap keeps freed blocks a while): the medians of the first and last minutes say the trend.
    first = [rss for t, rss in samples if args.warm_up <= t < args.warm_up + 60]
    last = [rss for t, rss in samples if t >= samples[-1][0] - 60]
    if first and last:
        print(f"median RSS of the first minute after warm-up {statistics.median(first) / MB:.0f} MB, of the "
              f"last minute {statistics.median(last) / MB:.0f} MB: "
              f"{(statistics.median(last) - statistics.median(first)) / statistics.median(first):+.1%}")
    early = next((rss for t, rss in samples if t >= 30.0), None)
    if early is not None and args.warm_up > 30.0:
        print(f"from a 30 s baseline ({early / MB:.0f} MB), before any session could expire: "
              f"{(end - early) / early:+.1%}")


if __name__ == "__main__":
    main()
