"""``rsim demo``: an embedded stack on free loopback ports, one journey, shown live in the terminal.

The demo owns its stack, so it shortens the SMS carrier's latency (one second from send to the
handset instead of three) through the gateway's admin API; everything else runs as configured.
"""

from __future__ import annotations

import requests
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from simulator.journey.events import STEPS, JourneyRun, StepEvent
from simulator.journey.personas import Persona
from simulator.journey.runner import run_journey
from simulator.journey.world import Targets
from simulator.stack import Stack, StackSettings

__all__ = ["run_demo", "steps_table"]

DEMO_SMS_LATENCY = {"sendSeconds": 0.3, "deliverSeconds": 0.7}


def _quick_carrier(sms_gateway_url: str, session: str) -> None:
    response = requests.put(f"{sms_gateway_url}/_admin/sms-faults", json=DEMO_SMS_LATENCY,
                            headers={"X-Sim-Session": session}, timeout=10)
    response.raise_for_status()


def steps_table(run: JourneyRun) -> Table:
    """The run as a table: result, timing, calls and what the phone saw, per step."""
    table = Table(title=f"Reactivation: persona {run.persona}, seed {run.seed}")
    for name, justify in (("#", "right"), ("step", "left"), ("parties", "left"), ("result", "left"),
                          ("ms", "right"), ("calls", "right"), ("detail", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for s in run.steps:
        result = "[green]OK[/]" if s.ok else "[red]FAILED[/]"
        table.add_row(str(s.number), s.name, ", ".join(s.parties), result, f"{s.ms:.0f}", str(len(s.calls)),
                      s.detail)
    return table


def run_demo(who: Persona, seed: int, console: Console) -> JourneyRun:
    """Start every party, run the persona's journey with a progress display, stop the parties."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.completed}/{task.total}"), console=console, transient=True)
    with progress:
        task = progress.add_task("starting the parties on loopback…", total=len(STEPS))

        def show(event: StepEvent) -> None:
            mark = "[green]✔[/]" if event.ok else "[red]✘[/]"
            progress.console.print(f"{mark} step {event.number:>2}  {event.name}  [dim]{event.ms:.0f} ms[/]")
            following = STEPS.get(event.number + 1)
            label = f"step {event.number + 1}: {following[0]}…" if following else "done"
            progress.update(task, advance=1, description=label)

        with Stack(StackSettings(free_ports=True, seed=seed)) as stack:
            session = f"demo-{who.name}-{seed}"
            _quick_carrier(stack.urls["sms-gateway"], session)
            progress.update(task, description=f"step 1: {STEPS[1][0]}…")
            return run_journey(Targets.from_urls(stack.urls), who, seed=seed, on_step=show, session=session)
