""":class:`RedisFaultInjector`: fault rules and their counters in Redis, shared by every worker.

A rule posted through one worker fires for requests served by any worker, ``times`` caps the total
across workers, and ``everyNth`` counts a session's matches across workers.  The rules live in a
hash and change rarely; each worker keeps a parsed copy and reloads it only when the fault version
in the control hash (known to every request anyway, see :mod:`.control`) has moved, so a request with
no rules in force costs no extra round trip.  Counting a match is one Lua script (skip when
exhausted, count, decide ``everyNth`` or certain rules, and for those consume one of ``times``
atomically); a probabilistic rule takes a second script to consume its ``times`` once the draw says
fire.

Draws are reproducible without a per-process stream: the n-th match of a rule in a session draws
from a generator seeded by ``SHA-256(seed, rule, session, n)`` - the same decisions on every run
for requests sent one after another, whichever worker serves them.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from typing import Any

from ..faults import MAX_RULES, FaultDecision, FaultInjector, FaultRule
from .connection import KeySpace, unlink_matching
from .control import FAULTS_FIELD, SharedControl

__all__ = ["RedisFaultInjector"]

# KEYS: counters hash, this rule's per-session match counts; ARGV: rule id, session, times (-1: none),
# every_nth (-1: none), certain (1: probability >= 1).  Returns {verdict, nth}: verdict 0 = exhausted
# (not even matched), 1 = fired, 2 = matched without firing, 3 = matched, draw decides.
_MATCH = r"""
local id, times, nth_every, certain = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local fired = tonumber(redis.call('HGET', KEYS[1], 'fired:' .. id) or '0')
if times >= 0 and fired >= times then return {0, 0} end
redis.call('HINCRBY', KEYS[1], 'matched:' .. id, 1)
local nth = redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
local fires
if nth_every > 0 then fires = (nth % nth_every == 0) elseif certain == '1' then fires = true else
  return {3, nth} end
