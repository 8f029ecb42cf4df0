"""``rsim load``: options checked up front, and a short headless run on the embedded stack that prints
the tables and the verdict, writes CSV, HTML and JUnit, and exits with the gates' code."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import click
import pytest
from click.testing import CliRunner

from simulator.load.command import load_command, parse_run_time


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("60s", 60), ("1m30s", 90), ("2h", 7200)])
def test_run_time_forms(text: str, seconds: int) -> None:
    assert parse_run_time(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "1x", "m", "5 minutes"])
def test_bad_run_time_is_refused(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_run_time(text)


@pytest.mark.parametrize(("args", "message"), [
    (["--persona-mix", "nobody=1"], "unknown persona"),
    (["--target", "bank"], "expected PARTY=URL"),
    (["--target", "mainframe=http://x"], "expected PARTY=URL"),
    (["--sms-seconds", "soon"], "'carrier'"),
    (["--stack-server", "threaded", "--stack-workers", "2"], "need --stack-server production"),
])
def test_bad_options_are_refused_before_anything_starts(args: list[str], message: str,
                                                        tmp_path: Path) -> None:
    result = CliRunner().invoke(load_command, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "locust.log").exists()


def test_short_run_prints_tables_and_verdict_and_writes_reports(tmp_path: Path) -> None:
    result = CliRunner().invoke(load_command, [
        "--users", "2", "--spawn-rate", "2", "--run-time", "5s", "--seed-pool", "1",
        "--persona-mix", "honest-id-card=1,otp-always-wrong=1", "--slo-p95-journey-ms", "60000",
        "--slo-p95-step-ms", "30000", "--out", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "SLO verdict: PASS" in result.output
    assert "08 OTP verified, activation code issued" in result.output
    assert "honest-id-card" in result.output
    for name in ("load_stats.csv", "report.html", "slo.json", "targets.json"):
        assert (tmp_path / name).is_file(), name
    cases = ET.parse(tmp_path / "slo-junit.xml").getroot().iter("testcase")
    assert {c.get("name") for c in cases} >= {"journey success ratio", "p95 journey time", "error ratio"}
