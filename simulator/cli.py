"""The ``rsim`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from simulator.device.cli import device_group
from simulator.offline_journey import OfflineRun, StepResult, run_offline_journey


@click.group()
@click.version_option(package_name="reactivation-simulator")
def main() -> None:
    """Reactivation Simulator: PowerAuth reactivation with biometry online, end to end."""


def _steps_table(run: OfflineRun) -> Table:
    table = Table(
        title=f"Reactivation of {run.person.given_names} {run.person.family_name} (seed {run.seed})"
    )
    table.add_column("#", justify="right")
    table.add_column("step")
    table.add_column("parties")
    table.add_column("result")
    table.add_column("ms", justify="right")
    table.add_column("detail")
    for s in run.steps:
        table.add_row(
            str(s.number),
            s.name,
            s.parties,
            "[green]OK[/]" if s.ok else "[red]FAILED[/]",
            f"{s.ms:.1f}",
            s.detail,
        )
    return table


@main.command()
@click.option("--seed", default=1, show_default=True, help="Seed of the synthetic person and the run.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the run as JSON."
)
def demo(seed: int, json_path: Path | None) -> None:
    """Run one whole reactivation (11 steps) for an honest user with a passport chip.

    The steps run in one process with the parties' real computations (ECIES, status blob, document
    reading from pixels, BAC and passive authentication, liveness, face matching, signatures).
    """
    console = Console()

    def show(result: StepResult) -> None:
        mark = "[green]✔[/]" if result.ok else "[red]✘[/]"
        console.print(f"{mark} step {result.number:>2}  {result.name}  [dim]{result.ms:.0f} ms[/]")

    with console.status("running the reactivation…"):
        run = run_offline_journey(seed=seed, on_step=show)
    console.print(_steps_table(run))
    if json_path is not None:
        json_path.write_text(json.dumps(run.to_json(), indent=2) + "\n", encoding="utf-8")
    if run.ok:
        console.print(f"[bold green]reactivated[/]: new activation {run.activation_id}")
        return
    failed = next((s for s in run.steps if not s.ok), None)
    where = f"step {failed.number} ({failed.name}): {failed.detail}" if failed else "incomplete run"
    console.print(f"[bold red]reactivation failed[/] at {where}")
    sys.exit(1)


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=1, show_default=True, help="Seed of the synthetic people.")
@click.option("--count", default=3, show_default=True, type=click.IntRange(1, 10_000))
def samples(out_dir: Path, seed: int, count: int) -> None:
    """Write COUNT synthetic people with document photos, MRZ, chip files, portrait and selfie."""
    from simulator.identity.samples import write_samples

    people = write_samples(out_dir, seed, count)
    for person in people:
        click.echo(f"{out_dir / person.client_number}  {person.given_names} {person.family_name}")
    click.echo(f"{out_dir / 'trust' / 'csca.pem'}  trusted country signing certificates")


main.add_command(device_group)


if __name__ == "__main__":
    main()
