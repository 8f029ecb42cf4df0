"""``rsim device …``: a virtual phone pointed at any Enrollment Server."""

from __future__ import annotations

import click


@click.group(name="device")
def device_group() -> None:
    """A virtual phone with the PowerAuth mobile SDK, pointed at an Enrollment Server by URL."""
