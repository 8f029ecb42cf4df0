"""Run a test suite with every mock on the Redis backend (a pytest plugin, loaded with ``-p``).

Every app whose config leaves ``store`` at its default is built on a private ``redis-server``
(started once per test process) under a fresh key prefix, so tests stay isolated exactly as with
the in-memory store.  Apps that name their store explicitly keep it.  This checks that a party
behaves the same when its state is shared, without writing its tests twice::

    python -m pytest -p mocks.framework.redis_store.pytest_plugin tests/mocks -n 2
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pytest

from ..config import MockConfig
from .server import RunningRedis, redis_server_binary, start_redis

__all__: list[str] = []

_state: dict[str, Any] = {}


def _coerce_to_redis(cls: type[MockConfig], value: MockConfig | Mapping[str, Any] | None) -> MockConfig:
    config: MockConfig = _state["coerce"](cls, value)
    if "store" in config.model_fields_set:
        return config
    server: RunningRedis = _state["server"]
    switched: MockConfig = config.model_copy(update={"store": "redis", "redis_url": server.url,
                                                     "redis_prefix": f"t{uuid.uuid4().hex[:12]}"})
    return switched


def pytest_configure(config: pytest.Config) -> None:
    if redis_server_binary() is None:
        raise pytest.UsageError("the Redis plugin needs redis-server (apt-get install redis-server)")
    _state["server"] = start_redis()
    _state["coerce"] = MockConfig.coerce.__func__  # type: ignore[attr-defined]
    MockConfig.coerce = classmethod(_coerce_to_redis)  # type: ignore[method-assign, assignment]


def pytest_unconfigure(config: pytest.Config) -> None:
    if "coerce" in _state:
        MockConfig.coerce = classmethod(_state.pop("coerce"))  # type: ignore[method-assign, assignment]
    server = _state.pop("server", None)
    if server is not None:
        server.stop()


def pytest_report_header(config: pytest.Config) -> str:
    return "mock state store: redis (every app without an explicit store)"
