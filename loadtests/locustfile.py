"""The locust suite: virtual clients running whole reactivation journeys against the four parties.

Run it with locust's own CLI (``rsim load`` wraps this, starting an embedded stack first)::

    locust -f loadtests/locustfile.py --headless -u 20 -r 5 -t 60s \\
        --targets targets.json --persona-mix "honest-id-card=8,impostor=1,otp-typo=1" \\
        --shape steady --csv build/load/load --html build/load/report.html \\
        --slo-junit build/load/slo-junit.xml

Distributed (locust's master/worker mode, across processes or hosts; the custom options given to the
master reach the workers)::

    locust -f loadtests/locustfile.py --master --headless --expect-workers 2 -u 20 -r 5 -t 60s --targets ...
    locust -f loadtests/locustfile.py --worker --master-host HOST     # on each load host

What each user does and reports is :mod:`loadtests.journeys` (one ``STEP`` request per step, one
``JOURNEY`` request per journey); the load over time is :mod:`loadtests.shapes` (``--shape``); the
verdict at the end is :mod:`loadtests.slo` (on the master, or the only process): printed, written as
JUnit XML (``--slo-junit``) and JSON (``--slo-json``, which also says how many journeys each worker
reported), and it sets the process exit code.  Every option also reads an ``RSIM_*`` environment
variable (see ``locust -f loadtests/locustfile.py --help``).
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from argparse import Namespace
from collections import Counter
from pathlib import Path
from typing import Any

import gevent
from locust import LoadTestShape, User, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from loadtests.journeys import DriverSettings, JourneyDriver
from loadtests.mix import DEFAULT_MIX, MixError, parse_mix
from loadtests.shapes import SHAPES, ShapeError, ShapeParams, profile
from loadtests.slo import JOURNEY, EntryStats, SloThresholds, SloVerdict, evaluate
from loadtests.targets import TargetsError, TargetsSpec, load_targets

log = logging.getLogger("rsim.load")

#: Journeys reported per worker (client id → count), as seen by the master.
_WORKER_JOURNEYS: Counter[str] = Counter()


class _Setup:
    """What the options say, parsed once per test run (on each process that runs users)."""

    spec: TargetsSpec | None = None
    settings: DriverSettings | None = None
    #: Seconds spent rendering the evidence pool before the load; ``None`` while it renders.  The
    #: shape's clock does not run meanwhile, so ``--run-time`` is load, not warm-up.  On a master,
    #: the shape's run time when the last worker said it had rendered its pool.
    warm_up_seconds: float | None = 0.0


#: A worker tells the master its evidence pool is rendered (data: its warm-up in seconds).
WARMED_MESSAGE = "rsim_warmed"
#: A master that has heard from no worker after this long starts its clock anyway (a lost worker
#: must not hold the run at its start for ever).
MAX_WORKER_WARM_UP_SECONDS = 600.0
#: Warm-up seconds each worker reported, by worker id (a master's view; goes into ``--slo-json``).
_WORKER_WARM_UPS: dict[str, float] = {}


_SETUP = _Setup()


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    group = parser.add_argument_group("rsim", "Reactivation journeys (see loadtests/locustfile.py)")
    group.add_argument("--targets", env_var="RSIM_TARGETS", default="",
                       help="JSON file of the parties' URLs, or inline "
                            "wultra=URL,bank=URL,sms-gateway=URL,biometry=URL")
    group.add_argument("--persona-mix", env_var="RSIM_PERSONA_MIX", default=DEFAULT_MIX,
                       help="Persona weights, e.g. honest-id-card=8,impostor=1,otp-typo=1")
    group.add_argument("--shape", env_var="RSIM_SHAPE", default="steady", choices=SHAPES,
                       help="Load over time; peak users/spawn rate/duration from -u/-r/-t")
    group.add_argument("--seed-pool", env_var="RSIM_SEED_POOL", type=int, default=10,
                       help="Distinct clients per persona (their evidence is rendered once and reused)")
    group.add_argument("--warm-up", env_var="RSIM_WARM_UP", default="on", choices=("on", "off"),
                       help="Render the pool's evidence before the users start")
    group.add_argument("--sms-seconds", env_var="RSIM_SMS_SECONDS", default="0.05",
                       help="SMS latency per hop set on our gateway per session, "
                            "or 'carrier' to keep its own")
    group.add_argument("--think-time", env_var="RSIM_THINK_TIME", type=float, default=0.0,
                       help="Seconds a user waits between journeys")
    group.add_argument("--slo-success", env_var="RSIM_SLO_SUCCESS", type=float, default=0.99,
                       help="Minimum ratio of journeys that end as the persona must")
    group.add_argument("--slo-p95-journey-ms", env_var="RSIM_SLO_P95_JOURNEY_MS", type=float, default=2000.0)
    group.add_argument("--slo-p95-step-ms", env_var="RSIM_SLO_P95_STEP_MS", type=float, default=1000.0)
    group.add_argument("--slo-error-ratio", env_var="RSIM_SLO_ERROR_RATIO", type=float, default=0.01,
                       help="Maximum ratio of steps that failed unexpectedly")
    group.add_argument("--slo-junit", env_var="RSIM_SLO_JUNIT", default="",
                       help="Write the gates as JUnit XML here")
    group.add_argument("--slo-json", env_var="RSIM_SLO_JSON", default="",
                       help="Write the verdict as JSON here")


def _driver_settings(options: Namespace) -> tuple[TargetsSpec, DriverSettings]:
    if not options.targets:
        raise TargetsError("no targets: pass --targets FILE|PARTY=URL,... or set RSIM_TARGETS")
    sms = None if str(options.sms_seconds).strip().lower() == "carrier" else float(options.sms_seconds)
    settings = DriverSettings(parse_mix(options.persona_mix), options.seed_pool, sms)
    return load_targets(options.targets), settings


def _thresholds(options: Namespace) -> SloThresholds:
    return SloThresholds(options.slo_success, options.slo_p95_journey_ms, options.slo_p95_step_ms,
                         options.slo_error_ratio)


@events.init.add_listener
def _check_options(environment: Environment, **_kwargs: Any) -> None:
    """Refuse bad options at start, with a clear message, rather than as errors of every user."""
    options = environment.parsed_options
    if options is None or isinstance(environment.runner, WorkerRunner):
        return  # a worker gets its options from the master at spawn time
    try:
        _driver_settings(options)
        _thresholds(options)
        ShapeParams(max(1, options.num_users or 1), options.spawn_rate or 1.0, float(options.run_time or 0))
    except (TargetsError, MixError, ShapeError, ValueError) as exc:
        sys.stderr.write(f"rsim load: {exc}\n")
        sys.exit(2)
    if isinstance(environment.runner, MasterRunner):
        environment.events.worker_report.add_listener(_count_worker_journeys)
        environment.runner.register_message(WARMED_MESSAGE, _worker_warmed)


def _worker_warmed(environment: Environment, msg: Any, **_kwargs: Any) -> None:
    """Master: a worker's pool is rendered; once every connected worker's is, the shape's clock runs."""
    data = msg.data if isinstance(msg.data, dict) else {}
    _WORKER_WARM_UPS[str(msg.node_id)] = float(data.get("seconds", 0.0))
    runner, shape = environment.runner, environment.shape_class
    if _SETUP.warm_up_seconds is None and len(_WORKER_WARM_UPS) >= max(1, runner.worker_count):
        _SETUP.warm_up_seconds = shape.get_run_time() if shape is not None else 0.0
        log.info("rsim: every worker's evidence rendered after %.1f s; the load profile starts",
                 _SETUP.warm_up_seconds)


