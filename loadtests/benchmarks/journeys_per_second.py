"""Whole reactivation journeys per second at steady state, everything on this machine.

The embedded stack's four parties run as ``rsim load`` runs them: by default each in its own process
under granian (``--stack-server production``, one worker, in-memory store), or as threads of this
process (``--stack-server threaded``, as ``rsim demo`` does); the locust suite runs as child
process(es).  After the evidence warm-up, ``--users`` clients run
journeys back to back for ``--duration`` seconds.  Prints journeys/s, the p95 journey time, and where
the CPU went: CPU seconds per journey of the parties (this process) and of the load generator
(locust), measured with ``psutil``; with ``--profile``, ``py-spy`` samples both processes and the
hottest functions of each are printed.

Run: ``python -m loadtests.benchmarks.journeys_per_second [--users 10] [--duration 60] [--profile]``
(``--stack-server threaded`` for the threaded parties; ``--stack-workers 2`` serves every party under
granian with 2 workers and a private Redis; ``--stack-threads N`` request threads per worker).

Latest (2026-12-07, 00:30-00:50, load average 1.5-5; the tree of the evening before, unchanged in
what this measures), one process per party, ``--users 20 --duration 40``: **19.40 and 19.23
journeys/s** at first (89 ms per journey: Wultra 30-31, load generator 24, biometry 21-22, bank 7,
SMS gateway 4.5), then in a faster phase of the host **20.00 and 20.48 journeys/s, p95 1.0 s**
(82-84 ms per journey); ``--stack-threads 2`` in alternation with those two: 19.68 and 20.73 (the
difference is within the noise, so 4 threads stay the default).  Between the two phases, six runs of
the same code gave 15.9-19.7, so a single run says little.  ``rsim load --users 50 --spawn-rate 10
--run-time 60s`` in the fast phase: 18.98 journeys/s, every journey as its persona must, p95 journey
2.6 s - with no think time, 50 users share ~19 journeys/s, so a journey takes 50 / 19 ≈ 2.6 s
(Little's law): that p95 gate fails by arithmetic at 50 users, not by slowness of any step (every
step's p95 ≤ 0.7 s).  Later, two alternating pairs of the session's first tree and the tree with the
store's read-modify-write encoding only what it writes (about 2 ms less record JSON per journey,
counted in process): 19.10 / 18.50 -> 19.02 / 18.50 journeys/s, 90 / 93 -> 89 / 93 ms per journey -
below what these runs resolve.

The day before (2026-12-06, late evening), one process per party, ``--users 20 --duration 40``: **18.3 and
18.6 journeys/s** (``--users 24``: 18.65), p95 1.1-1.3 s, CPU per journey 94-96 ms in all (Wultra
32-35 ms, load generator 25-26, biometry 22-25, bank 7, SMS gateway 5) - in a quiet hour; an hour
later the same tree gave 14.5-16.2 journeys/s at 106-126 ms per journey, with both cores as fast as
before at PBKDF2 (the host's memory-bound work slows by phases), so compare pairs, not single runs.
Three alternating pairs in that slower hour, the tree of the evening before (93f88b1) against this
one: 12.47 / 12.97 / 14.03 -> 15.12 / 14.82 / 15.00 journeys/s, CPU per journey 148 / 140 / 126 ->
118 / 119 / 116 ms, p95 1.6 -> 1.4 s; at ``--users 6`` (machine not saturated) 102 / 102 / 133 ->
89 / 94 / 95 ms.  What changed: Base64 and JSON of the big bodies (document pages, face frames, the
585 kB ECIES envelope of the document upload) through :mod:`simulator.encoding` - pybase64 and orjson
with the standard library's exact results - in the PowerAuth codec, the parties' Flask JSON, state
stores, journal and strict Base64 checks, and the phone's JSON writers; the parties' outbound calls on
``http.client`` (:mod:`mocks.framework.http_transport`, ~200 instead of ~400 µs per small call); the
phone's PIN key derived once for setting the PIN and signing with it; liveness-frame weights stacked
instead of repeated.  Still short of 20: at ≈ 1.77 busy cores (what the processes get at
saturation) 20 journeys/s needs ≤ 88 ms per journey.  What is left is spread thin: per-request work
of ~45 HTTP exchanges per journey (23 to Wultra - 8 of them the world's set-up, one PowerAuth
activation of the old phone per journey -, 13 to biometry, 8 to the bank, 7 to the SMS gateway),
ECIES per encrypted request, the face provider's pixel checks (~8 ms), the phone's liveness frames
(~6 ms) and JPEG encoding.

Earlier that evening, one process per party, ``--users 20 --duration 40`` (load average
4-5, runs in turn): **16.2-18.7 journeys/s, p95 1.1-1.4 s**; CPU per journey ≈ 90 ms in all: Wultra
32.5-38 ms, load generator 25-29 ms, biometry 22-25 ms, bank 7-8 ms, SMS gateway 5-6 ms (the script
prints this split).  ``--users 30``: 18.4 journeys/s, p95 1.6 s - saturated: the processes then use
≈ 1.7 of the 2 cores, the rest goes to the kernel's loopback work and the machine's own.  At the start
of that day's second round the same machine did 10.1 journeys/s at ``--users 10`` (155 ms per
journey: generator 56, Wultra 52, biometry 31, bank 9, SMS 7).  What changed: the phone's HTTP client
(no ``requests`` on the generator side, kept-alive connections, a small HTTP/1.1 reader), the
parties' outbound calls on one urllib3 pool each, request hooks and the journal's copies of big bodies,
strict Base64 of page images checked without decoding them twice, derived activation keys kept per
activation, the face provider's liveness and eye search, the phone's liveness frames, status
callbacks of the SMS gateway off the request path, production workers' garbage collector tuned.
``--profile`` samples only threads holding the GIL: the Wultra party's Python time then goes to
the outbound calls (≈ 17%), Base64/AES/HMAC/JSON of the 585 KB document submit, EC point decoding
of each request's ephemeral key, and the framework's request hooks - per-request work the protocol
asks for.

Threaded vs one process per party vs two workers per party (+ Redis), 2026-12-06, ``--users 10
--duration 40`` with ``--stack-server threaded``, ``--stack-server production`` and
``--stack-workers 2``, run in turn (each run starts its own stack):

* a quieter alternation (load average 4-6, most of it the run itself), two rounds:
  threaded 4.6 / 5.6 journeys/s, p95 2.7 / 2.4 s, CPU per journey parties 197 / 162 ms + load
  generator 95 / 75 ms; production, one process per party, 9.0 / 9.2 journeys/s, p95 1.5 / 1.2 s,
  113 / 107 ms + 63 / 61 ms; two workers + Redis 6.4 / 7.2 journeys/s, p95 1.9 / 1.5 s, 199 / 168 ms
  + 80 / 65 ms.  One process per party with 16 request threads instead of 4 (``--stack-threads 16``):
  9.9 / 8.9 journeys/s, p95 1.2 / 1.4 s - no difference beyond the noise, so 4 stays.  A third
  round (load average 2-4), with this docstring's tree: one process per party 9.9 journeys/s, p95
  1.1 s, 103 + 59 ms; threaded 4.4 journeys/s, p95 3.0 s, 204 + 95 ms.
* an earlier alternation under other work (load average 6-8): threaded 4.2 / 4.8 journeys/s, p95
  3.2 / 2.6 s, parties 161 / 155 ms; one process per party 5.5 / 4.9 journeys/s, p95 3.2 / 2.4 s,
  parties 115 / 116 ms; two workers 4.9 / 7.2 journeys/s, p95 2.5 / 1.8 s, parties 181 / 163 ms.
* ``--profile`` of one process per party (8.0 journeys/s, load average 2-4): Flask's request
  handling ≈ 60% of the parties' busy samples (inclusive; Werkzeug's server no longer in it), the
  outbound HTTP client ≈ 19%, the onboarding handlers ≈ 23%, the face provider ≈ 14%.

So one process per party is ``rsim load``'s default: the parties no longer share one GIL, keep
their connections alive, and cost a third to a half less CPU per journey than threaded; two workers per
party add Redis round trips and cost the most CPU, which a 2-core machine cannot give back.  With
≈ 0.17 CPU seconds per journey in all (parties + load generator) at that point, two idle cores would
have capped this machine near 11-12 journeys/s (see "Latest" above for where it went next).
The figures below are the threaded stack's (the default before this comparison).

Measured on the 2-core development machine (mix 8:1:1 honest-id-card/impostor/otp-typo, seed pool 5),
shared with other work (load average 4-7 during the runs: wall-clock figures are pessimistic, CPU per
journey is the steadier one).  Alternating runs of the tree before the speed-ups of 2026-12-06
(commit 9c8b120) and after them (this docstring's commit), ``--users 10 --duration 40``:

* before: 1.8 and 2.6 journeys/s, p95 journey 5.1 and 3.5 s; CPU per journey: parties 231 / 205 ms,
  load generator 101 / 89 ms.
* after: 3.9 and 4.0 journeys/s (5.4 in a quieter minute, with ``--profile``), p95 2.7 / 2.7 s (2.0 s);
  CPU per journey: parties ≈ 126 ms, load generator ≈ 70 ms.
* a second alternation under heavier load (load average 7.5-11): before 1.6 / 1.3 journeys/s, p95
  5.5 / 5.4 s, CPU 225-232 ms parties + 103-105 ms generator; after 2.5 / 2.5 journeys/s, p95 4.1 /
  3.7 s, CPU 146-149 ms parties + 81 ms generator (CPU per journey grows with contention too).
* one user (``--users 1 --duration 30``), the unloaded journey: before 1.6 journeys/s, p95 0.52 s;
  after 2.5 journeys/s, p95 0.37 s - of which ≈ 0.1 s is the simulated carrier (``sms_seconds`` 0.05 s
  per hop, two hops) and the phone's 50 ms polls of its inbox and of the verification.
* ``--stack-workers 2`` (granian + Redis; load average 8-10): before 1.5 journeys/s, p95 5.7 s, CPU
  per journey 248 ms parties + 94 ms generator; after 1.7 and 3.6 journeys/s, p95 3.9 / 2.8 s, 161-164 ms
  parties + 67-70 ms generator (there the parties keep connections alive, so the load client's shared
  connections count; the same day's Redis work - pinned connections, batched commands - is in it too).

What changed: the document provider reads a page once per image digest and date, the face matcher
keeps templates by image digest, the presence check matches on the frame and eyes the liveness check
already has, the eye search builds its summed-area tables once, servers derive a stored private key
once; the load generator renders liveness frames with one numpy sampling grid per session (≈ 14 ms
CPU per session, was ≈ 36 ms); the CPU watch no longer charges its own polling to the parties.
The after tree also holds the same day's framework work (cheaper journal capture and SMS
resources among it), so not all of the difference comes from this list.

So the 20 journeys/s target was then about five times away: a journey cost ≈ 0.2 CPU seconds in all,
and the threaded parties share one process (one GIL), so they cannot pass ≈ 1 / 0.13 s ≈ 7-8
journeys/s even on an idle machine (hence one process per party now, above).  Where it went then
(threaded, ``--profile``, inclusive): in the parties,
request handling and the calls between parties (Werkzeug/Flask ≈ 84%, the outbound HTTP client ≈ 25%:
Werkzeug's threaded server closes every connection after its response, so each call connects anew),
the onboarding handlers ≈ 27%, the face provider's presence check ≈ 18% (liveness ≈ 15%); document
reading no longer shows.  In the load generator: the liveness frames ≈ 33%, the HTTP client ≈ 28%,
the PowerAuth SDK ≈ 20% (PBKDF2 of the PIN, ECIES).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil

from loadtests.slo import SloThresholds
from loadtests.targets import TargetsSpec
from mocks.framework.production import FACTORY_ENV
from simulator.load.locust_run import LoadPlan, run_load
from simulator.stack import SERVERS, Stack, StackSettings


def _users_running(history: Path) -> bool:
    """Whether locust's history CSV shows users at work (after start-up and the evidence warm-up)."""
    try:
        lines = history.read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return any(int(line.split(",")[1] or 0) > 0 for line in lines[1:] if line.count(",") > 2)


