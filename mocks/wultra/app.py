"""Application factory of the Wultra mock: three servers under their own context paths, one app.

* PowerAuth Server REST API - ``/powerauth-java-server/rest/v3/...`` (:mod:`.powerauth_server`)
* Enrollment Server device API - ``/enrollment-server/pa/v3/...`` (:mod:`.enrollment`)
* Onboarding Server - ``/enrollment-server-onboarding/api/...`` (:mod:`.onboarding`)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from mocks.framework import MockConfig, PartySpec, create_mock_app

from .enrollment.exceptions import ENVELOPE as ENROLLMENT_ENVELOPE
from .enrollment.urls import CONTEXT_PATH as ENROLLMENT_PATH
from .enrollment.urls import enrollment_blueprint
from .envelope import by_context_path
from .onboarding.exceptions import ENVELOPE as ONBOARDING_ENVELOPE
from .onboarding.urls import CONTEXT_PATH as ONBOARDING_PATH
from .onboarding.urls import onboarding_blueprint
from .powerauth_server.exceptions import ENVELOPE as POWERAUTH_ENVELOPE
from .powerauth_server.urls import powerauth_server_blueprint

PARTY_NAME = "wultra"


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """The Wultra mock as a Flask app; serve it with :func:`mocks.framework.serve_in_thread`."""
    envelope = by_context_path(
        {ENROLLMENT_PATH: ENROLLMENT_ENVELOPE, ONBOARDING_PATH: ONBOARDING_ENVELOPE},
        default=POWERAUTH_ENVELOPE,
    )
    party = PartySpec(
        name=PARTY_NAME,
        envelope=envelope,
        blueprints=(powerauth_server_blueprint(), enrollment_blueprint(), onboarding_blueprint()),
        import_name=__name__,
    )
    return create_mock_app(party, config)
