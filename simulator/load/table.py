"""The end of ``rsim load`` on the terminal: per-step and per-journey tables and the SLO verdict.

Everything is read from the verdict JSON the locustfile writes at the end of the run (the same
statistics snapshot the gates were computed from), so the tables and the verdict always agree.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["journeys_table", "print_summary", "queueing_note", "steps_table"]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _rows(verdict: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [row for row in verdict.get("stats", []) if row.get("type") == kind]


def steps_table(verdict: dict[str, Any]) -> Table:
    table = Table(title="Steps (unexpected failures only: a persona stopped where it must is a pass)")
    for column, justify in (("step", "left"), ("runs", "right"), ("failed", "right"), ("p50 ms", "right"),
                            ("p95 ms", "right"), ("p99 ms", "right"), ("max ms", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in _rows(verdict, "STEP"):
        failed = row["failures"]
        table.add_row(row["name"], str(row["requests"]), f"[red]{failed}[/]" if failed else "0",
                      _ms(row["p50"]), _ms(row["p95"]), _ms(row["p99"]), _ms(row["max"]))
    return table


def journeys_table(verdict: dict[str, Any]) -> Table:
    table = Table(title="Journeys per persona (success = ended as the persona must)")
    for column, justify in (("persona", "left"), ("journeys", "right"), ("not as expected", "right"),
                            ("p50 ms", "right"), ("p95 ms", "right"), ("max ms", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in _rows(verdict, "JOURNEY"):
        failed = row["failures"]
        table.add_row(row["name"], str(row["requests"]), f"[red]{failed}[/]" if failed else "0",
                      _ms(row["p50"]), _ms(row["p95"]), _ms(row["max"]))
    return table


def queueing_note(verdict: dict[str, Any], seconds: float, users: int, think_time: float) -> str | None:
    """Why the p95 journey gate failed, when the arithmetic of a closed loop already says so.

    ``users`` users, each starting a journey ``think_time`` s after the last, completing X journeys/s
    spend on average ``users / X - think_time`` s per journey (Little's law): once that mean is near
    the limit, the p95 cannot be under it however fast each step is.
    """
    gate = next((g for g in verdict.get("gates", []) if g.get("name") == "p95 journey time"), None)
    journeys = int(verdict.get("journeys", 0))
    if gate is None or gate["passed"] or not journeys or seconds <= 0:
        return None
    rate = journeys / seconds
    mean_s = users / rate - think_time
    limit_s = float(gate["threshold"]) / 1000
    if mean_s < 0.8 * limit_s:
        return None  # not queueing alone: some step is slow
    fits = int(rate * (limit_s + think_time))
    return (f"note: {users} users with {think_time:g} s think time at {rate:.2f} journeys/s spend "
            f"{users} / {rate:.2f} - {think_time:g} = {mean_s:.2f} s per journey on average (Little's law), "
            f"against a p95 limit of {limit_s:g} s: at this rate more than {fits} users put even the "
            f"mean over it (lower --users or add --think-time)")


def print_summary(console: Console, verdict: dict[str, Any], seconds: float | None = None, *,
                  users: int | None = None, think_time: float = 0.0) -> None:
    """Both tables, one line per gate, and the overall verdict (with :func:`queueing_note` when a
    steady run of ``users`` users failed the journey-time gate by arithmetic)."""
    console.print(steps_table(verdict))
    console.print(journeys_table(verdict))
    journeys = int(verdict.get("journeys", 0))
    if seconds:
        console.print(f"{journeys} journeys in {seconds:.0f} s of load = {journeys / seconds:.2f} journeys/s")
    workers = verdict.get("workers") or {}
    if workers:
        listing = ", ".join(f"{worker[:12]}={n}" for worker, n in sorted(workers.items()))
        console.print(f"journeys per worker: {listing}")
    gates = verdict.get("gates", [])
    for gate in gates:
        mark = "[green]PASS[/]" if gate["passed"] else "[red]FAIL[/]"
        console.print(f"  {mark}  {gate['name']}: {gate['detail']}", highlight=False)
    passed = sum(bool(g["passed"]) for g in gates)
    word = "[bold green]PASS[/]" if verdict.get("passed") else "[bold red]FAIL[/]"
    console.print(f"SLO verdict: {word} ({passed}/{len(gates)} gates passed, {journeys} journeys)")
    note = queueing_note(verdict, seconds, users, think_time) if seconds and users else None
    if note:
        console.print(note, highlight=False)