class CpuWatch:
    """CPU seconds (user + system) of the parties and of the load generator while users run.

    The load generator is every descendant running locust; the parties are this process (threaded
    stack) and every other descendant (production workers, Redis).  The baseline is taken when
    locust's history first shows users, so start-up and the evidence warm-up are not charged; nor is
    this watch itself (its thread's own CPU is taken off this process's).
    """

    def __init__(self, history: Path) -> None:
        self.me = psutil.Process()
        self.history = history
        self.cpu: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self.baseline: dict[int, float] | None = None
        self.own = 0.0
        self.own_baseline = 0.0
        self.loaded = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    @staticmethod
    def _cpu(process: psutil.Process) -> float:
        times = process.cpu_times()
        return float(times.user + times.system)

    def _poll(self) -> None:
        while not self._stop.wait(0.25):
            for process in [self.me, *self.me.children(recursive=True)]:
                try:
                    self.cpu[process.pid] = self._cpu(process)
                    if process.pid not in self.names:
                        factory = process.environ().get(FACTORY_ENV, "")  # a production party's
                        self.names[process.pid] = factory or " ".join(process.cmdline()[1:4])
                except psutil.Error:
                    continue
            if self.baseline is None and _users_running(self.history):
                self.baseline = dict(self.cpu)
                self.own_baseline = self.own
                self.loaded.set()
            self.own = time.thread_time()

    def is_generator(self, pid: int) -> bool:
        return "locust" in self.names.get(pid, "")

    def start(self) -> CpuWatch:
        self._thread.start()
        return self

    def stop(self) -> tuple[float, float]:
        """(the parties' CPU seconds while loaded, the load generator's)."""
        self._stop.set()
        self._thread.join()
        used = self.used()
        generator = sum(cpu for pid, cpu in used.items() if self.is_generator(pid))
        return sum(used.values()) - generator, generator

    def used(self) -> dict[int, float]:
        """CPU seconds per process while loaded (this process net of the watch's own thread)."""
        base = self.baseline or {}
        used = {pid: cpu - base.get(pid, 0.0) for pid, cpu in self.cpu.items()}
        used[self.me.pid] = used.get(self.me.pid, 0.0) - (self.own - self.own_baseline)
        return used

    def by_process(self) -> list[tuple[str, float]]:
        """CPU seconds while loaded per process kind (a party's granian processes count together)."""
        kinds: collections.Counter[str] = collections.Counter()
        for pid, cpu in self.used().items():
            kinds[_kind(self.names.get(pid, ""), pid == self.me.pid)] += cpu
        return kinds.most_common()


