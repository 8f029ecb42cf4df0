"""CPU the load generator spends per journey: the virtual phones alone, in this process.

The parties run as ``rsim load`` runs them (each in its own process under granian); this process
runs one load client (:class:`loadtests.journeys.JourneyDriver`) journey after journey, as a locust
user does, and prints the CPU time of *this* process per journey (``time.process_time``), split into
the world set-up before step 1 and the steps.  The parties' CPU is not counted, so the figure is the
load generator's share of a journey without locust's own bookkeeping or other users' noise.  With
``--gevent`` the standard library is monkey-patched first, as locust does.  ``--profile FILE`` writes
a cProfile of the measured journeys.

Run: ``python -m loadtests.benchmarks.load_generator_cpu [--journeys 40] [--mix ...] [--gevent]``

Measured 2026-12-06 on the 2-core machine, ``--journeys 40 --gevent`` (mix 8:1:1, seed pool 5),
alternating the tree before this round's load-generator work (commit a535658) with the tree after it
(load average 2-4, falling): before 65.0 / 61.5 ms per journey (set-up 11.2 / 10.7 ms), after
37.9 / 36.1 ms (set-up 4.0 / 3.9 ms).  The after tree also holds the same day's cheaper liveness
frames (simulator/identity/faces, other work); with the before tree's frames it measured 44.2 ms.
What changed: the phones talk over :mod:`simulator.device.phone_http` (same wire as requests, a
third of its CPU), the old phone's PIN key is derived once per client, the document upload's JSON
no longer goes through the encoder's escape scan twice, public keys are loaded once per encoding.
The locust process itself (``python -m loadtests.benchmarks.journeys_per_second --users 10
--duration 30``, load average 1.5-2.7, one run each): before 50.8 ms per journey, 12.1 journeys/s,
p95 920 ms; after 29.6 ms, 14.4 journeys/s, p95 800 ms.
"""

from __future__ import annotations

import argparse
import sys

if "--gevent" in sys.argv:  # before anything imports ssl/socket, as locust does
    from gevent import monkey

    monkey.patch_all()

import cProfile
import random
import statistics
import time

from loadtests.journeys import DriverSettings, JourneyDriver
from loadtests.mix import parse_mix
from loadtests.targets import TargetsSpec
from simulator.journey import world
from simulator.stack import Stack, StackSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=40)
    parser.add_argument("--warm", type=int, default=5, help="journeys before measuring")
    parser.add_argument("--mix", default="honest-id-card=8,impostor=1,otp-typo=1")
    parser.add_argument("--seed-pool", type=int, default=5)
    parser.add_argument("--gevent", action="store_true", help="monkey-patch as locust does")
    parser.add_argument("--profile", default="", help="write a cProfile of the measured journeys here")
    args = parser.parse_args()

    settings = StackSettings(free_ports=True, seed=1, server="production")
    with Stack(settings) as stack:
        driver = JourneyDriver(TargetsSpec(dict(stack.urls)),
                               DriverSettings(parse_mix(args.mix), args.seed_pool, 0.05),
                               lambda *_: None, random.Random(7))
        driver.warm()
        for _ in range(args.warm):
            driver.run_one()
        arrange_cpu: list[float] = []
        real_arrange = world.arrange

        def timed_arrange(*a: object, **kw: object) -> world.ClientWorld:
            started = time.process_time()
            try:
                return real_arrange(*a, **kw)  # type: ignore[arg-type]
            finally:
                arrange_cpu.append(time.process_time() - started)

        world.arrange = timed_arrange  # type: ignore[assignment]
        import simulator.journey.runner as runner
        runner.arrange = timed_arrange  # type: ignore[assignment]
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        per_journey: list[float] = []
        ok = 0
        wall = time.monotonic()
        for _ in range(args.journeys):
            started = time.process_time()
            if profiler:
                profiler.enable()
            run = driver.run_one()
            if profiler:
                profiler.disable()
            per_journey.append(time.process_time() - started)
            ok += bool(run and run.as_expected)
        wall = time.monotonic() - wall
        driver.close()
        if profiler:
            profiler.dump_stats(args.profile)
    ms = [s * 1000 for s in per_journey]
    print(f"{args.journeys} journeys ({ok} as expected), mix {args.mix}, gevent={args.gevent}, "
          f"wall {wall:.1f} s")
    print(f"load generator CPU per journey: mean {statistics.mean(ms):.1f} ms, "
          f"median {statistics.median(ms):.1f} ms (of which world set-up "
          f"{statistics.mean(arrange_cpu) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
