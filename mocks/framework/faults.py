"""Seeded fault injection: latency, error responses and connection resets per route and session.

A rule matches requests by path glob (``/api/onboarding/*``), optional methods and optional session,
and fires with a probability (or deterministically on every n-th match), optionally at most ``times``
times.  Each (rule, session) pair draws from its own generator derived from the seed, so the same seed
and the same request order give the same faults on every run, whatever other sessions do meanwhile
(MockServer's seeded chaos, per isolation key).  Latency is sampled from a fixed, uniform, normal or
log-normal distribution and always clamped to ``[0, cap]`` (10 s by default) so no rule can hang a
worker.  The admin API is never subject to faults.

A connection reset closes the socket without any response: the response body generator shuts the
socket down and raises ``ConnectionResetError`` before a byte is written.  Werkzeug's server treats
that as a dropped connection; other WSGI servers abort the connection on an exception mid-response,
so the client sees a connection error either way.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import random
import socket
import struct
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from werkzeug.wrappers import Response

__all__ = [
    "DEFAULT_DELAY_CAP",
    "ErrorFault",
    "FaultDecision",
    "FaultInjector",
    "FaultRule",
    "Latency",
    "reset_connection_response",
]

DEFAULT_DELAY_CAP = 10.0
MAX_DELAY_CAP = 60.0
MAX_RULES = 256


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class Latency(_Model):
    """A delay distribution in milliseconds.

    ``fixed``: ``ms``; ``uniform``: ``minMs``..``maxMs``; ``normal``: ``meanMs``, ``stddevMs``;
    ``lognormal``: ``medianMs`` and shape ``sigma`` (heavy right tail, like real networks).
    """

    distribution: Literal["fixed", "uniform", "normal", "lognormal"] = "fixed"
    ms: float | None = Field(default=None, ge=0)
    min_ms: float | None = Field(default=None, ge=0)
    max_ms: float | None = Field(default=None, ge=0)
    mean_ms: float | None = Field(default=None, ge=0)
    stddev_ms: float | None = Field(default=None, ge=0)
    median_ms: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, ge=0, le=5)

    @model_validator(mode="after")
    def _parameters_present(self) -> Latency:
        needed = {
            "fixed": ("ms",),
            "uniform": ("min_ms", "max_ms"),
            "normal": ("mean_ms", "stddev_ms"),
            "lognormal": ("median_ms", "sigma"),
        }[self.distribution]
        missing = [to_camel(name) for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.distribution} latency needs {', '.join(missing)}")
        if self.distribution == "uniform" and (self.min_ms or 0) > (self.max_ms or 0):
            raise ValueError("uniform latency needs minMs ≤ maxMs")
        return self

    def sample_ms(self, rng: random.Random) -> float:
        """One draw in milliseconds (unclamped; may be negative for ``normal``)."""
        if self.distribution == "fixed":
            return float(self.ms or 0.0)
        if self.distribution == "uniform":
            return rng.uniform(self.min_ms or 0.0, self.max_ms or 0.0)
        if self.distribution == "normal":
            return rng.gauss(self.mean_ms or 0.0, self.stddev_ms or 0.0)
        return rng.lognormvariate(math.log(self.median_ms or 1.0), self.sigma or 0.0)


class ErrorFault(_Model):
    """An error answer: ``status`` plus an optional literal JSON ``body`` (else the party's envelope)."""

    status: int = Field(default=503, ge=400, le=599)
    body: Any = None
    headers: dict[str, str] = Field(default_factory=dict)
    message: str = "injected fault"


class FaultRule(_Model):
    """One fault rule as posted to ``/_admin/faults`` (camelCase on the wire)."""

    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._:-]{1,64}$")
    route: str = Field(default="*", min_length=1, max_length=256)
    methods: list[str] | None = None
    session: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    every_nth: int | None = Field(default=None, ge=1, le=1_000_000)
    times: int | None = Field(default=None, ge=1, le=10_000_000)
    latency: Latency | None = None
    error: ErrorFault | None = None
    reset: bool = False
    seed: int | None = None

    @model_validator(mode="after")
    def _one_effect(self) -> FaultRule:
        if self.latency is None and self.error is None and not self.reset:
            raise ValueError("a fault rule needs latency, error or reset")
        if self.error is not None and self.reset:
            raise ValueError("error and reset are exclusive: a reset connection carries no response")
        if self.methods is not None:
            self.methods = [m.upper() for m in self.methods]
        return self

    def applies_to(self, method: str, path: str, session: str) -> bool:
        if self.session is not None and self.session != session:
            return False
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return fnmatch.fnmatchcase(path, self.route)


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request: sleep ``delay`` seconds, then answer ``error`` or reset."""

    rule_id: str
    delay: float = 0.0
    error: ErrorFault | None = None
    reset: bool = False

    def label(self) -> str:
        parts = [f"rule={self.rule_id}"]
        if self.delay:
            parts.append(f"delay={self.delay * 1000:.1f}ms")
        if self.error is not None:
            parts.append(f"error={self.error.status}")
        if self.reset:
            parts.append("reset")
        return " ".join(parts)


@dataclass
class _RuleState:
    rule: FaultRule
    fired: int = 0
    matched: int = 0


class FaultInjector:
    """Holds the rules and decides, thread-safely, which fault (if any) hits a request."""

    def __init__(self, seed: int | str | None = None, delay_cap: float = DEFAULT_DELAY_CAP) -> None:
        if not 0 <= delay_cap <= MAX_DELAY_CAP:
            raise ValueError(f"delay cap must be within 0..{MAX_DELAY_CAP} s")
        self._seed = seed
        self.delay_cap = delay_cap
        self._lock = threading.Lock()
        self._rules: dict[str, _RuleState] = {}
        self._streams: dict[tuple[str, str], random.Random] = {}
        self._session_matches: dict[tuple[str, str], int] = {}
        self._counter = 0

    # ---------------------------------------------------------------- rule management

    def add(self, rule: FaultRule) -> FaultRule:
        """Add (or replace, by id) a rule; its random streams and counters restart."""
        with self._lock:
            if rule.id is None:
                self._counter += 1
                while f"fault-{self._counter}" in self._rules:
                    self._counter += 1
                rule = rule.model_copy(update={"id": f"fault-{self._counter}"})
            rule_id = str(rule.id)
            if rule_id not in self._rules and len(self._rules) >= MAX_RULES:
                raise ValueError(f"at most {MAX_RULES} fault rules")
            self._rules[rule_id] = _RuleState(rule)
            self._forget(rule_id)
            return rule

    def reseed(self, seed: int | str | None) -> None:
        """Use a new seed; every rule's random streams restart from it."""
        with self._lock:
            self._seed = seed
            self._streams.clear()
            self._session_matches.clear()

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            self._forget(rule_id)
            return self._rules.pop(rule_id, None) is not None

    def clear(self, session: str | None = None) -> None:
        """Drop every rule, or (with ``session``) the rules scoped to that session and its streams."""
        with self._lock:
            if session is None:
                self._rules.clear()
                self._streams.clear()
                self._session_matches.clear()
                return
            for rule_id in [i for i, s in self._rules.items() if s.rule.session == session]:
                del self._rules[rule_id]
                self._forget(rule_id)
            for key in [k for k in self._streams if k[1] == session]:
                del self._streams[key]
            for key in [k for k in self._session_matches if k[1] == session]:
                del self._session_matches[key]

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    **state.rule.model_dump(by_alias=True, exclude_none=True),
                    "matched": state.matched,
                    "fired": state.fired,
                    "remaining": None if state.rule.times is None else state.rule.times - state.fired,
                }
                for state in self._rules.values()
            ]

    def _forget(self, rule_id: str) -> None:
        for key in [k for k in self._streams if k[0] == rule_id]:
            del self._streams[key]
        for key in [k for k in self._session_matches if k[0] == rule_id]:
            del self._session_matches[key]

    # ---------------------------------------------------------------- decisions

    def _rng(self, rule: FaultRule, session: str) -> random.Random:
        key = (str(rule.id), session)
        rng = self._streams.get(key)
        if rng is None:
            seed = rule.seed if rule.seed is not None else self._seed
            if seed is None:
                rng = random.SystemRandom()
            else:
                material = f"{seed!r}\x00fault\x00{rule.id}\x00{session}".encode()
                rng = random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))
            self._streams[key] = rng
        return rng

    def decide(self, method: str, path: str, session: str) -> FaultDecision | None:
        """The fault for this request, or ``None``.  Rules are tried in insertion order; the first
        that fires wins.  Admin paths are never faulted."""
        if not self._rules:  # the usual case; a rule added meanwhile applies from the next request
            return None
        if path.startswith("/_admin/") or path == "/_admin":
            return None
        with self._lock:
            for rule_id, state in self._rules.items():
                rule = state.rule
                if not rule.applies_to(method, path, session):
                    continue
                if rule.times is not None and state.fired >= rule.times:
                    continue
                state.matched += 1
                rng = self._rng(rule, session)
                count_key = (rule_id, session)
                nth = self._session_matches.get(count_key, 0) + 1
                self._session_matches[count_key] = nth
                if rule.every_nth is not None:
                    fires = nth % rule.every_nth == 0
                else:
                    fires = rule.probability >= 1.0 or rng.random() < rule.probability
                if not fires:
                    continue
                state.fired += 1
                delay = 0.0
                if rule.latency is not None:
                    delay = min(max(rule.latency.sample_ms(rng) / 1000.0, 0.0), self.delay_cap)
                return FaultDecision(rule_id=rule_id, delay=delay, error=rule.error, reset=rule.reset)
        return None


def _drop_socket(sock: object) -> None:
    if not isinstance(sock, socket.socket):
        return
    try:
        # Linger 0: the kernel answers with RST rather than a graceful FIN where it can.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone: the client has its connection error either way


def _reset_body(environ: Mapping[str, Any]) -> Iterator[bytes]:
    _drop_socket(environ.get("werkzeug.socket") or environ.get("gunicorn.socket"))
    raise ConnectionResetError("connection reset by fault injection")
    yield b""  # pragma: no cover - makes this a generator so it runs only when the server iterates


def reset_connection_response(environ: Mapping[str, Any]) -> Response:
    """A response that, when the server starts sending it, drops the connection instead."""
    return Response(_reset_body(environ), status=200, mimetype="application/octet-stream")
