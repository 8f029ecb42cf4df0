"""The stack runner: every party of the reactivation on loopback, wired to each other by URL.

Parties start in dependency order (a party is started after the parties it calls), each one served
for real on its own port, and each one is told the others' base URLs through its config's ``extra``
mapping - the only way the parties know of each other, so any of them can be replaced by a real
system at a URL (conformance mode): name it in ``external`` and it is not started, the others are
wired to the given URL instead.

``rsim serve`` runs a stack on the default ports; ``rsim demo`` and the tests run one on free ports.

How the parties are served (``server`` and ``workers``):

* ``server="threaded"`` (the default; ``rsim demo`` and the tests): every party in a thread of this
  process under Werkzeug's threaded server, on the in-memory store - starts in milliseconds, but the
  four parties share one GIL and Werkzeug closes every connection after its response.
* ``server="production"`` with ``workers=1``: every party in its own process (group) under the
  production server (granian, see :mod:`mocks.framework.production`), still on the in-memory store
  (one process holds the party's whole world), with keep-alive connections - the parties use both
  cores and skip Werkzeug's request handling (``rsim load``'s default).
* ``workers > 1`` (always the production server): that many worker processes per party, sharing
  state, clock and journal through Redis: the server at ``redis_url``, or a private ``redis-server``
  the stack starts (and stops) itself when none is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Protocol

from mocks.framework.heap import limit_malloc_arenas
from mocks.framework.production import serve_production
from mocks.framework.redis_store.server import RedisServerError, RunningRedis, start_redis
from mocks.framework.serving import ServingError, load_factory, serve_in_thread

__all__ = ["PARTIES", "SERVERS", "PartyPlan", "Stack", "StackError", "StackSettings"]

#: How a stack serves its parties (see the module docstring).
SERVERS = ("threaded", "production")
Server = Literal["threaded", "production"]


class StackError(RuntimeError):
    """The stack could not be started as asked (unknown party, bad URL, a party failed to start)."""


Wiring = Callable[[Mapping[str, str]], dict[str, Any]]


@dataclass(frozen=True)
class PartyPlan:
    """How to start one party: its app factory, default port, and what it must know of the others."""

    name: str
    factory: str
    default_port: int
    needs: tuple[str, ...] = ()
    wire: Wiring = field(default=lambda _urls: {})
    config: dict[str, Any] = field(default_factory=dict)


def _wire_bank(urls: Mapping[str, str]) -> dict[str, Any]:
    return {"sms_gateway_url": urls["sms-gateway"]}


def _wire_wultra(urls: Mapping[str, str]) -> dict[str, Any]:
    return {
        "bank_url": urls["bank"],
        "biometry_url": urls["biometry"],
        "document_provider_url": urls["biometry"],
    }


#: Every party, in an order where each one comes after the parties it calls.
PARTIES: tuple[PartyPlan, ...] = (
    PartyPlan("sms-gateway", "mocks.sms_gateway.app:create_app", 8091),
    PartyPlan("biometry", "mocks.biometry.app:create_app", 8092),
    PartyPlan("bank", "mocks.bank.app:create_app", 8090, needs=("sms-gateway",), wire=_wire_bank),
    # Document photos travel Base64 inside ECIES envelopes: more than the framework's default body limit.
    PartyPlan("wultra", "mocks.wultra.app:create_app", 8080, needs=("bank", "biometry"), wire=_wire_wultra,
              config={"max_request_bytes": 8 * 1024 * 1024}),
)


@dataclass
class StackSettings:
    """What to start and how.

    ``ports`` overrides a party's port (0 = any free port; ``free_ports`` makes that the default for
    all); ``external`` maps a party to the URL of a real system that replaces it; ``seed`` makes every
    mock reproducible; ``admin_token`` guards the admin APIs (required with ``allow_remote``);
    ``session_idle_timeout`` (real seconds, 0 = never, ``None`` = the mocks' default of 600) is when an
    isolation session nobody used for that long is swept from every party (see
    :mod:`mocks.framework.sessions`). ``server`` and ``workers`` say how parties are served (module
    docstring); ``workers > 1`` implies the production server; ``threads`` is the request threads of
    each production worker process (4, production.py's default: 16 made no measurable difference with
    one process per party, see :mod:`loadtests.benchmarks.journeys_per_second`).
    """

    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=dict)
    free_ports: bool = False
    external: dict[str, str] = field(default_factory=dict)
    seed: int | None = None
    admin_token: str | None = None
    allow_remote: bool = False
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    workers: int = 1
    server: Server = "threaded"
    threads: int = 4
    redis_url: str | None = None
    session_idle_timeout: float | None = None

    @property
    def production(self) -> bool:
        """Whether parties run in their own processes under the production server."""
        return self.server == "production" or self.workers > 1

    def port_of(self, plan: PartyPlan) -> int:
        if plan.name in self.ports:
            return self.ports[plan.name]
        return 0 if self.free_ports else plan.default_port

    def config_of(self, plan: PartyPlan, urls: Mapping[str, str]) -> dict[str, Any]:
        config: dict[str, Any] = dict(plan.config)
        if self.seed is not None:
            config["seed"] = self.seed
        if self.admin_token:
            config["admin_token"] = self.admin_token
        if self.session_idle_timeout is not None:
            config["session_idle_timeout"] = self.session_idle_timeout
        extra = plan.wire(urls)
        extra.update(self.extra.get(plan.name, {}))
        if extra:
            config["extra"] = extra
        return config


class _Running(Protocol):
    @property
    def url(self) -> str: ...

    def stop(self, timeout: float = 5.0) -> object: ...


class Stack:
    """A started (or startable) set of parties; a context manager that stops them on exit."""

    def __init__(self, settings: StackSettings | None = None,
                 parties: tuple[PartyPlan, ...] = PARTIES) -> None:
        self.settings = settings or StackSettings()
        self.parties = parties
        known = {plan.name for plan in parties}
        unknown = sorted((set(self.settings.external) | set(self.settings.ports)) - known)
        if unknown:
            raise StackError(f"unknown part{'ies' if len(unknown) > 1 else 'y'}: {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        for name, url in self.settings.external.items():
            if not url.startswith(("http://", "https://")):
                raise StackError(f"external URL of {name} must start with http:// or https://, got {url!r}")
        if not 1 <= self.settings.workers <= 16:
            raise StackError(f"workers must be within 1..16, got {self.settings.workers}")
        if self.settings.server not in SERVERS:
            raise StackError(f"server must be one of {', '.join(SERVERS)}, got {self.settings.server!r}")
        self.urls: dict[str, str] = {name: url.rstrip("/") for name, url in self.settings.external.items()}
        self._running: list[tuple[str, _Running]] = []
        self._redis: RunningRedis | None = None

    @property
    def started(self) -> list[str]:
        """Names of the parties this stack started itself (not the external ones)."""
        return [name for name, _ in self._running]

    def start(self) -> Stack:
        """Start every party that is not external, in dependency order; ready on return.

        Threaded parties make this process a server: its malloc arenas are capped (see
        :mod:`mocks.framework.heap`).
        """
        if not self.settings.production:
            limit_malloc_arenas()
        try:
            for plan in self.parties:
                if plan.name in self.urls:
                    continue
                missing = [need for need in plan.needs if need not in self.urls]
                if missing:
                    raise StackError(f"{plan.name} needs {', '.join(missing)}, "
                                     "which is neither started nor external")
                running = self._serve(plan, self.settings.config_of(plan, self.urls))
                self._running.append((plan.name, running))
                self.urls[plan.name] = running.url
        except (OSError, ServingError, RedisServerError) as exc:
            self.stop()
            raise StackError(f"could not start the stack: {exc}") from exc
        except BaseException:
            self.stop()
            raise
        return self

    def _serve(self, plan: PartyPlan, config: dict[str, Any]) -> _Running:
        port = self.settings.port_of(plan)
        if self.settings.production:
            # One process keeps the party's world in memory; several share it through Redis.
            if self.settings.workers > 1:
                config.update(store="redis", redis_url=self._shared_redis())
            redis = self._redis
            return serve_production(plan.factory, config, self.settings.host, port, self.settings.workers,
                                    threads=self.settings.threads, allow_remote=self.settings.allow_remote,
                                    companions=(redis.process.pid,) if redis is not None else (),
                                    companion_dirs=(redis.directory,) if redis is not None else ())
        app = load_factory(plan.factory)(config)
        try:
            return serve_in_thread(app, self.settings.host, port, allow_remote=self.settings.allow_remote)
        except SystemExit:  # werkzeug exits instead of raising when the port is taken
            raise OSError(f"{plan.name}: port {port} on {self.settings.host} is in use") from None

    def _shared_redis(self) -> str:
        if self.settings.redis_url:
            return self.settings.redis_url
        if self._redis is None:
            self._redis = start_redis()
        return self._redis.url

    def stop(self) -> None:
        """Stop the parties this stack started, callers first (idempotent), then its own Redis."""
        while self._running:
            name, running = self._running.pop()
            running.stop()
            self.urls.pop(name, None)
        if self._redis is not None:
            self._redis.stop()
            self._redis = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
