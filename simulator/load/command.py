"""``rsim load``: the locust suite, headless, against the embedded stack (or a bank's system by URL).

Example::

    rsim load --users 50 --spawn-rate 10 --run-time 60s
    rsim load --users 20 --run-time 5m --shape spike --persona-mix "honest-id-card=8,impostor=1,otp-typo=1"
    rsim load --target bank=https://bank.example/adapter --users 10 --run-time 2m --out build/bank-load

How it runs (decided here): the parties not given by ``--target`` are started on free loopback ports
by this process - by default each in its own process under the production server (granian, one
worker, in-memory store, keep-alive connections: ``--stack-server production``), with
``--stack-workers N`` with N worker processes each, sharing state through Redis, or with
``--stack-server threaded`` in this process's threads, as ``rsim demo`` does (one GIL for all four,
a new connection per call: measured slower, see :mod:`loadtests.benchmarks.journeys_per_second`);
locust runs as a child process of its own CLI (:mod:`simulator.load.locust_run` says why), with
``--workers N`` as a master and N local workers.
Files in ``--out`` (default ``build/load``): locust's CSVs (``load_stats.csv`` ...), ``report.html``,
``slo-junit.xml``, ``slo.json``, ``locust.log``.  Exit code: 0 when every SLO gate passed, 1 when
one failed, 2 for bad options or a run that produced no verdict.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from loadtests.mix import DEFAULT_MIX, MixError, parse_mix
from loadtests.shapes import SHAPES
from loadtests.slo import SloThresholds
from loadtests.targets import PARTY_NAMES, TargetsSpec
from mocks.framework.sessions import DEFAULT_IDLE_TIMEOUT, MAX_IDLE_TIMEOUT
from simulator.stack import SERVERS, Stack, StackError, StackSettings

from .locust_run import LoadError, LoadPlan, run_load
from .table import print_summary

__all__ = ["load_command", "parse_run_time"]

_SPAN = re.compile(r"(\d+)\s*([hms])")


def parse_run_time(text: str) -> int:
    """``"90"``, ``"60s"``, ``"1m30s"``, ``"2h"`` → seconds (what locust's ``-t`` accepts)."""
    value = text.strip().lower()
    if value.isdigit():
        seconds = int(value)
    elif value and _SPAN.sub("", value).strip() == "":
        units = {"h": 3600, "m": 60, "s": 1}
        seconds = sum(int(n) * units[u] for n, u in _SPAN.findall(value))
    else:
        raise click.BadParameter(f"expected a duration like 60s, 5m or 1h30m, got {text!r}",
                                 param_hint="--run-time")
    if seconds < 1:
        raise click.BadParameter("the run needs at least 1 second", param_hint="--run-time")
    return seconds


def _targets(values: tuple[str, ...]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or name not in PARTY_NAMES or not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"expected PARTY=URL with PARTY one of {', '.join(PARTY_NAMES)} and an "
                                     f"http(s) URL, got {value!r}", param_hint="--target")
        urls[name] = url.rstrip("/")
    return urls


@click.command("load")
@click.option("--users", default=50, show_default=True, type=click.IntRange(1, 100_000),
              help="Concurrent virtual clients (the peak, for shapes that vary).")
@click.option("--spawn-rate", default=10.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Users started per second.")
@click.option("--run-time", default="60s", show_default=True, help="How long the load lasts (60s, 5m, 1h).")
@click.option("--shape", type=click.Choice(SHAPES), default="steady", show_default=True,
              help="Load over time: steady, ramp (to the peak), spike (middle fifth), soak (long steady).")
@click.option("--persona-mix", default=DEFAULT_MIX, show_default=True, envvar="RSIM_PERSONA_MIX",
              help="Persona weights NAME=WEIGHT,...")
@click.option("--target", "targets", multiple=True, metavar="PARTY=URL",
              help="A real system instead of our mock for PARTY (repeatable); the rest is started here.")
@click.option("--admin-token", envvar="RSIM_ADMIN_TOKEN", help="Token of the mocks' /_admin/ APIs.")
@click.option("--out", "out_dir", default=Path("build/load"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for CSV, HTML and JUnit.")
@click.option("--workers", default=0, show_default=True, type=click.IntRange(0, 64),
              help="Run locust distributed: a master and this many local worker processes.")
@click.option("--stack-server", type=click.Choice(SERVERS), default="production", show_default=True,
              help="How embedded parties are served: production = each in its own process (granian, "
                   "keep-alive; faster under load), threaded = threads of this process (as rsim demo).")
@click.option("--stack-workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Worker processes per embedded party (>1: production server, state in Redis).")
@click.option("--redis-url", envvar="RSIM_REDIS_URL",
              help="Redis for the parties' shared state with --stack-workers > 1 (default: a private one).")
@click.option("--seed", default=1, show_default=True, help="Seed of every embedded mock.")
@click.option("--session-idle-timeout", default=DEFAULT_IDLE_TIMEOUT, show_default=True,
              type=click.FloatRange(0, MAX_IDLE_TIMEOUT), metavar="SECONDS",
              help="Embedded mocks sweep a journey's session this long after its last request (0 = never).")
@click.option("--seed-pool", default=10, show_default=True, type=click.IntRange(1, 256),
              help="Distinct clients per persona (their evidence is rendered once, before the run).")
@click.option("--sms-seconds", default="0.05", show_default=True,
              help="SMS latency per hop on our gateway, or 'carrier' to keep the gateway's own.")
@click.option("--think-time", default=0.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds a client waits between journeys.")
@click.option("--slo-success", default=0.99, show_default=True, type=click.FloatRange(0, 1),
              help="Gate: minimum ratio of journeys ending as the persona must.")
@click.option("--slo-p95-journey-ms", default=2000.0, show_default=True, type=click.FloatRange(min=0),
              help="Gate: maximum p95 journey time.")
@click.option("--slo-p95-step-ms", default=1000.0, show_default=True, type=click.FloatRange(min=0),
              help="Gate: maximum p95 of each step.")
@click.option("--slo-error-ratio", default=0.01, show_default=True, type=click.FloatRange(0, 1),
              help="Gate: maximum ratio of steps failing unexpectedly.")
def load_command(users: int, spawn_rate: float, run_time: str, shape: str, persona_mix: str,
                 targets: tuple[str, ...], admin_token: str | None, out_dir: Path, workers: int,
                 stack_server: str, stack_workers: int, redis_url: str | None, seed: int,
                 session_idle_timeout: float,
                 seed_pool: int, sms_seconds: str, think_time: float, slo_success: float,
                 slo_p95_journey_ms: float, slo_p95_step_ms: float, slo_error_ratio: float) -> None:
    """Run the locust suite headless: tables per step and persona, SLO verdict, exit code from the gates."""
    seconds = parse_run_time(run_time)
    try:
        parse_mix(persona_mix)
    except MixError as exc:
        raise click.BadParameter(str(exc), param_hint="--persona-mix") from exc
    if sms_seconds != "carrier":
        try:
            float(sms_seconds)
        except ValueError:
            raise click.BadParameter("a number of seconds or 'carrier'", param_hint="--sms-seconds") from None
    if stack_server == "threaded" and stack_workers > 1:
        raise click.BadParameter("several workers per party need --stack-server production",
                                 param_hint="--stack-workers")
    external = _targets(targets)
    limits = SloThresholds(slo_success, slo_p95_journey_ms, slo_p95_step_ms, slo_error_ratio)
    plan = LoadPlan(users=users, spawn_rate=spawn_rate, run_time=f"{seconds}s", shape=shape,
                    persona_mix=persona_mix, seed_pool=seed_pool, sms_seconds=sms_seconds,
                    think_time=think_time, thresholds=limits, out=out_dir)
    console = Console()
    settings = StackSettings(free_ports=True, seed=seed, external=external, admin_token=admin_token,
                             workers=stack_workers, redis_url=redis_url,
                             server="threaded" if stack_server == "threaded" else "production",
                             session_idle_timeout=session_idle_timeout)
    try:
        with Stack(settings) as stack:
            spec = TargetsSpec(dict(stack.urls), frozenset(external), admin_token)
            started = ", ".join(stack.started) or "none (every party is external)"
            console.print(f"rsim load: parties started here: {started}; "
                          f"{users} users, {shape}, {seconds} s; locust log: {out_dir / 'locust.log'}")
            began = time.monotonic()
            result = run_load(plan, spec, workers=workers, timeout=seconds + 600)
            elapsed = time.monotonic() - began
    except StackError as exc:
        raise click.ClickException(str(exc)) from exc
    except LoadError as exc:
        console.print(f"[bold red]rsim load: {exc}[/]")
        sys.exit(2)
    print_summary(console, result.verdict, seconds=float(seconds),
                  users=users if shape == "steady" else None, think_time=think_time)
    console.print(f"wall time {elapsed:.0f} s (evidence warm-up, locust start and stop included)")
    console.print(f"files: {plan.stats_csv}, {plan.html}, {plan.junit}, {plan.verdict_json}")
    sys.exit(result.exit_code if result.exit_code in (0, 1) else 2)
