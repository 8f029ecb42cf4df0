"""Application factory of the SMS gateway mock (default ``http://127.0.0.1:8091``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from mocks.framework import MockConfig, PartySpec, create_mock_app
from mocks.framework.app import JOURNAL_SECRETS_CONFIG_KEY
from mocks.framework.runtime import MockRuntime

from .exceptions import ENVELOPE
from .urls import admin_blueprint, api_blueprint

__all__ = ["DEFAULT_PORT", "PARTY_NAME", "create_app"]

PARTY_NAME = "sms-gateway"
DEFAULT_PORT = 8091


def _setup(app: Flask, _runtime: MockRuntime) -> None:
    # A message's text carries the OTP: the handset shows it, the gateway's journal does not.
    app.config[JOURNAL_SECRETS_CONFIG_KEY] = ("body",)


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """A fresh SMS gateway app; ``config.extra`` may set ``account_sid`` and ``auth_token``."""
    party = PartySpec(name=PARTY_NAME, envelope=ENVELOPE, blueprints=(api_blueprint(), admin_blueprint()),
                      setup=_setup, import_name=__name__)
    return create_mock_app(party, config)
