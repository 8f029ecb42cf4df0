""":class:`RedisStore`: the :class:`~mocks.framework.store.StateStore` contract on a Redis server.

Used when several worker processes serve one mock: every worker sees the same records, and the
read-modify-write operations stay atomic across processes.

How each guarantee is kept
--------------------------
* **Atomicity.**  Every method is one server-side Lua script (``EVALSHA``) over the session's two
  hashes, so it runs alone between two instants on the server - the Redis counterpart of
  :class:`~mocks.framework.store.InMemoryStore`'s lock.  ``incr`` of a plain integer record is the
  script's ``HINCRBY`` (64-bit, exact).  ``incr`` of an object member, and any ``incr`` that leaves the
  64-bit range, is a compare-and-set loop in Python: Lua numbers are doubles and Lua's JSON codec
  re-orders keys and rounds floats, so only Python can rewrite the record exactly as the contract
  demands; the CAS script makes each attempt atomic and a lost race simply retries.
* **TTL on the virtual clock.**  The caller's clock gives the session's virtual "now", which travels
  into the script; an expired record is invisible to every operation and is deleted by the first
  script that meets it (lazily, as in memory); a periodic sweep removes those nobody touches again.
  Redis's own wall-clock expiry is not used: the virtual clock can be far ahead of the wall clock.
  Expiries are written as Python ``repr`` of a float, so they round-trip exactly.
* **Namespacing.**  Keys carry the prefix, the party and the session (see :mod:`.connection`);
  resetting everything walks the party's keys with ``SCAN`` (never ``KEYS``) and unlinks them in
  batches, resetting one session deletes its two hashes in one command.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

import redis
from redis.exceptions import NoScriptError

from simulator.encoding import json_loads

from ..store import (
    KEEP_TTL,
    TTL,
    SessionClock,
    StateStore,
    StoreConflictError,
    StoreKeyError,
    StoreTypeError,
    StoreValueError,
    _check_key,
    _check_ttl,
    _encode,
    _encode_value,
)
from .connection import KeySpace, StoreUnavailableError, direct, unlink_matching

__all__ = ["NumberedPut", "RedisStore"]

log = logging.getLogger(__name__)

Json = Any
_T = TypeVar("_T")
_INT64 = 2**63

_SCRIPT = r"""
local D, X = KEYS[1], KEYS[2]
local op, now = ARGV[1], tonumber(ARGV[2])

local function live(k)
  local v = redis.call('HGET', D, k)
  if not v then return false, false end
  local e = redis.call('HGET', X, k)
  if e and now >= tonumber(e) then
    redis.call('HDEL', D, k)
    redis.call('HDEL', X, k)
    return false, false
  end
  return v, e
end

local function write(k, v, e)
  redis.call('HSET', D, k, v)
  if e then redis.call('HSET', X, k, e) else redis.call('HDEL', X, k) end
end

