"""Benchmark: read N degraded phone captures of synthetic identity documents and report accuracy and speed.

Generates ``--count`` people (seeded), renders for each one document face (ID card front, ID card back
or passport data page, in rotation), photographs it with the capture model at a random strength in
``[--min-strength, --max-strength]``, then reads every capture with the document reader on one core and
prints:

- MRZ read accuracy: captures whose MRZ lines were all read exactly (ID backs and passports);
- printed-field accuracy on ID fronts (every machine-read field exact);
- clean-reading rate: captures with no finding at all (no false ``pattern_mismatch`` etc.);
- median and p95 milliseconds per image for the reader alone (decode to verdict).

Generation runs in worker processes so the run finishes in a few minutes on two cores; reading is
timed in the main process, one image at a time.

    python -m loadtests.benchmarks.identity_documents --count 500
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageDraw

from simulator.identity.documents.capture import capture
from simulator.identity.documents.layout import DocumentKind
from simulator.identity.documents.reader import read_document
from simulator.identity.documents.render import id_card_data, passport_data, render_face, visual_fields
from simulator.identity.mrz import td1_lines, td3_lines
from simulator.identity.people import generate_person

KINDS = (DocumentKind.ID_FRONT, DocumentKind.ID_BACK, DocumentKind.PASSPORT)


@dataclass(frozen=True)
class Sample:
    index: int
    kind: DocumentKind
    strength: float
    jpeg: bytes
    mrz_lines: tuple[str, ...]
    fields: dict[str, str]


def placeholder_portrait(rng: random.Random) -> Image.Image:
    """A seeded head-and-shoulders drawing standing in for the face renderer's portrait."""
    im = Image.new("RGB", (240, 300), tuple(rng.randint(150, 220) for _ in range(3)))
    d = ImageDraw.Draw(im)
    skin = (rng.randint(150, 240), rng.randint(110, 200), rng.randint(90, 170))
    d.ellipse((55 + rng.randint(-8, 8), 45, 185 + rng.randint(-8, 8), 205), fill=skin)
    d.rectangle((35, 215, 205, 300), fill=tuple(rng.randint(20, 160) for _ in range(3)))
    d.ellipse((90, 100, 106, 116), fill=(35, 30, 30))
    d.ellipse((134, 100, 150, 116), fill=(35, 30, 30))
    return im


def make_sample(seed: int, index: int, min_strength: float, max_strength: float) -> Sample:
    rng = random.Random(f"bench|{seed}|{index}")
    person = generate_person(seed, index)
    kind = KINDS[index % len(KINDS)]
    data = passport_data(person) if kind is DocumentKind.PASSPORT else id_card_data(person)
    portrait = None if kind is DocumentKind.ID_BACK else placeholder_portrait(rng)
    page = render_face(kind, data, portrait)
    strength = rng.uniform(min_strength, max_strength)
    if kind is DocumentKind.PASSPORT:
        lines: tuple[str, ...] = td3_lines(data.mrz)
    elif kind is DocumentKind.ID_BACK:
        lines = td1_lines(data.mrz)
    else:
        lines = ()
    printed = visual_fields(kind, data)
    return Sample(index, kind, strength, capture(page, rng, strength), lines, printed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--min-strength", type=float, default=0.2)
    parser.add_argument("--max-strength", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        samples = list(
            pool.map(
                make_sample,
                [args.seed] * args.count,
                range(args.count),
                [args.min_strength] * args.count,
                [args.max_strength] * args.count,
                chunksize=8,
            )
        )
    generated = time.perf_counter() - started

    read_document(samples[0].jpeg)  # warm caches (glyph templates) outside the timed loop
    times: list[float] = []
    by_kind: dict[DocumentKind, list[float]] = {k: [] for k in KINDS}
    mrz_total = mrz_ok = front_total = front_ok = viz_total = viz_ok = clean = 0
    findings: Counter[str] = Counter()
    failures: list[str] = []
    for s in samples:
        t0 = time.perf_counter()
        reading = read_document(s.jpeg)
        times.append((time.perf_counter() - t0) * 1000.0)
        by_kind[s.kind].append(times[-1])
        if reading.ok:
            clean += 1
        findings.update(r.value for r in reading.reasons)
        fields_exact = reading.kind is s.kind and all(
            v == s.fields[k].strip() for k, v in reading.fields.items()
        )
        if s.kind is not DocumentKind.ID_BACK:
            viz_total += 1
            viz_ok += fields_exact
            if not fields_exact:
                failures.append(
                    f"#{s.index} {s.kind.value} strength {s.strength:.2f}: fields {reading.fields}"
                )
        if s.kind is DocumentKind.ID_FRONT:
            front_total += 1
            front_ok += fields_exact
        else:
            mrz_total += 1
            if reading.mrz_lines == s.mrz_lines:
                mrz_ok += 1
            else:
                failures.append(
                    f"#{s.index} {s.kind.value} strength {s.strength:.2f}: read {reading.mrz_lines}"
                )

    times_sorted = sorted(times)
    p95 = times_sorted[min(len(times_sorted) - 1, round(0.95 * (len(times_sorted) - 1)))]
    print(
        f"identity documents benchmark: {args.count} captures, "
        f"strength {args.min_strength}-{args.max_strength}, "
        f"seed {args.seed} (generated in {generated:.1f} s)"
    )
    print(
        f"MRZ read accuracy (all lines exact): {mrz_ok}/{mrz_total} = "
        f"{100.0 * mrz_ok / max(mrz_total, 1):.2f} %"
    )
    print(
        f"ID front printed fields exact:       {front_ok}/{front_total} = "
        f"{100.0 * front_ok / max(front_total, 1):.2f} %"
    )
    print(
        f"printed fields exact (front+passport): {viz_ok}/{viz_total} = "
        f"{100.0 * viz_ok / max(viz_total, 1):.2f} %"
    )
    print(
        f"clean readings (no finding at all):  {clean}/{len(samples)} = {100.0 * clean / len(samples):.2f} %"
    )
    print(
        f"reader time per image: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(times):.1f} ms"
    )
    print(
        "  median by kind: "
        + ", ".join(f"{k.value} {statistics.median(v):.1f} ms" for k, v in by_kind.items() if v)
    )
    if findings:
        print("findings on genuine captures:", dict(findings))
    for line in failures[:20]:
        print("  miss", line)
    return 0 if mrz_ok == mrz_total and front_ok == front_total else 1


if __name__ == "__main__":
    sys.exit(main())
