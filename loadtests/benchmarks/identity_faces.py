"""Benchmark of the synthetic-face matcher and the flash liveness verifier.

Matcher: N identities x K captures each against the canonical portrait (the enrolled reference,
extracted once and cached as a provider would): genuine and impostor score statistics, FNMR and FMR
at the matcher's threshold, look-alike false matches, and the cost of a verification (probe
extraction + comparison against the cached template).

Liveness: S sessions of a genuine user, of a live impostor (someone else, really present) and of
every attack: pass/reject rates with reasons, the measured signals, and the provider-side cost of
a session (liveness + one face comparison against the cached enrolment template).

Timings are CPU time (``time.process_time``): the steady figure on a shared machine. The liveness
table also gives the device's cost of producing each session's frames (rendering + JPEG, or
staging the attack); an identity's first session renders its portrait too (every live-impostor
session is a new person, hence ~50 ms).

Run: ``python -m loadtests.benchmarks.identity_faces [--identities 100 --captures 4 --sessions 200]``

Measured 2026-12-06 (2-core development machine, load average 4-5, other work running),
``--skip-matcher --sessions 60``, the tree before the face speed-ups (commit a535658's
``simulator/identity/faces``) then after them (this docstring's commit): the same pass/reject
counts and reasons for every kind, the same signal ranges. Mean CPU ms before -> after:

* provider session (``check_presence``): genuine 12.6 -> 8.5, live impostor 11.8 -> 8.9, replay
  9.8 -> 6.9, static 9.7 -> 6.1, print 9.8 -> 5.9, cutout 9.5 -> 5.6, screen 9.4 -> 5.9;
* liveness alone: genuine 10.4 -> 6.7 (the other kinds 9.5-10.0 -> 5.9-7.1);
* device frames: genuine 16.3 -> 11.8 (each identity's first session, its scene built once),
  print 15.8 -> 10.3, cutout 16.3 -> 10.9, screen 13.8 -> 8.8, static 2.9 -> 2.2. A returning
  identity (the load test's case) costs about 9-10 ms against 16-20 ms before (liveness_capture's
  docstring).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from simulator.identity.faces.capture import selfie
from simulator.identity.faces.liveness import (
    AttackKind,
    LivenessChallenge,
    LivenessVerifier,
    capture_session,
    stage_attack,
)
from simulator.identity.faces.matcher import FaceMatcher, FaceNotFoundError, FaceTemplate
from simulator.identity.faces.presence import check_presence
from simulator.identity.faces.render import portrait_jpeg


def _ms(values: Sequence[float]) -> str:
    return f"{1000 * statistics.mean(values):.1f} ms (p95 {1000 * float(np.percentile(values, 95)):.1f})"


def bench_matcher(n_ids: int, captures: int, strength: float, seed: int) -> None:
    matcher = FaceMatcher()
    rng = random.Random(seed)
    ids = [f"bench-person-{i}" for i in range(n_ids)]
    refs: dict[str, FaceTemplate] = {}
    ref_times = []
    for ident in ids:
        data = portrait_jpeg(ident, 90)
        t0 = time.process_time()
        refs[ident] = matcher.extract(data)
        ref_times.append(time.process_time() - t0)
    genuine, impostor, lookalike = [], [], []
    not_found = 0
    verify_times, compare_times = [], []
    for ident in ids:
        for _ in range(captures):
            probe = selfie(ident, rng, strength=strength)
            t0 = time.process_time()
            try:
                tpl = matcher.extract(probe)
            except FaceNotFoundError:
                not_found += 1
                continue
            t1 = time.process_time()
            result = matcher.compare_templates(tpl, refs[ident])
            t2 = time.process_time()
            verify_times.append(t2 - t0)
            compare_times.append(t2 - t1)
            genuine.append(result.score)
            impostor.extend(matcher.compare_templates(tpl, refs[other]).score
                            for other in ids if other != ident)
        twin = selfie(f"bench-twin-of-{ident}", rng, strength=strength, lookalike_of=ident)
        lookalike.append(matcher.compare(twin, refs[ident]).score)
    gen, imp, look = np.asarray(genuine), np.asarray(impostor), np.asarray(lookalike)
    th = matcher.threshold
    attempts = len(gen) + not_found
    print(f"\n## Face matcher: {n_ids} identities x {captures} captures (strength {strength}), "
          f"threshold {th}")
    print("| population | n | mean | min | p1 | p99 | p99.9 | max |")
    print("|---|---|---|---|---|---|---|---|")
    for name, arr in (("genuine", gen), ("impostor", imp), ("look-alike", look)):
        print(f"| {name} | {len(arr)} | {arr.mean():.3f} | {arr.min():.3f} | {np.percentile(arr, 1):.3f} | "
              f"{np.percentile(arr, 99):.3f} | {np.percentile(arr, 99.9):.3f} | {arr.max():.3f} |")
    fnmr = (int((gen < th).sum()) + not_found) / attempts
    fmr = float((imp >= th).mean())
    print(f"\nFNMR {100 * fnmr:.2f} % ({int((gen < th).sum())} below threshold + {not_found} face_not_found "
          f"of {attempts}); FMR {100 * fmr:.4f} % ({int((imp >= th).sum())} of {len(imp)}); "
          f"look-alike FMR {100 * float((look >= th).mean()):.2f} % of {len(look)}")
    print(f"reference extraction {_ms(ref_times)}; verification (probe extraction + compare with cached "
          f"template) {_ms(verify_times)}; template compare alone "
          f"{1e6 * statistics.mean(compare_times):.0f} us")


def bench_liveness(sessions: int, seed: int) -> None:
    verifier = LivenessVerifier()
    matcher = FaceMatcher()
    rng = random.Random(seed)
    ids = [f"bench-live-{i}" for i in range(min(sessions, 100))]
    enrolled = {ident: matcher.extract(portrait_jpeg(ident, 90)) for ident in ids}
    print(f"\n## Flash liveness: {sessions} sessions per kind")
    print("| kind | passed | reasons | amplitude median | depth ratio (min-max) | slots matched (median) "
          "| device frames ms | liveness ms | provider session ms (check_presence: liveness + face) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in ["genuine", "live-impostor", *[k.value for k in AttackKind]]:
        reasons: Counter[str] = Counter()
        amps, ratios, matched, device_t, live_t, session_t = [], [], [], [], [], []
        for i in range(sessions):
            ident = ids[i % len(ids)]
            challenge = LivenessChallenge.generate(rng)
            t0 = time.process_time()
            if kind == "genuine":
                frames = capture_session(ident, challenge, rng)
            elif kind == "live-impostor":  # a real, live person who is not the enrolled one
                frames = capture_session(f"bench-impostor-{i}", challenge, rng)
            else:
                frames = stage_attack(kind, ident, challenge, rng)
            device_t.append(time.process_time() - t0)
            t0 = time.process_time()
            result = verifier.verify(frames, challenge)
            live_t.append(time.process_time() - t0)
            t0 = time.process_time()
            presence = check_presence(frames, challenge, enrolled[ident], verifier, matcher)
            session_t.append(time.process_time() - t0)
            reasons["passed" if presence.passed else presence.reason or "?"] += 1
            amps.append(result.signals.get("amplitude_median", float("nan")))
            ratios.append(result.signals.get("depth_ratio_median", float("nan")))
            matched.append(result.signals.get("slots_matched", 0))
        finite = [r for r in ratios if np.isfinite(r)]
        ratio_txt = f"{min(finite):.2f}-{max(finite):.2f}" if finite else "-"
        session_txt = _ms(session_t) if session_t else "-"
        print(f"| {kind} | {reasons['passed']}/{sessions} | "
              f"{', '.join(f'{k} {v}' for k, v in sorted(reasons.items()) if k != 'passed') or '-'} | "
              f"{np.nanmedian(amps):.3f} | {ratio_txt} | {statistics.median(matched):.0f} | "
              f"{_ms(device_t)} | {_ms(live_t)} | {session_txt} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=100)
    parser.add_argument("--captures", type=int, default=4)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--strength", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--skip-matcher", action="store_true")
    parser.add_argument("--skip-liveness", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_matcher:
        bench_matcher(args.identities, args.captures, args.strength, args.seed)
    if not args.skip_liveness:
        bench_liveness(args.sessions, args.seed + 1)


if __name__ == "__main__":
    main()