-- expiry spec: 'keep' (the live record's), 'none', or an absolute virtual time
local function expiry(spec, prev)
  if spec == 'keep' then return prev end
  if spec == 'none' then return false end
  return spec
end

if op == 'get' then
  local v = live(ARGV[3])
  return v
elseif op == 'put' then
  local _, e = live(ARGV[3])
  write(ARGV[3], ARGV[4], expiry(ARGV[5], e))
  return 1
elseif op == 'del' then
  if not live(ARGV[3]) then return 0 end
  redis.call('HDEL', D, ARGV[3])
  redis.call('HDEL', X, ARGV[3])
  return 1
elseif op == 'pop' then
  local v = live(ARGV[3])
  if not v then return false end
  redis.call('HDEL', D, ARGV[3])
  redis.call('HDEL', X, ARGV[3])
  return v
elseif op == 'pia' then
  if live(ARGV[3]) then return 0 end
  write(ARGV[3], ARGV[4], expiry(ARGV[5], false))
  return 1
elseif op == 'cas' then
  -- ARGV: key, has_expected, expected, has_new, new, spec
  local v, e = live(ARGV[3])
  if ARGV[4] == '1' then
    if v ~= ARGV[5] then return 0 end
  elseif v then
    return 0
  end
  if ARGV[6] == '1' then
    write(ARGV[3], ARGV[7], expiry(ARGV[8], e))
  elseif v then
    redis.call('HDEL', D, ARGV[3])
    redis.call('HDEL', X, ARGV[3])
  end
  return 1
elseif op == 'incr' then
  -- plain integer record; ARGV: key, amount, spec for a new record
  local v = live(ARGV[3])
  if not v then
    write(ARGV[3], ARGV[4], expiry(ARGV[5], false))
    return {'ok', ARGV[4]}
  end
  local r = redis.pcall('HINCRBY', D, ARGV[3], ARGV[4])
  if type(r) == 'table' and r.err then return {'slow', r.err} end
  return {'ok', redis.call('HGET', D, ARGV[3])}
elseif op == 'nput' then
  -- numbered put; ARGV: counter, guard key ('' for none), guard expected ('' for absent), key,
  -- head, tail, spec.  Unless the guard record differs from what the caller expected (then nothing
  -- is written and its current text comes back), count the counter up by one (a new counter
  -- starts at 1, without expiry) and write head .. number .. tail under key.
  if ARGV[4] ~= '' then
    local g = live(ARGV[4])
    if (g or '') ~= ARGV[5] then return {'changed', g or ''} end
  end
  local n = live(ARGV[3])
  if not n then
    n = '1'
    write(ARGV[3], n, false)
  else
    local r = redis.pcall('HINCRBY', D, ARGV[3], 1)
    if type(r) == 'table' and r.err then return {'slow', r.err} end
    n = redis.call('HGET', D, ARGV[3])
  end
  local _, e = live(ARGV[6])
  write(ARGV[6], ARGV[7] .. n .. ARGV[8], expiry(ARGV[9], e))
  return {'ok', n}
elseif op == 'purge' then
  -- drop every expired record of the session; returns how many
  local n = 0
  local exp = redis.call('HGETALL', X)
  for i = 1, #exp, 2 do
    if now >= tonumber(exp[i + 1]) then
      redis.call('HDEL', D, exp[i])
      redis.call('HDEL', X, exp[i])
      n = n + 1
    end
  end
  return n
elseif op == 'scan' then
  -- ARGV: prefix, with_expiry; returns key, value[, expiry or ''] triples/pairs of live records
  local prefix, n = ARGV[3], string.len(ARGV[3])
  local out = {}
  local all = redis.call('HGETALL', D)
  for i = 1, #all, 2 do
    local k = all[i]
    if n == 0 or string.sub(k, 1, n) == prefix then
      local v, e = live(k)
      if v then
        table.insert(out, k)
        table.insert(out, v)
        if ARGV[4] == '1' then table.insert(out, e or '') end
      end
    end
  end
  return out
end
return redis.error_reply('unknown store op ' .. tostring(op))
"""


class RedisStore(StateStore):
    """Records of one party in Redis; see the module docstring for how the contract is kept.

    ``clock(session)`` is the session's virtual POSIX time (the runtime passes its shared clock).
    ``cas_retries`` bounds the compare-and-set loop of a member ``incr`` (a very hot record).
    """

    #: How many keys one SCAN step asks for, and how many keys one UNLINK removes, in a reset of all.
    SCAN_COUNT = 500
    #: Every this many writes of this process, expired records of every session are swept in a
    #: background thread - by one process at a time and at most once per ``SWEEP_INTERVAL`` seconds
    #: (a lock in Redis) - so records nobody reads again cannot pile up during a long load test.
    SWEEP_EVERY = 4096
    SWEEP_INTERVAL = 30.0

    def __init__(self, client: redis.Redis, keys: KeySpace, clock: SessionClock | None = None,
                 *, cas_retries: int = 1000) -> None:
        self._redis = client
        self._keys = keys
        self._clock: SessionClock = clock if clock is not None else (lambda _session: time.time())
        self._script = client.register_script(_SCRIPT)
        self._commands = direct(client)
        self._cas_retries = cas_retries
        self._writes = itertools.count(1)

    @property
    def keys(self) -> KeySpace:
        return self._keys

    # ---------------------------------------------------------------- plumbing

    def _call(self, fn: Callable[[], _T]) -> _T:
        try:
            return fn()
        except UnicodeEncodeError:
            # Redis keys are bytes: a Python string with lone surrogates has no UTF-8 form.
            raise StoreKeyError("key, session and prefix must be encodable as UTF-8") from None
        except redis.ResponseError as exc:
            raise StoreUnavailableError(f"state store refused a command: {exc}") from None
        except redis.RedisError as exc:
            raise StoreUnavailableError(f"state store (Redis) unreachable: {exc}") from None

    def _wrote(self) -> None:
        """Count a write; every ``SWEEP_EVERY`` writes, start a sweep if no process swept lately."""
        if next(self._writes) % self.SWEEP_EVERY:
            return
        try:
            hold_ms = int(self.SWEEP_INTERVAL * 1000)
            acquired = self._redis.set(self._keys.sweep_lock, "1", nx=True, px=hold_ms)
        except redis.RedisError:
            return  # the write itself succeeded; a sweep can wait for the next chance
        if acquired:
            threading.Thread(target=self._sweep_quietly, name="redis-store-sweep", daemon=True).start()

    def _sweep_quietly(self) -> None:
        try:
            self.purge_expired()
        except StoreUnavailableError:
            log.warning("sweep of expired records stopped: Redis unreachable")

    def purge_expired(self) -> int:
        """Drop every expired record of every session now; returns how many were dropped.

        Each session is purged atomically against its own virtual clock; sessions are walked with
        SCAN, so a sweep never blocks Redis for long.
        """
        removed = 0
        for session in self.sessions():
            removed += int(self._run(session, "purge"))
        return removed

    def _now(self, session: str) -> float:
        return float(self._clock(session))

    def _run(self, session: str, op: str, *args: str, now: float | None = None) -> Any:
        """Run one store operation as a script; ``now`` is the session's virtual time (read if absent)."""
        when = repr(self._now(session) if now is None else now)
        keys = [self._keys.data(session), self._keys.expiry(session)]
        return self._call(lambda: self._commands.script(self._script, keys, [op, when, *args]))

    @staticmethod
    def _spec(now: float, ttl: TTL) -> str:
        """The script's expiry spec for ``ttl`` (absolute times are computed here, exactly)."""
        if ttl is KEEP_TTL:
            return "keep"
        if ttl is None:
            return "none"
        return repr(now + float(ttl))

    # ---------------------------------------------------------------- interface

    def get(self, session: str, key: str) -> Json | None:
        text = self.get_text(session, key)
        return None if text is None else json_loads(text)

    def get_text(self, session: str, key: str) -> str | None:
        _check_key(session, key)
        text = self._run(session, "get", key)
        return None if text is None else str(text)

    def put(self, session: str, key: str, value: Json, *, ttl: TTL = None) -> None:
        _check_key(session, key)
        _check_ttl(ttl)
        now = self._now(session)
        self._run(session, "put", key, _encode_value(value), self._spec(now, ttl), now=now)
        self._wrote()

    def delete(self, session: str, key: str) -> bool:
        _check_key(session, key)
        return bool(self._run(session, "del", key))

    def scan(self, session: str, prefix: str = "") -> dict[str, Json]:
        _check_key(session, "x")
        flat = self._run(session, "scan", prefix, "0")
        pairs = sorted(zip(flat[0::2], flat[1::2], strict=True))
        return {k: json_loads(v) for k, v in pairs}

    def incr(
        self, session: str, key: str, field: str | None = None, amount: int = 1, *, ttl: TTL = None
    ) -> int:
        _check_key(session, key)
        _check_ttl(ttl)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise StoreValueError(f"incr amount must be an int, got {type(amount).__name__}")
        if field is None and -_INT64 <= amount < _INT64:
            now = self._now(session)
            status, value = self._run(session, "incr", key, str(amount), self._spec(now, ttl), now=now)
            if status == "ok":
                self._wrote()
                return int(value)
        return self._incr_by_cas(session, key, field, amount, ttl)

    def _incr_by_cas(self, session: str, key: str, field: str | None, amount: int, ttl: TTL) -> int:
        """Exact ``incr`` for what the server cannot do (members, big integers, type errors)."""
        for attempt in range(self._cas_retries):
            now = self._now(session)
            text = self._run(session, "get", key, now=now)
            current = None if text is None else json_loads(text)
            result, record = _incremented(key, current, field, amount)
            new_text = _encode(record)
            if text is None:
                args = ("0", "", "1", new_text, self._spec(now, ttl))
            else:
                args = ("1", text, "1", new_text, "keep")
            if self._run(session, "cas", key, *args, now=now):
                self._wrote()
                return result
            if attempt >= 3:
                time.sleep(random.uniform(0, 0.002))  # jitter, not a secret
        raise StoreConflictError(f"incr of {key!r} lost {self._cas_retries} compare-and-set races in a row")

    def batch(self, session: str, ops: Sequence[tuple[str, str]]) -> list[Json | None]:
        """The operations' scripts in one pipelined round trip (each script still atomic on its own)."""
        for op, key in ops:
            _check_key(session, key)
            if op not in ("get", "incr"):
                raise ValueError(f"batch supports get, incr, not {op!r}")
        now = self._now(session)
        when = repr(now)
        keys = (self._keys.data(session), self._keys.expiry(session))
        counter = ("1", "none")  # incr by 1 of a plain counter, no expiry for a new one
        commands = [("EVALSHA", self._script.sha, 2, *keys, op, when, key, *(counter if op == "incr" else ()))
                    for op, key in ops]
        replies = self._call(lambda: self._commands.pipeline(commands))
        results: list[Json | None] = []
        for (op, key), reply in zip(ops, replies, strict=True):
            if isinstance(reply, NoScriptError):  # the server lost the script: these re-load it
                results.append(self.get(session, key) if op == "get" else self.incr(session, key))
            elif isinstance(reply, redis.ResponseError):
                raise StoreUnavailableError(f"state store refused a command: {reply}")
            elif op == "get":
                results.append(None if reply is None else json_loads(reply))
            elif reply[0] == "ok":
                self._wrote()
                results.append(int(reply[1]))
            else:
                results.append(self._incr_by_cas(session, key, None, 1, None))
        return results

    def put_numbered(self, session: str, key: str, value: dict[str, Json], *, counter: str, field: str,
                     guard: tuple[str, str | None] | None = None, ttl: TTL = None) -> NumberedPut:
        """Count ``counter`` up by one and write ``value`` with that number as its member ``field``,
        in one script (one round trip) - what ``incr(counter)`` then ``put(key, ...)`` do, atomically.

        ``guard``: ``(key, expected canonical JSON text or None for absent)``.  When that record's
        text differs, nothing is counted or written and :attr:`NumberedPut.current` carries the
        record's text: the caller decided on stale input and decides again.  ``value`` must not
        hold ``field``; the stored text is exactly the canonical encoding of ``{**value, field: n}``.
        """
        _check_key(session, key)
        _check_key(session, counter)
        _check_ttl(ttl)
        head, tail = _split_encoded(value, field)
        guard_key, expected = ("", "") if guard is None else (guard[0], guard[1] or "")
        if guard is not None:
            _check_key(session, guard_key)
        now = self._now(session)
        status, detail = self._run(session, "nput", counter, guard_key, expected, key, head, tail,
                                   self._spec(now, ttl), now=now)
        if status == "changed":
            return NumberedPut(None, detail or None)
        if status == "ok":
            number = int(detail)
        else:  # not a 64-bit integer counter: the exact (slower) incr decides, or raises
            number = self._incr_by_cas(session, counter, None, 1, None)
            self._run(session, "put", key, head + str(number) + tail, self._spec(now, ttl), now=now)
        self._wrote()
        self._wrote()
        return NumberedPut(number, expected or None)

    def compare_text_and_set(
        self, session: str, key: str, expected_text: str | None, new: Json, *, ttl: TTL = KEEP_TTL
    ) -> bool:
        _check_key(session, key)
        _check_ttl(ttl)
        expected_args = ("0", "") if expected_text is None else ("1", expected_text)
        new_args = ("0", "") if new is None else ("1", _encode(new))
        now = self._now(session)
        spec = self._spec(now, ttl)
        written = bool(self._run(session, "cas", key, *expected_args, *new_args, spec, now=now))
        if written:
            self._wrote()
        return written

    def put_if_absent(self, session: str, key: str, value: Json, *, ttl: TTL = None) -> bool:
        _check_key(session, key)
        _check_ttl(ttl)
        now = self._now(session)
        created = bool(self._run(session, "pia", key, _encode_value(value), self._spec(now, ttl), now=now))
        if created:
            self._wrote()
        return created

    def pop(self, session: str, key: str) -> Json | None:
        _check_key(session, key)
        text = self._run(session, "pop", key)
        return None if text is None else json_loads(text)

    def reset(self, session: str | None = None) -> None:
        if session is not None:
            _check_key(session, "x")
            keys = [self._keys.data(session), self._keys.expiry(session)]
            self._call(lambda: self._redis.delete(*keys))
            return
        pattern = self._keys.session_pattern()
        self._call(lambda: unlink_matching(self._redis, pattern, self.SCAN_COUNT))

    def dump(self, session: str) -> dict[str, dict[str, Json]]:
        _check_key(session, "x")
        flat = self._run(session, "scan", "", "1")
        triples = sorted(zip(flat[0::3], flat[1::3], flat[2::3], strict=True))
        return {k: {"value": json_loads(v), "expiresAt": float(e) if e else None} for k, v, e in triples}

    def sessions(self) -> list[str]:
        def run() -> list[str]:
            found = (self._keys.session_of(name) for name in
                     self._redis.scan_iter(match=self._keys.data_pattern(), count=self.SCAN_COUNT))
            return sorted({s for s in found if s is not None})

        return self._call(run)


class NumberedPut(NamedTuple):
    """What :meth:`RedisStore.put_numbered` did: the number written (``None`` when the guard record
    had changed) and the guard record's current canonical text (``None``: absent)."""

    number: int | None
    current: str | None


def _split_encoded(value: dict[str, Json], field: str) -> tuple[str, str]:
    """The canonical JSON text of ``{**value, field: n}`` cut around ``n``: ``(head, tail)``.

    Canonical JSON sorts an object's members, so the members before ``field`` and those after it
    are each an object's canonical text without its braces: the number is spliced in between.
    """
    if field in value:
        raise StoreValueError(f"the numbered member {field!r} is set by the store, not the caller")
    if not isinstance(field, str) or not all(isinstance(k, str) for k in value):
        raise StoreValueError("a numbered record is an object with string member names")
    before = {k: v for k, v in value.items() if k < field}
    after = {k: v for k, v in value.items() if k > field}
    head = _encode(before)[:-1] + ("," if before else "") + json.dumps(field) + ":"
    tail = ("," + _encode(after)[1:]) if after else "}"
    return head, tail


def _incremented(key: str, current: Json | None, field: str | None, amount: int) -> tuple[int, Json]:
    """``(new counter value, new record)`` - the in-memory store's ``incr`` rules, as a pure function."""
    if field is None:
        if current is not None and (isinstance(current, bool) or not isinstance(current, int)):
            raise StoreTypeError(f"incr on {key!r}: record is not an integer")
        result = (current or 0) + amount
        return result, result
    record = {} if current is None else current
    if not isinstance(record, dict):
        raise StoreTypeError(f"incr on {key!r}.{field}: record is not an object")
    value = record.get(field, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise StoreTypeError(f"incr on {key!r}.{field}: member is not an integer")
    return value + amount, {**record, field: value + amount}