def _kind(name: str, me: bool) -> str:
    """A production party's app factory (``mocks.wultra.app:create_app``), else what runs there."""
    return "this process (threaded parties, if any)" if me else name or "?"


def _py_spy(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--duration", str(seconds),
                             "--rate", "50", "--format", "raw", "--nonblocking", "--gil",
                             "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_IDLE = ("wait (threading", "select (", "poll (", "_wait_for_tstate_lock", "sleep", "accept (", "switch (",
         "Hub.run", "run (gevent")
_PACKAGES = ("mocks/", "simulator/", "loadtests/", "werkzeug/", "flask/", "PIL/", "numpy/", "scipy/",
             "cryptography/", "requests/", "urllib3/", "locust/", "gevent/")


def _hottest(raws: list[Path], top: int = 15) -> list[tuple[str, float]]:
    """Inclusive share of busy samples per module (a sample counts once for each module on its stack),
    over every sampled process of one kind."""
    counts: collections.Counter[str] = collections.Counter()
    busy = 0
    lines = [line for raw in raws if raw.exists()
             for line in raw.read_text(encoding="utf-8", errors="replace").splitlines()]
    for line in lines:
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        if any(idle in frames[-1] for idle in _IDLE):
            continue
        busy += int(n)
        modules = {frame.rpartition("(")[2].partition(":")[0] for frame in frames}
        for module in modules:
            if module.startswith(_PACKAGES):
                counts[module] += int(n)
    return [(name, n / busy) for name, n in counts.most_common(top)] if busy else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--duration", type=int, default=60, help="seconds of steady load")
    parser.add_argument("--mix", default="honest-id-card=8,impostor=1,otp-typo=1")
    parser.add_argument("--seed-pool", type=int, default=5)
    parser.add_argument("--workers", type=int, default=0, help="locust workers (0 = one local process)")
    parser.add_argument("--stack-workers", type=int, default=1,
                        help="worker processes per party (>1: granian + a private Redis)")
    parser.add_argument("--stack-server", choices=SERVERS, default="production",
                        help="threaded: the parties as threads of this process; production: each party in "
                             "its own process(es) under granian")
    parser.add_argument("--stack-threads", type=int, default=4,
                        help="request threads per production worker process")
    parser.add_argument("--profile", action="store_true", help="sample both processes with py-spy")
    args = parser.parse_args()

    out = Path(tempfile.mkdtemp(prefix="rsim-jps-"))
    plan = LoadPlan(users=args.users, spawn_rate=args.spawn_rate, run_time=f"{args.duration}s",
                    persona_mix=args.mix, seed_pool=args.seed_pool, out=out,
                    thresholds=SloThresholds(0.0, 1e9, 1e9, 1.0))
    settings = StackSettings(free_ports=True, seed=1, workers=args.stack_workers, server=args.stack_server,
                             threads=args.stack_threads)
    with Stack(settings) as stack:
        spec = TargetsSpec(dict(stack.urls))
        watch = CpuWatch(out / "load_stats_history.csv").start()
        spies: list[tuple[str, Path, subprocess.Popen[bytes]]] = []
        if args.profile:
            def spy_later() -> None:
                if not watch.loaded.wait(180):
                    return
                time.sleep(3)  # let the users settle into their journeys
                seconds = max(5, args.duration - 8)
                targets = [("load generator" if watch.is_generator(pid) else "parties", pid)
                           for pid, name in list(watch.names.items()) if "redis" not in name]
                for label, pid in targets:
                    path = out / f"py-spy-{pid}.txt"
                    spies.append((label, path, _py_spy(pid, seconds, path)))
            threading.Thread(target=spy_later, daemon=True).start()
        began = time.monotonic()
        result = run_load(plan, spec, workers=args.workers, timeout=args.duration + 600)
        wall = time.monotonic() - began
        server_cpu, generator_cpu = watch.stop()
    verdict = result.verdict
    journeys = int(verdict["journeys"])
    p95 = next(g["observed"] for g in verdict["gates"] if g["name"] == "p95 journey time")
    ok = next(g["observed"] for g in verdict["gates"] if g["name"] == "journey success ratio")
    print(f"users={args.users} duration={args.duration}s mix={args.mix} locust workers={args.workers} "
          f"party server={settings.server} workers={args.stack_workers} "
          f"threads={settings.threads if settings.production else '-'} "
          f"(wall {wall:.0f} s incl. warm-up)")
    print(f"journeys: {journeys}  ->  {journeys / args.duration:.2f} journeys/s  (target >= 20)")
    print(f"p95 journey time: {p95:.0f} ms  (target < 2000)   success ratio: {ok}")
    if journeys:
        print(f"CPU per journey: parties {server_cpu / journeys * 1000:.0f} ms, "
              f"load generator {generator_cpu / journeys * 1000:.0f} ms "
              f"(totals {server_cpu:.0f} s / {generator_cpu:.0f} s while users ran)")
        for kind, cpu in watch.by_process():
            print(f"  {cpu / journeys * 1000:6.1f} ms  {kind}")
    for _, _, spy in spies:
        spy.wait(timeout=60)
    for kind in ("parties", "load generator"):
        paths = [path for label, path, _ in spies if label == kind]
        if paths:
            print(f"busy samples of the {kind} ({len(paths)} processes), by module (inclusive):")
            for name, share in _hottest(paths):
                print(f"  {share:6.1%}  {name}")
    print(f"locust output: {out}")


if __name__ == "__main__":
    main()
