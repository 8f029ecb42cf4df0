"""Running the locust suite headless, as child processes of locust's own CLI.

Why child processes rather than locust's ``Environment`` in this process: importing locust
monkey-patches the standard library for gevent, which would change every other thread in the calling
process - and ``rsim load`` serves the embedded stack from threads of its own process.  A child
process also has its own GIL, so on a small machine the load generator and the parties each get a
core.  Locust's CLI is the supported way to get its CSV, HTML report and master/worker mode, so the
files written here are exactly what a performance engineer gets by running locust by hand.

Files in the output folder: ``load_stats.csv`` (and locust's other CSVs), ``report.html``,
``slo-junit.xml``, ``slo.json`` (the verdict, and journeys per worker in a distributed run),
``targets.json`` (what was loaded) and ``locust.log`` (locust's own output).
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import loadtests
from loadtests.mix import DEFAULT_MIX
from loadtests.slo import SloThresholds
from loadtests.targets import TargetsSpec

__all__ = ["LOCUSTFILE", "LoadError", "LoadPlan", "LoadResult", "free_port", "locust_command", "run_load"]

LOCUSTFILE = Path(loadtests.__file__).resolve().parent / "locustfile.py"
REPO_ROOT = LOCUSTFILE.parent.parent
CSV_PREFIX = "load"

Role = Literal["local", "master", "worker"]


class LoadError(RuntimeError):
    """The load run could not be carried out (locust missing, crashed, or wrote no results)."""


@dataclass(frozen=True)
class LoadPlan:
    """Everything a headless run needs besides the targets."""

    users: int = 50
    spawn_rate: float = 10.0
    run_time: str = "60s"
    shape: str = "steady"
    persona_mix: str = DEFAULT_MIX
    seed_pool: int = 10
    warm_up: bool = True
    sms_seconds: str = "0.05"
    think_time: float = 0.0
    thresholds: SloThresholds = field(default_factory=SloThresholds)
    out: Path = Path("build/load")

    @property
    def junit(self) -> Path:
        return self.out / "slo-junit.xml"

    @property
    def verdict_json(self) -> Path:
        return self.out / "slo.json"

    @property
    def stats_csv(self) -> Path:
        return self.out / f"{CSV_PREFIX}_stats.csv"

    @property
    def html(self) -> Path:
        return self.out / "report.html"


@dataclass(frozen=True)
class LoadResult:
    """How the run ended: locust's exit code (the gates'), the verdict and the stats rows."""

    exit_code: int
    verdict: dict[str, Any]
    stats: list[dict[str, str]]
    plan: LoadPlan


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def write_targets(spec: TargetsSpec, path: Path) -> Path:
    """The targets as the locustfile reads them (a file, so an admin token is not on a command line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
        out.write(json.dumps(spec.to_json(), indent=2))
    return path


def locust_command(plan: LoadPlan, targets_file: Path | None, *, role: Role = "local",
                   master_port: int | None = None, expect_workers: int = 0) -> list[str]:
    """The locust CLI invocation for one process of the run."""
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
    if role == "worker":
        command += ["--worker", "--master-host", "127.0.0.1"]
        if master_port is not None:
            command += ["--master-port", str(master_port)]
        return command
    limits = plan.thresholds
    command += [
        "--headless", "-u", str(plan.users), "-r", f"{plan.spawn_rate:g}", "-t", plan.run_time,
        "--targets", str(targets_file), "--persona-mix", plan.persona_mix, "--shape", plan.shape,
        "--seed-pool", str(plan.seed_pool), "--warm-up", "on" if plan.warm_up else "off",
        "--sms-seconds", plan.sms_seconds, "--think-time", f"{plan.think_time:g}",
        "--slo-success", f"{limits.min_journey_success:g}",
        "--slo-p95-journey-ms", f"{limits.max_p95_journey_ms:g}",
        "--slo-p95-step-ms", f"{limits.max_p95_step_ms:g}",
        "--slo-error-ratio", f"{limits.max_error_ratio:g}",
        "--slo-junit", str(plan.junit), "--slo-json", str(plan.verdict_json),
        "--csv", str(plan.out / CSV_PREFIX), "--html", str(plan.html),
        "--only-summary", "--stop-timeout", "30",
    ]
    if role == "master":
        command += ["--master", "--expect-workers", str(max(1, expect_workers))]
        if master_port is not None:
            command += ["--master-bind-port", str(master_port)]
    return command


def read_stats(path: Path) -> list[dict[str, str]]:
    """Rows of locust's ``*_stats.csv`` (empty when the run wrote none)."""
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run_load(plan: LoadPlan, spec: TargetsSpec, *, workers: int = 0,
             timeout: float | None = None) -> LoadResult:
    """Run locust headless (locally, or as a master with ``workers`` local worker processes) to the end.

    A relative ``plan.out`` is taken from the caller's working directory: locust runs in the project's
    root (where it imports the suite from), so it is handed absolute paths only.
    """
    plan = replace(plan, out=plan.out.resolve())
    plan.out.mkdir(parents=True, exist_ok=True)
    for stale in (plan.verdict_json, plan.junit, plan.stats_csv):
        stale.unlink(missing_ok=True)
    targets_file = write_targets(spec, plan.out / "targets.json")
    port = free_port() if workers else None
    role: Role = "master" if workers else "local"
    log_path = plan.out / "locust.log"
    children: list[subprocess.Popen[bytes]] = []
    with log_path.open("wb") as log:
        try:
            main = subprocess.Popen(locust_command(plan, targets_file, role=role, master_port=port,
                                                   expect_workers=workers),
                                    cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
            children.append(main)
            for index in range(workers):
                worker_log = (plan.out / f"locust-worker-{index + 1}.log").open("wb")
                children.append(subprocess.Popen(locust_command(plan, None, role="worker", master_port=port),
                                                 cwd=REPO_ROOT, stdout=worker_log, stderr=subprocess.STDOUT))
                worker_log.close()
            code = main.wait(timeout=timeout)
            for worker in children[1:]:
                worker.wait(timeout=30)
        except subprocess.TimeoutExpired as exc:
            raise LoadError(f"locust did not finish within {timeout:g} s (see {log_path})") from exc
        except OSError as exc:
            raise LoadError(f"could not start locust: {exc}") from exc
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    if not plan.verdict_json.is_file():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise LoadError(f"locust exited with {code} without a verdict; end of {log_path}:\n{tail}")
    verdict = json.loads(plan.verdict_json.read_text(encoding="utf-8"))
    return LoadResult(code, verdict, read_stats(plan.stats_csv), plan)
