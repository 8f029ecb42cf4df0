"""Application factory of the biometry provider mock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from mocks.framework import MockConfig, PartySpec, create_mock_app

from .documents.urls import documents_blueprint
from .exceptions import ENVELOPE
from .face.urls import face_blueprint
from .settings import MAX_REQUEST_BYTES

PARTY_NAME = "biometry"


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """The biometry mock; the body limit defaults to 4 MiB so a 2 MB trusted image fits."""
    if config is None or not isinstance(config, MockConfig):
        config = {"max_request_bytes": MAX_REQUEST_BYTES, **dict(config or {})}
    party = PartySpec(name=PARTY_NAME, envelope=ENVELOPE,
                      blueprints=(face_blueprint(), documents_blueprint()), import_name=__name__)
    return create_mock_app(party, config)