def _count_worker_journeys(client_id: str, data: dict[str, Any]) -> None:
    for entry in data.get("stats", []):
        if entry.get("method") == JOURNEY:
            _WORKER_JOURNEYS[client_id] += int(entry.get("num_requests", 0))


@events.test_start.add_listener
def _prepare(environment: Environment, **_kwargs: Any) -> None:
    """Parse the (possibly master-sent) options; warm the evidence pool off the event loop.

    Distributed, the workers render their pools when the master first asks them for users; the
    master's shape holds at its start until every worker has said it is done (``WARMED_MESSAGE``),
    so a distributed ``--run-time`` is load, not warm-up, as a local one is.
    """
    if environment.parsed_options is None:
        return
    if isinstance(environment.runner, MasterRunner):
        _WORKER_WARM_UPS.clear()
        _SETUP.warm_up_seconds = None if environment.parsed_options.warm_up == "on" else 0.0
        return
    _SETUP.spec, _SETUP.settings = _driver_settings(environment.parsed_options)
    started = time.monotonic()
    if environment.parsed_options.warm_up == "on":
        driver = JourneyDriver(_SETUP.spec, _SETUP.settings, lambda *_: None)
        _SETUP.warm_up_seconds = None
        try:
            # A native thread, so heartbeats to the master go on while the evidence renders.
            count = gevent.get_hub().threadpool.spawn(driver.warm).get()
        finally:
            _SETUP.warm_up_seconds = time.monotonic() - started
        log.info("rsim: evidence of %d clients rendered before the run", count)
    if isinstance(environment.runner, WorkerRunner):
        environment.runner.send_message(WARMED_MESSAGE, {"seconds": time.monotonic() - started})


