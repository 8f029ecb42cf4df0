"""Application factory of the bank mock (default ``http://127.0.0.1:8090``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from mocks.framework import DEFAULT_SESSION, MockConfig, MockRuntime, PartySpec, create_mock_app

from .exceptions import ENVELOPE
from .registry import generate_clients
from .settings import SETTINGS_KEY, BankSettings
from .urls import adapter_blueprint, admin_blueprint, alerts_blueprint

__all__ = ["DEFAULT_PORT", "PARTY_NAME", "create_app"]

PARTY_NAME = "bank"
DEFAULT_PORT = 8090


def _setup(settings: BankSettings) -> Any:
    def setup(app: Flask, runtime: MockRuntime) -> None:
        app.extensions[SETTINGS_KEY] = settings
        population = settings.clients
        if population is None:
            return

        def load(session: str | None) -> None:
            if session is None or session == DEFAULT_SESSION:
                generate_clients(population.seed, population.count, start=population.start,
                                 locale=population.locale, s=runtime.store.bind(DEFAULT_SESSION))

        load(None)
        runtime.add_reset_hook(load)

    return setup


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """A fresh bank app; bank settings come from ``config.extra`` (see :mod:`.settings`)."""
    cfg = MockConfig.coerce(config)
    settings = BankSettings.from_extra(cfg.extra)
    party = PartySpec(name=PARTY_NAME, envelope=ENVELOPE,
                      blueprints=(adapter_blueprint(), alerts_blueprint(), admin_blueprint()),
                      setup=_setup(settings), import_name=__name__)
    return create_mock_app(party, cfg)
