"""Activation type CUSTOM: identity attributes resolved to a user by a pluggable provider.

The real Enrollment Server hands CUSTOM identity attributes (e.g. ``{"username", "password"}``) to
the bank's ``CustomActivationProvider``; here a provider is registered per app (the Onboarding Server
registers one, a test may register its own).  Without one, every CUSTOM activation is refused with
``ERR_ACTIVATION``, as a server without a provider would.  A resolved user gets a direct activation
(``activation/create``), committed at once when the provider says so (the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from mocks.wultra.powerauth_server import activations
from simulator.powerauth.activation import ActivationLayer1Request

from .exceptions import ActivationFailedError

EXTENSION_KEY = "wultra.custom_activation_provider"
Record = dict[str, Any]


class CustomActivationProvider:
    """Override :meth:`lookup_user_id`; the other hooks have sensible defaults."""

    def lookup_user_id(
        self,
        identity_attributes: Mapping[str, Any],
        custom_attributes: Mapping[str, Any],
        application_id: str,
    ) -> str | None:
        """The user the attributes identify, or ``None`` to refuse the activation."""
        return None

    def should_auto_commit(self, user_id: str, identity_attributes: Mapping[str, Any]) -> bool:
        """Commit right after the key exchange (no front-end confirmation)."""
        return True

    def max_failed_attempts(self, user_id: str) -> int | None:
        """A per-user limit of failed signatures, or ``None`` for the server default."""
        return None

    def activation_created(
        self, activation: Mapping[str, Any], identity_attributes: Mapping[str, Any]
    ) -> None:
        """Called after the activation exists (and is committed, when auto-commit is on)."""


class RefusingProvider(CustomActivationProvider):
    """The default: no custom activation is known."""


def register_provider(app: Flask, provider: CustomActivationProvider) -> None:
    """Install ``provider`` for CUSTOM activations of ``app`` (replacing any earlier one)."""
    app.extensions[EXTENSION_KEY] = provider


def current_provider() -> CustomActivationProvider:
    """The provider of the app handling the request (the refusing default when none is set)."""
    provider = current_app.extensions.get(EXTENSION_KEY)
    return provider if isinstance(provider, CustomActivationProvider) else RefusingProvider()


def create(
    *, application_id: str, layer1: ActivationLayer1Request, layer2_fields: Record, version: str
) -> tuple[Record, Record]:
    """Resolve the user, create (and maybe commit) the activation; returns it and the layer-2 answer."""
    provider = current_provider()
    identity = layer1.identity_attributes
    user_id = provider.lookup_user_id(identity, layer1.custom_attributes or {}, application_id)
    if not user_id:
        raise ActivationFailedError("the custom activation provider did not identify a user")
    record, layer2 = activations.create_activation(
        user_id=user_id, application_id=application_id, ecies_fields=layer2_fields, protocol_version=version,
        max_failure_count=provider.max_failed_attempts(user_id),
    )
    if provider.should_auto_commit(user_id, identity):
        record = activations.commit_activation(record["activationId"], None)
    provider.activation_created(record, identity)
    return record, layer2
