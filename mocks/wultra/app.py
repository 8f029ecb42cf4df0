"""Application factory of the Wultra mock (PowerAuth Server REST API under its Java context path)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from mocks.framework import MockConfig, PartySpec, create_mock_app

from .exceptions import ENVELOPE
from .urls import powerauth_server_blueprint

PARTY_NAME = "wultra"


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """The Wultra mock as a Flask app; serve it with :func:`mocks.framework.serve_in_thread`."""
    party = PartySpec(name=PARTY_NAME, envelope=ENVELOPE, blueprints=(powerauth_server_blueprint(),),
                      import_name=__name__)
    return create_mock_app(party, config)