def _stats_entries(environment: Environment) -> list[EntryStats]:
    return [EntryStats(e.method or "", e.name, e.num_requests, e.num_failures, dict(e.response_times))
            for e in environment.stats.entries.values()]


@events.quitting.add_listener
def _verdict(environment: Environment, **_kwargs: Any) -> None:
    """Evaluate the SLO gates once, where the whole run's statistics are (master or local)."""
    if isinstance(environment.runner, WorkerRunner) or environment.parsed_options is None:
        return
    options = environment.parsed_options
    entries = _stats_entries(environment)
    verdict: SloVerdict = evaluate(entries, _thresholds(options))
    for line in verdict.lines():
        print(line)
    sys.stdout.flush()
    environment.process_exit_code = verdict.exit_code
    if options.slo_junit:
        verdict.write_junit(Path(options.slo_junit))
    if options.slo_json:
        data = verdict.to_json()
        data["workers"] = dict(_WORKER_JOURNEYS)
        if isinstance(environment.runner, MasterRunner):
            data["warm_up"] = {"workers": dict(_WORKER_WARM_UPS), "held_seconds": _SETUP.warm_up_seconds}
        data["stats"] = [entry.to_json() for entry in sorted(entries, key=lambda e: (e.method, e.name))]
        path = Path(options.slo_json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")


class JourneyShape(LoadTestShape):
    """The ``--shape`` profile, with the run's -u (peak users), -r and -t (duration)."""

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        runner = self.runner
        options = runner.environment.parsed_options if runner is not None else None
        if options is None:
            return None
        params = ShapeParams(max(1, options.num_users or 1), options.spawn_rate or 1.0,
                             float(options.run_time or 0))
        # The evidence warm-up (this process's, or every worker's as they report it) is not part of
        # the load: the profile holds at its start until it is done.
        warm_up = _SETUP.warm_up_seconds
        if warm_up is None and isinstance(runner, MasterRunner) \
                and self.get_run_time() > MAX_WORKER_WARM_UP_SECONDS:
            log.warning("rsim: no word from every worker's warm-up after %.0f s; the load profile starts",
                        MAX_WORKER_WARM_UP_SECONDS)
            warm_up = _SETUP.warm_up_seconds = self.get_run_time()
        elapsed = 0.0 if warm_up is None else max(0.0, self.get_run_time() - warm_up)
        return profile(options.shape, params, elapsed)


class JourneyUser(User):
    """A client of the bank coming to the app: one whole reactivation journey after another."""

    def wait_time(self) -> float:
        options = self.environment.parsed_options
        return float(options.think_time) if options is not None else 0.0

    def on_start(self) -> None:
        if _SETUP.spec is None or _SETUP.settings is None:
            _SETUP.spec, _SETUP.settings = _driver_settings(self.environment.parsed_options)
        self.driver = JourneyDriver(_SETUP.spec, _SETUP.settings, self._report, random.Random())

    def on_stop(self) -> None:
        self.driver.close()

    def _report(self, request_type: str, name: str, ms: float, error: BaseException | None) -> None:
        self.environment.events.request.fire(request_type=request_type, name=name, response_time=ms,
                                             response_length=0, exception=error, context={})

    @task
    def journey(self) -> None:
        self.driver.run_one()
