"""What a party is (:class:`PartySpec`) and how one mock instance is configured (:class:`MockConfig`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import ErrorEnvelope, problem_envelope
from .faults import DEFAULT_DELAY_CAP, MAX_DELAY_CAP
from .journal import MAX_JOURNAL_CAPACITY
from .sessions import DEFAULT_IDLE_TIMEOUT, MAX_IDLE_TIMEOUT
from .store import InMemoryStore, SessionClock, StateStore

if TYPE_CHECKING:
    from .runtime import MockRuntime

__all__ = [
    "DEFAULT_MAX_REQUEST_BYTES",
    "SHARED_BACKENDS",
    "STORE_BACKENDS",
    "MockConfig",
    "PartySpec",
    "StoreFactory",
]

DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
StoreFactory = Callable[[SessionClock], StateStore]

#: Store backends selectable by name (e.g. from a JSON config of a subprocess).
STORE_BACKENDS: Mapping[str, StoreFactory] = {"memory": InMemoryStore}
#: Backends that share state between processes; the runtime builds them with the party's name
#: (see :mod:`mocks.framework.redis_store`), so they are not plain store factories.
SHARED_BACKENDS = ("redis",)


class MockConfig(BaseModel):
    """Settings of one mock instance; every size and delay is capped.

    ``admin_token`` is optional on loopback and required by :mod:`.serving` for any wider bind.
    ``store`` is a backend name (``"memory"``) or a factory ``clock -> StateStore`` so a Redis
    backend can be plugged in without touching models.  ``store="redis"`` shares records, clock and
    random streams between worker processes through the server at ``redis_url``, under keys
    starting with ``redis_prefix`` (see :mod:`mocks.framework.redis_store`).

    ``session_idle_timeout``: real seconds after its last request when an isolation session is swept
    entirely (records, journal, clock offset, faults ...; see :mod:`.sessions`), ``0`` = never;
    ``default`` is kept unless ``expire_default_session``.  ``journal_session_capacity`` bounds one
    session's journal entries (default: ``journal_capacity``, the bound over all sessions).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    seed: int | str | None = None
    max_request_bytes: int = Field(default=DEFAULT_MAX_REQUEST_BYTES, ge=1024, le=64 * 1024 * 1024)
    journal_capacity: int = Field(default=1000, ge=1, le=MAX_JOURNAL_CAPACITY)
    journal_body_limit: int = Field(default=4096, ge=64, le=1024 * 1024)
    journal_session_capacity: int | None = Field(default=None, ge=1, le=MAX_JOURNAL_CAPACITY)
    session_idle_timeout: float = Field(default=DEFAULT_IDLE_TIMEOUT, ge=0, le=MAX_IDLE_TIMEOUT)
    expire_default_session: bool = False
    admin_token: str | None = Field(default=None, min_length=8, max_length=256)
    delay_cap: float = Field(default=DEFAULT_DELAY_CAP, ge=0, le=MAX_DELAY_CAP)
    outbound_connect_timeout: float = Field(default=2.0, gt=0, le=60)
    outbound_read_timeout: float = Field(default=10.0, gt=0, le=60)
    store: str | Callable[[SessionClock], StateStore] = "memory"
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", pattern=r"^(redis|rediss|unix)://")
    redis_prefix: str = Field(default="rsim", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    extra: dict[str, Any] = Field(default_factory=dict)
    """Party-specific settings (URLs of other parties, limits ...), read by the party's own code."""

    @field_validator("store")
    @classmethod
    def _known_store(cls, value: object) -> object:
        if isinstance(value, str) and value not in STORE_BACKENDS and value not in SHARED_BACKENDS:
            known = ", ".join([*STORE_BACKENDS, *SHARED_BACKENDS])
            raise ValueError(f"unknown store backend {value!r}; known: {known}")
        return value

    def make_store(self, clock: SessionClock) -> StateStore:
        if self.store in SHARED_BACKENDS:
            raise ValueError(f"the {self.store!r} backend is built by MockRuntime.build (it needs the party)")
        factory = STORE_BACKENDS[self.store] if isinstance(self.store, str) else self.store
        return factory(clock)

    @classmethod
    def coerce(cls, value: MockConfig | Mapping[str, Any] | None) -> MockConfig:
        """Accept a config, a plain mapping (e.g. parsed JSON) or ``None`` (all defaults)."""
        if value is None:
            return cls()
        if isinstance(value, MockConfig):
            return value
        return cls.model_validate(dict(value))


@dataclass(frozen=True)
class PartySpec:
    """What a party contributes to the shared application factory.

    ``envelope`` renders every error of the party's routes; ``blueprints`` carry its routes;
    ``setup(app, runtime)`` runs once after the framework pieces are in place (create registries,
    add reset hooks); ``state_view(runtime, session)`` adds party state kept outside the store to
    ``GET /_admin/state``.
    """

    name: str
    envelope: ErrorEnvelope = problem_envelope
    blueprints: Sequence[Blueprint] = ()
    setup: Callable[[Flask, MockRuntime], None] | None = None
    state_view: Callable[[MockRuntime, str], dict[str, Any]] | None = None
    import_name: str = field(default="mocks")
