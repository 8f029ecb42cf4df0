"""One embedded stack for a whole suite run, shared by every pytest-xdist worker.

``rsim bdd`` starts the parties that no target names in its own process (threads on loopback) and
hands their URLs to the pytest run as ``RSIM_*_URL`` with ``RSIM_ADMIN_PARTIES`` naming them, so
every worker's scenarios run in parallel against the same parties - each in its own
``X-Sim-Session``, which is what keeps them apart, as against a real deployment.  The parties' log
lines go to one file (``RSIM_BDD_PARTY_LOG``) that the scenarios read for rules about secrets in
logs (RX-03), since the workers cannot capture another process's logging.

Plain ``pytest features`` (no ``rsim bdd``) starts a stack per pytest process instead
(``features/conftest.py``): no process outlives the run and nothing is shared between workers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator.stack import Stack, StackSettings

from .targets import ADMIN_PARTIES_VAR, ENV_VARS, PARTY_NAMES, TargetsConfig

__all__ = ["PARTY_LOG_VAR", "shared_stack", "suite_stack_settings"]

PARTY_LOG_VAR = "RSIM_BDD_PARTY_LOG"
SUITE_SEED = 7
#: The Wultra mock takes document photos of several MB in one request, as the real deployment does.
WULTRA_MAX_REQUEST_BYTES = 8 * 1024 * 1024


def suite_stack_settings(config: TargetsConfig) -> StackSettings:
    """The embedded parties of a suite run: every party ``config`` does not name, on free ports."""
    return StackSettings(free_ports=True, seed=SUITE_SEED, external=dict(config.external),
                         admin_token=config.admin_token,
                         extra={"wultra": {"max_request_bytes": WULTRA_MAX_REQUEST_BYTES}})


@contextmanager
def shared_stack(config: TargetsConfig, party_log: Path) -> Iterator[dict[str, str]]:
    """Start the embedded parties; yield the environment that points a pytest run at them."""
    embedded = [name for name in PARTY_NAMES if name not in config.external]
    if not embedded:
        yield {}
        return
    handler = logging.FileHandler(party_log, mode="w", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with Stack(suite_stack_settings(config)) as stack:
            env = {ENV_VARS[name]: stack.urls[name] for name in embedded}
            env[ADMIN_PARTIES_VAR] = ",".join(sorted(set(embedded) | set(config.admin_parties)))
            env[PARTY_LOG_VAR] = str(party_log)
            yield env
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
        handler.close()
