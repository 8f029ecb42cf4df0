"""Fixtures for the mock framework tests: the demo party served for real over loopback."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from mocks.framework import RunningServer, serve_in_thread
from mocks.framework.redis_store.server import redis_server_binary, start_redis

DEMO_PATH = Path(__file__).with_name("demo_party.py")


def _load_demo() -> ModuleType:
    name = "_framework_demo_party"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DEMO_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def demo() -> ModuleType:
    return _load_demo()


@pytest.fixture
def serve(demo: ModuleType) -> Iterator[Callable[..., RunningServer]]:
    """``serve(**config)`` → a running demo server (stopped after the test)."""
    servers: list[RunningServer] = []

    def start(**config: Any) -> RunningServer:
        running = serve_in_thread(demo.create_app(config))
        servers.append(running)
        return running

    yield start
    for running in servers:
        running.stop()


@pytest.fixture
def server(serve: Callable[..., RunningServer]) -> RunningServer:
    return serve(seed=1234)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False
        yield session


def as_session(key: str) -> dict[str, str]:
    return {"X-Sim-Session": key}


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private ``redis-server`` for one test module; the module's tests skip without one."""
    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server): Redis backend not tested")
    with start_redis() as server:
        yield server.url
