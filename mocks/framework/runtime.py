"""The per-application runtime (clock, store, journal ...) and how handlers and models reach it.

One :class:`MockRuntime` is built by the application factory and kept in ``app.extensions``; nothing
is module-global, so two mock apps in one process (or one test) never share state.  Handlers reach it
through the helpers here (``store()``, ``now()``, ``rng()`` ...), which also bind the request's
isolation key, so party code never threads the session through by hand.
"""

from __future__ import annotations

import random as _random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from .clock import VirtualClock
from .config import MockConfig, PartySpec
from .faults import FaultInjector
from .isolation import current_session
from .journal import Journal
from .outbound import OutboundClient
from .random import RandomSource
from .sessions import SessionSweeper, build_sweeper
from .store import SessionStore, StateStore
from .transitions import TransitionPolicy, Transitions
from .verdicts import VerdictQueue

__all__ = [
    "EXTENSION_KEY",
    "MockRuntime",
    "current_runtime",
    "now",
    "outbound",
    "pop_verdict",
    "rng",
    "store",
    "transition_policy",
    "transition_released",
]

EXTENSION_KEY = "rsim_mock"
ResetHook = Callable[[str | None], None]


@dataclass
class MockRuntime:
    """Everything one mock instance owns."""

    party: PartySpec
    config: MockConfig
    clock: VirtualClock
    random: RandomSource
    store: StateStore
    journal: Journal
    faults: FaultInjector
    verdicts: VerdictQueue
    transitions: Transitions
    outbound: OutboundClient
    sessions: SessionSweeper | None = None
    """Sweeps idle sessions (``None`` when ``session_idle_timeout`` is 0); see :mod:`.sessions`."""
    _reset_hooks: list[ResetHook] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, party: PartySpec, config: MockConfig) -> MockRuntime:
        if config.store == "redis":
            # Imported here: the Redis client is needed only by deployments that share state.
            from .redis_store import build_shared_parts

            clock, random_source, store, journal, faults = build_shared_parts(party.name, config)
        else:
            clock = VirtualClock()
            random_source = RandomSource(config.seed)
            store = config.make_store(clock.timestamp)
            journal = Journal(config.journal_capacity, config.journal_body_limit,
                              config.journal_session_capacity)
            faults = FaultInjector(config.seed, config.delay_cap)
        runtime = cls(
            party=party,
            config=config,
            clock=clock,
            random=random_source,
            store=store,
            journal=journal,
            faults=faults,
            verdicts=VerdictQueue(store),
            transitions=Transitions(store),
            outbound=OutboundClient(
                journal,
                clock,
                party=party.name,
                timeout=(config.outbound_connect_timeout, config.outbound_read_timeout),
            ),
        )
        runtime.sessions = build_sweeper(runtime)
        return runtime

    def add_reset_hook(self, hook: ResetHook) -> None:
        """Run ``hook(session_or_None)`` on every reset (for party state kept outside the store)."""
        with self._lock:
            self._reset_hooks.append(hook)

    def reset(self, session: str | None = None, *, journal: bool = False) -> None:
        """Forget one session's world (or every session's): records, verdicts, clock offset, random
        streams, session-scoped faults, party hooks - and the journal too when asked."""
        self.store.reset(session)
        if session is None:
            self.clock.reset(scope="all")
        else:
            self.clock.reset(session)
        self.random.reset(session)
        self.faults.clear(session)
        with self._lock:
            hooks = list(self._reset_hooks)
        for hook in hooks:
            hook(session)
        if journal:
            self.journal.clear(session)


def current_runtime() -> MockRuntime:
    """The runtime of the app handling the current request (needs an app context)."""
    runtime = current_app.extensions.get(EXTENSION_KEY)
    if not isinstance(runtime, MockRuntime):
        raise RuntimeError("this Flask app was not built by create_mock_app")
    return runtime


def store() -> SessionStore:
    """The state store bound to the current session."""
    return current_runtime().store.bind(current_session())


def now() -> datetime:
    """Virtual 'now' of the current session (aware UTC)."""
    return current_runtime().clock.now(current_session())


def rng(purpose: str = "ids") -> _random.Random:
    """The current session's seeded generator for ``purpose``."""
    return current_runtime().random.for_session(current_session(), purpose)


def outbound() -> OutboundClient:
    """The app's client for calls to other parties."""
    return current_runtime().outbound


def pop_verdict(kind: str) -> Any | None:
    """The next forced verdict of ``kind`` for the current session, or ``None`` (compute it)."""
    return current_runtime().verdicts.pop(current_session(), kind)


def transition_policy(kind: str, default: TransitionPolicy | None = None) -> TransitionPolicy:
    """The current session's policy for a kind of asynchronous transition (default: immediate)."""
    return current_runtime().transitions.get(current_session(), kind, default)


def transition_released(kind: str, job_id: str) -> bool:
    """Whether a test released this job of a ``manual`` transition kind."""
    return current_runtime().transitions.released(current_session(), kind, job_id)
