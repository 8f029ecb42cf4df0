"""Processes that serve parties cap their malloc arenas (glibc)."""

from __future__ import annotations

import sys

import psutil
import pytest

from mocks.framework.heap import ARENAS, arena_environment, limit_malloc_arenas
from mocks.framework.production import serve_production

glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")


@glibc_only
def test_the_arena_cap_takes_effect_on_glibc() -> None:
    assert limit_malloc_arenas() is True


def test_a_child_gets_the_cap_unless_its_environment_sets_one() -> None:
    env: dict[str, str] = {}
    arena_environment(env)
    assert env == {"MALLOC_ARENA_MAX": str(ARENAS)}
    own = {"MALLOC_ARENA_MAX": "8"}
    arena_environment(own)
    assert own == {"MALLOC_ARENA_MAX": "8"}


def test_production_workers_run_with_the_cap() -> None:
    with serve_production("mocks.sms_gateway.app:create_app", {"seed": 1}, workers=1) as server:
        processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
        assert processes
        assert all(p.environ().get("MALLOC_ARENA_MAX") == str(ARENAS) for p in processes)