if not fires then return {2, nth} end
redis.call('HINCRBY', KEYS[1], 'fired:' .. id, 1)
return {1, nth}
"""

# KEYS: counters hash; ARGV: rule id, times (-1: none).  1 if this firing still fits under ``times``.
_FIRE = r"""
local fired = tonumber(redis.call('HGET', KEYS[1], 'fired:' .. ARGV[1]) or '0')
if tonumber(ARGV[2]) >= 0 and fired >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'fired:' .. ARGV[1], 1)
return 1
"""


class RedisFaultInjector(FaultInjector):
    """A :class:`FaultInjector` whose rules, counters and draws are shared through Redis."""

    def __init__(self, control: SharedControl, keys: KeySpace, delay_cap: float) -> None:
        super().__init__(None, delay_cap)
        self._control = control
        self._client = control.client
        self._commands = control.commands
        self._keys = keys
        self._match = self._client.register_script(_MATCH)
        self._fire = self._client.register_script(_FIRE)
        self._cache_lock = threading.Lock()
        self._cached: tuple[int, list[FaultRule]] = (-1, [])
        self._system = random.SystemRandom()

    # ---------------------------------------------------------------- rules

    def _guard(self, fn: Any) -> Any:
        return self._control.guard(fn)

    def _bump(self, pipe: Any) -> None:
        pipe.hincrby(self._control.key, FAULTS_FIELD, 1)

    def _load(self) -> list[FaultRule]:
        raw = self._guard(lambda: self._client.hgetall(self._keys.fault_rules))
        entries = sorted((json.loads(text) for text in raw.values()), key=lambda e: e["seq"])
        return [FaultRule.model_validate(e["rule"]) for e in entries]

    def _rules_now(self, session: str) -> list[FaultRule]:
        version = self._control.snapshot(session).faults_version
        with self._cache_lock:
            if self._cached[0] == version:
                return self._cached[1]
        rules = self._load()
        with self._cache_lock:
            self._cached = (version, rules)
        return rules

    def add(self, rule: FaultRule) -> FaultRule:
        """Add (or replace, by id) a rule for every worker; its counters restart."""
        rules_key = self._keys.fault_rules
        if rule.id is None:
            while True:
                n = int(self._guard(lambda: self._client.incr(self._keys.fault_ids)))
                candidate = f"fault-{n}"
                if not self._guard(lambda c=candidate: self._client.hexists(rules_key, c)):
                    break
            rule = rule.model_copy(update={"id": candidate})
        rule_id = str(rule.id)
        exists = self._guard(lambda: self._client.hexists(rules_key, rule_id))
        if not exists and int(self._guard(lambda: self._client.hlen(rules_key))) >= MAX_RULES:
            raise ValueError(f"at most {MAX_RULES} fault rules")
        seq = int(self._guard(lambda: self._client.incr(self._keys.fault_ids + ":seq")))
        dumped = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
        entry = json.dumps({"seq": seq, "rule": dumped})

        def write() -> None:
            with self._client.pipeline(transaction=True) as pipe:
                pipe.hset(rules_key, rule_id, entry)
                pipe.hdel(self._keys.fault_counters, f"fired:{rule_id}", f"matched:{rule_id}")
                pipe.delete(self._keys.fault_matches(rule_id))
                self._bump(pipe)
                pipe.execute()

        self._control.drop_cache()
        self._guard(write)
        self._control.changed()
        return rule

    def remove(self, rule_id: str) -> bool:
        def drop() -> int:
            with self._client.pipeline(transaction=True) as pipe:
                pipe.hdel(self._keys.fault_rules, rule_id)
                pipe.hdel(self._keys.fault_counters, f"fired:{rule_id}", f"matched:{rule_id}")
                pipe.delete(self._keys.fault_matches(rule_id))
                self._bump(pipe)
                return int(pipe.execute()[0])

        self._control.drop_cache()
        removed = bool(self._guard(drop))
        self._control.changed()
        return removed

    def clear(self, session: str | None = None) -> None:
        """Drop every rule, or the rules scoped to ``session`` and that session's match counts."""
        if session is not None:
            for rule in self._load():
                if rule.session == session:
                    self.remove(str(rule.id))
                else:
                    matches = self._keys.fault_matches(str(rule.id))
                    self._guard(lambda m=matches: self._client.hdel(m, session))
            return

        def drop_all() -> None:
            with self._client.pipeline(transaction=True) as pipe:
                pipe.delete(self._keys.fault_rules, self._keys.fault_counters)
                self._bump(pipe)
                pipe.execute()
            unlink_matching(self._client, self._keys.fault_matches_pattern())

        self._control.drop_cache()
        self._guard(drop_all)
        self._control.changed()

    def reseed(self, seed: int | str | None) -> None:
        """Restart every rule's draws and match counts (the seed itself is the shared one)."""
        self._guard(lambda: unlink_matching(self._client, self._keys.fault_matches_pattern()))

    def list(self) -> list[dict[str, Any]]:
        rules = self._load()
        counters = self._guard(lambda: self._client.hgetall(self._keys.fault_counters))
        listed = []
        for rule in rules:
            fired = int(counters.get(f"fired:{rule.id}", 0))
            listed.append({
                **rule.model_dump(by_alias=True, exclude_none=True),
                "matched": int(counters.get(f"matched:{rule.id}", 0)),
                "fired": fired,
                "remaining": None if rule.times is None else rule.times - fired,
            })
        return listed

    # ---------------------------------------------------------------- decisions

    def _draws(self, rule: FaultRule, session: str, nth: int) -> random.Random:
        seed = rule.seed if rule.seed is not None else json.loads(self._control.snapshot(session).seed_json)
        if seed is None:
            return self._system
        material = f"{seed!r}\x00fault\x00{rule.id}\x00{session}\x00{nth}".encode()
        return random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))

    def decide(self, method: str, path: str, session: str) -> FaultDecision | None:
        """The fault for this request, or ``None``; first firing rule in insertion order wins."""
        if path.startswith("/_admin/") or path == "/_admin":
            return None
        for rule in self._rules_now(session):
            if not rule.applies_to(method, path, session):
                continue
            rule_id = str(rule.id)
            keys = [self._keys.fault_counters, self._keys.fault_matches(rule_id)]
            args = [rule_id, session, -1 if rule.times is None else rule.times,
                    -1 if rule.every_nth is None else rule.every_nth, "1" if rule.probability >= 1.0 else "0"]
            verdict, nth = self._guard(lambda k=keys, a=args: self._commands.script(self._match, k, a))
            if verdict in (0, 2):
                continue
            rng = self._draws(rule, session, int(nth))
            if verdict == 3:
                if rng.random() >= rule.probability:
                    continue
                fire_args = [rule_id, -1 if rule.times is None else rule.times]
                if not self._guard(lambda a=fire_args: self._fire(keys=[self._keys.fault_counters], args=a)):
                    continue
            delay = 0.0
            if rule.latency is not None:
                delay = min(max(rule.latency.sample_ms(rng) / 1000.0, 0.0), self.delay_cap)
            return FaultDecision(rule_id=rule_id, delay=delay, error=rule.error, reset=rule.reset)
        return None
