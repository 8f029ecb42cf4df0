"""The ``rsim`` command line."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

import click
from rich.console import Console

from mocks.framework.sessions import DEFAULT_IDLE_TIMEOUT, MAX_IDLE_TIMEOUT
from simulator.bdd.command import bdd_command
from simulator.demo import run_demo, steps_table
from simulator.device.cli import device_group
from simulator.journey.personas import PERSONAS, persona
from simulator.journey.world import ArrangeError
from simulator.load.command import load_command
from simulator.stack import PARTIES, SERVERS, Stack, StackError, StackSettings


@click.group()
@click.version_option(package_name="reactivation-simulator")
def main() -> None:
    """Reactivation Simulator: PowerAuth reactivation with biometry online, end to end."""


_PERSONA_NAMES = [p.name for p in PERSONAS]


@main.command()
@click.option("--persona", "persona_name", default="honest-id-card", show_default=True,
              type=click.Choice(_PERSONA_NAMES), help="Who the client is and how they behave.")
@click.option("--seed", default=1, show_default=True, help="Seed of the synthetic client and every mock.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the run as JSON."
)
def demo(persona_name: str, seed: int, json_path: Path | None) -> None:
    """Run one whole reactivation (11 steps) on an embedded stack.

    Every party (Wultra, bank, SMS gateway, biometry provider) is started on a free loopback port
    and reached over HTTP; a virtual phone with the persona runs the steps. Exits 0 when the client
    is reactivated, 1 otherwise, naming the failing step.
    """
    console = Console()
    try:
        run = run_demo(persona(persona_name), seed, console)
    except ArrangeError as exc:
        raise click.ClickException(str(exc)) from exc
    console.print(steps_table(run))
    if json_path is not None:
        json_path.write_text(json.dumps(run.to_json(), indent=2) + "\n", encoding="utf-8")
    if run.ok:
        console.print(f"[bold green]reactivated[/] in {run.ms / 1000:.1f} s: "
                      f"new activation {run.activation_id}")
        return
    failed = run.failed_step
    where = f"step {failed.number} ({failed.name}): {failed.detail}" if failed else "incomplete run"
    expectation = " - as this persona must" if run.as_expected else ""
    console.print(f"[bold red]not reactivated[/] at {where}{expectation}")
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


def _party_ports(values: tuple[str, ...]) -> dict[str, int]:
    ports: dict[str, int] = {}
    for value in values:
        name, sep, port = value.partition("=")
        if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise click.BadParameter(f"expected PARTY=PORT, got {value!r}", param_hint="--port")
        ports[name] = int(port)
    return ports


def _party_urls(values: tuple[str, ...]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not url:
            raise click.BadParameter(f"expected PARTY=URL, got {value!r}", param_hint="--external")
        urls[name] = url
    return urls


_PARTY_LIST = ", ".join(f"{p.name} ({p.default_port})" for p in PARTIES)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback needs --allow-remote and --admin-token.")
@click.option("--port", "ports", multiple=True, metavar="PARTY=PORT",
              help=f"Port of one party (repeatable). Parties and default ports: {_PARTY_LIST}.")
@click.option("--free-ports", is_flag=True, help="Bind every party to a free port the OS picks.")
@click.option("--external", "externals", multiple=True, metavar="PARTY=URL",
              help="Use a real system at URL instead of starting this party (repeatable).")
@click.option("--seed", type=int, help="Seed every mock, for reproducible keys, OTPs and faults.")
@click.option("--admin-token", envvar="RSIM_ADMIN_TOKEN", help="Token the /_admin/ APIs require.")
@click.option("--allow-remote", is_flag=True, help="Allow binding a non-loopback address.")
@click.option("--clients", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="Synthetic clients the bank knows from the start (the seed's people 0..N-1).")
@click.option("--server", "server", type=click.Choice(SERVERS), default="threaded", show_default=True,
              help="threaded: every party in a thread of this process (fast start); production: each "
                   "party in its own process under granian (keep-alive, uses every core); --workers > 1 "
                   "implies production.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Worker processes per party under a production server (granian); >1 shares state "
                   "in Redis.")
@click.option("--redis-url", envvar="RSIM_REDIS_URL",
              help="Redis for --workers > 1 (default: a private redis-server started for the run).")
@click.option("--session-idle-timeout", default=DEFAULT_IDLE_TIMEOUT, show_default=True,
              type=click.FloatRange(0, MAX_IDLE_TIMEOUT), metavar="SECONDS",
              help="Sweep an isolation session (X-Sim-Session) nobody used for this long; 0 = never.")
def serve(host: str, ports: tuple[str, ...], free_ports: bool, externals: tuple[str, ...], seed: int | None,
          admin_token: str | None, allow_remote: bool, clients: int, server: str, workers: int,
          redis_url: str | None, session_idle_timeout: float) -> None:
    """Run every party of the reactivation on its port until Ctrl-C.

    Prints one ready line: `rsim serve ready: NAME=URL ...`.
    """
    # The bank starts with a population of synthetic clients, so the stack is usable at once.
    population = {"bank": {"clients": {"seed": seed if seed is not None else 1, "count": clients}}}
    settings = StackSettings(host=host, ports=_party_ports(ports), free_ports=free_ports,
                             external=_party_urls(externals), seed=seed, admin_token=admin_token,
                             allow_remote=allow_remote, extra=population, workers=workers,
                             server="threaded" if server == "threaded" else "production",
                             redis_url=redis_url, session_idle_timeout=session_idle_timeout)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: stop.set())
    try:
        stack = Stack(settings).start()
    except (StackError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        listing = " ".join(f"{name}={url}" for name, url in stack.urls.items())
        click.echo(f"rsim serve ready: {listing}", nl=True)
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        stack.stop()
    click.echo("rsim serve stopped", err=True)


main.add_command(device_group)
main.add_command(bdd_command, name="bdd")
main.add_command(load_command, name="load")


if __name__ == "__main__":
    main()
