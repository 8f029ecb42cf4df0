"""``rsim bdd``: run the Gherkin conformance suite with its reports.

The parties no target names are started here, once, and every pytest-xdist worker's scenarios run
against them (:mod:`simulator.bdd.shared_stack`).  Runs ``pytest features`` in a child process (the
project's pytest settings apply) with JUnit XML
and cucumber JSON written into the artifacts folder, spread over ``-n`` xdist workers, optionally
narrowed by a pytest-bdd tag expression (``--tags "@smoke and not @slow"``).  Afterwards the HTML
conformance report is built from the per-scenario artifacts when the report module is installed.
The exit code is pytest's own (0 all passed, 1 failures, 5 nothing selected - a failure too).
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from .artifacts import ARTIFACTS_VAR, artifacts_dir
from .cucumber import write_cucumber_if_empty
from .shared_stack import shared_stack
from .targets import TARGETS_FILE_VAR, TargetsError, load_targets
from .traceability import FEATURES_DIR

__all__ = ["bdd_command", "build_html_report", "child_environ", "pytest_args", "tags_to_markers"]

PROJECT_ROOT = FEATURES_DIR.parent
_TAG = re.compile(r"@([A-Za-z0-9_.:+-]+)")
_ALLOWED = re.compile(r"^[A-Za-z0-9_.:+\-()\s]*$")


class TagExpressionError(click.BadParameter):
    """The tag expression uses something other than tags, and/or/not and parentheses."""


def tags_to_markers(expression: str) -> str:
    """A pytest-bdd tag expression (``@smoke and not @slow``) as a pytest ``-m`` expression."""
    markers = _TAG.sub(r"\1", expression.strip())
    if not markers or not _ALLOWED.fullmatch(markers):
        raise TagExpressionError(f"not a tag expression: {expression!r} "
                                 "(use @tags, and, or, not, parentheses)")
    return markers


def pytest_args(artifacts: Path, *, workers: str = "auto", tags: str | None = None,
                extra: Sequence[str] = ()) -> list[str]:
    """The pytest command line (after ``python -m pytest``) for one suite run."""
    args = [str(FEATURES_DIR), "-p", "no:cacheprovider", f"--junitxml={artifacts / 'junit.xml'}",
            f"--cucumber-json={artifacts / 'cucumber.json'}"]
    if workers not in ("0", ""):
        args += ["-n", workers]
    if tags:
        args += ["-m", tags_to_markers(tags)]
    return args + list(extra)


def build_html_report(artifacts: Path, out_html: Path) -> Any | None:
    """``reports.conformance.build_report(artifacts, out_html)`` if that module offers it, else None."""
    try:
        module = importlib.import_module("reports.conformance")
    except ImportError:
        return None
    build = getattr(module, "build_report", None)
    return build(artifacts, out_html) if callable(build) else None


def child_environ(environ: Mapping[str, str], artifacts: Path, targets_file: Path | None) -> dict[str, str]:
    """The suite's environment: the artifacts folder, and the targets file (``--targets`` over
    ``$RSIM_TARGETS``) as absolute paths - pytest runs in the project's root, not the caller's folder."""
    env = dict(environ)
    env[ARTIFACTS_VAR] = str(artifacts.resolve())
    named = targets_file
    if named is None and env.get(TARGETS_FILE_VAR, "").strip():
        named = Path(env[TARGETS_FILE_VAR].strip())
    if named is not None:
        env[TARGETS_FILE_VAR] = str(named.resolve())
    return env


def _run(args: list[str], env: Mapping[str, str]) -> int:
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=PROJECT_ROOT, env=dict(env))


@click.command("bdd", context_settings={"ignore_unknown_options": True})
@click.option("--tags", default=None,
              help='pytest-bdd tag expression, e.g. "@smoke" or "@RX-05 and not @slow".')
@click.option("-n", "--workers", default="auto", show_default=True,
              help="pytest-xdist workers: auto, a number, or 0 to run in one process.")
@click.option("--artifacts", "artifacts_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Folder for JUnit XML, cucumber JSON and scenario files [default: ${ARTIFACTS_VAR} "
                   "or build/bdd].")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the HTML conformance report goes [default: <artifacts>/report.html].")
@click.option("--targets", "targets_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="TOML file naming real parties by URL ([parties] bank = \"http://…\").")
@click.argument("pytest_extra", nargs=-1, type=click.UNPROCESSED)
def bdd_command(tags: str | None, workers: str, artifacts_path: Path | None, report_path: Path | None,
                targets_file: Path | None, pytest_extra: tuple[str, ...]) -> None:
    """Run the Gherkin conformance suite (features/) and write its reports.

    Any further arguments go to pytest unchanged (e.g. -x, -k name).
    """
    if workers != "auto" and not workers.isdigit():
        raise click.BadParameter("use auto or a number", param_hint="--workers")
    artifacts = (artifacts_path or artifacts_dir()).resolve()
    shutil.rmtree(artifacts / "scenarios", ignore_errors=True)  # a report is about this run only
    artifacts.mkdir(parents=True, exist_ok=True)
    env = child_environ(os.environ, artifacts, targets_file)
    try:
        targets = load_targets(env)
    except TargetsError as exc:
        raise click.UsageError(str(exc)) from exc
    with shared_stack(targets, artifacts / "parties.log") as stack_env:
        code = _run(pytest_args(artifacts, workers=workers, tags=tags, extra=pytest_extra),
                    {**env, **stack_env})
    out_html = (report_path or artifacts / "report.html").resolve()
    if (artifacts / "scenarios").is_dir():
        write_cucumber_if_empty(artifacts)
        summary = build_html_report(artifacts, out_html)
        if summary is not None:
            click.echo(f"conformance report: {out_html} - rules passing "
                       f"{getattr(summary, 'rules_passing', '?')}/{getattr(summary, 'rules_total', '?')}")
    click.echo(f"JUnit XML: {artifacts / 'junit.xml'}; cucumber JSON: {artifacts / 'cucumber.json'}")
    sys.exit(code)
