"""Where a mock's shared state lives in Redis: the client, the key layout and the error type.

Key layout (``<prefix>`` from the config, ``<party>`` the party's name)::

    <prefix>:<party>:{<session>}:d    hash  record key -> canonical JSON text
    <prefix>:<party>:{<session>}:x    hash  record key -> virtual expiry (POSIX seconds), TTL'd records only
    <prefix>:<party>:control          hash  "global" / "s:<session>" -> clock offset in seconds,
                                            "seed" -> the shared seed as JSON (see :mod:`.control`)
    <prefix>:<party>:rng:{<session>}  hash  purpose -> random streams handed out so far (seeded runs)
    <prefix>:<party>:sweep-lock       string  held (with a real-time expiry) while one process sweeps
    <prefix>:<party>:journal          list  newest first, "<session>\\x00<exchange JSON>" (bounded)
    <prefix>:<party>:journal:stats    hash  "dropped" -> entries that fell off the ring
    <prefix>:<party>:journal:ids      string  exchange ids handed out (in blocks)
    <prefix>:<party>:faults           hash  rule id -> {"seq": insertion order, "rule": rule JSON}
    <prefix>:<party>:faults:counters  hash  "matched:<id>" / "fired:<id>" -> totals over all workers
    <prefix>:<party>:faults:n:<id>    hash  session -> matches of that rule in that session
    <prefix>:<party>:faults:ids       string  auto rule ids handed out (``:seq`` the insertion order)

A session's two hashes share one hash tag (``{<session>}``), so every store script touches a single slot and
the layout also works on a Redis Cluster.  Two mock instances never share state unless they share
prefix *and* party, which is what several worker processes of one mock do on purpose.
"""

from __future__ import annotations

import os
import re
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from ..errors import MockError

__all__ = [
    "DirectCommands",
    "KeySpace",
    "StoreUnavailableError",
    "client_for",
    "direct",
    "escape_glob",
    "fork_count",
    "new_connection",
    "unlink_matching",
]

_PREFIX_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_forks = [0]  # forks this process went through: connections made before one are the parent's
os.register_at_fork(after_in_child=lambda: _forks.__setitem__(0, _forks[0] + 1))


def fork_count() -> int:
    """How many forks led to this process (cheaper than ``os.getpid()``, a system call, per command)."""
    return _forks[0]
_clients: dict[tuple[int, str], redis.Redis] = {}
_clients_lock = threading.Lock()


class StoreUnavailableError(MockError):
    """Redis could not be reached or refused a command: the mock cannot answer without its state.

    A 503 (not the 500 of a bug) because the fix is on the operator's side: start Redis, check the URL.
    """

    kind = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message, status=503)


def check_prefix(prefix: str) -> str:
    """Accept a key prefix of 1-64 characters of ``A-Z a-z 0-9 . _ -`` (no glob or hash-tag characters)."""
    if not isinstance(prefix, str) or _PREFIX_RE.fullmatch(prefix) is None:
        raise ValueError(f"redis prefix must be 1-64 characters of A-Z a-z 0-9 . _ -, got {prefix!r}")
    return prefix


def escape_glob(text: str) -> str:
    """``text`` with Redis glob metacharacters escaped, for a literal part of a SCAN MATCH pattern."""
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)


def client_for(url: str) -> redis.Redis:
    """One client (and connection pool) per Redis URL and process.

    Keyed by process id as well: a worker forked from a parent that already connected gets its own
    pool instead of sharing sockets with its siblings.
    """
    key = (os.getpid(), url)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            try:
                client = redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)
            except ValueError as exc:
                raise ValueError(f"invalid redis URL: {exc}") from None
            _clients[key] = client
        return client


class DirectCommands:
    """Per-request commands on connections of our own: the lean path.

    redis-py's ordinary call checks a connection out of the pool and back in for every command (a
    lock, a ``poll()`` of the socket, retry and metrics wrappers) - about half of its client CPU per
    command, measured at ~30 µs against ~13 µs for send-and-read on the connection itself.  Here a
    command takes an idle connection from a short list (made like the client's pool's, so it has
    the same URL, credentials and decoding), sends and reads on it directly, and puts it back; the list
    grows to the most commands ever in flight at once, so a thread-per-request server reuses them
    too.  Errors are the client's: a reply error raises :class:`redis.ResponseError`, a dead socket
    :class:`redis.ConnectionError`.  A command is re-sent once on a fresh connection only when
    *sending* failed (a server restart or a dropped idle socket), never after it may have run.
    """

    #: A connection unused for this long is checked for a close by the server before it is used.
    IDLE_CHECK_SECONDS = 1.0

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._idle: list[tuple[Any, float]] = []
        self._forks = fork_count()

    def _checkout(self) -> Any:
        with self._lock:
            if self._forks != fork_count():  # forked: the parent's sockets are not ours
                self._idle, self._forks = [], fork_count()
            conn, used = self._idle.pop() if self._idle else (None, 0.0)
        if conn is None:
            return new_connection(self._client)
        if time.monotonic() - used > self.IDLE_CHECK_SECONDS:
            # Idle a while: the server may have closed it (restart, timeout).  Over TCP a send to a
            # closed peer still "succeeds", so look first, as the pool does on every checkout.
            try:
                if conn.can_read():
                    conn.disconnect()
            except (redis.ConnectionError, redis.TimeoutError):
                conn.disconnect()
        return conn

    def _checkin(self, conn: Any) -> None:
        with self._lock:
            if self._forks == fork_count():
                self._idle.append((conn, time.monotonic()))

    @staticmethod
    def _send(conn: Any, packed: Any) -> None:
        try:
            conn.send_packed_command(packed)
        except (redis.ConnectionError, redis.TimeoutError):
            conn.disconnect()
            conn.send_packed_command(packed)

    def execute(self, *args: Any) -> Any:
        """One command, e.g. ``execute("HMGET", key, "a", "b")``; the decoded reply."""
        conn = self._checkout()
        try:
            self._send(conn, conn.pack_command(*args))
            return conn.read_response()
        finally:
            self._checkin(conn)  # after a failed read redis-py has already closed it: it reconnects

    def script(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """``EVALSHA`` of a registered script, loading it first if the server lost it (restart, flush)."""
        try:
            return self.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            self.execute("SCRIPT", "LOAD", script.script)
            return self.execute("EVALSHA", script.sha, len(keys), *keys, *args)

    def pipeline(self, commands: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Several commands in one round trip (not a transaction: each is atomic on its own).

        The replies in order; a command the server refused gives its :class:`redis.ResponseError`
        in its place instead of raising, so the caller decides what each failure means.
        """
        conn = self._checkout()
        try:
            self._send(conn, conn.pack_commands(commands))
            replies: list[Any] = []
            for _ in commands:
                try:
                    replies.append(conn.read_response())
                except redis.ResponseError as exc:
                    replies.append(exc)
            return replies
        finally:
            self._checkin(conn)


_direct: weakref.WeakKeyDictionary[redis.Redis, DirectCommands] = weakref.WeakKeyDictionary()


def direct(client: redis.Redis) -> DirectCommands:
    """The :class:`DirectCommands` of ``client`` (one per client, so every part shares its connections)."""
    with _clients_lock:
        found = _direct.get(client)
        if found is None:
            found = _direct[client] = DirectCommands(client)
        return found


def new_connection(client: redis.Redis) -> Any:
    """A connection like those of ``client``'s pool (URL, credentials, protocol, decoding), but not
    counted against the pool's limit: the pool never gets it back, so its count would only grow."""
    pool = client.connection_pool
    return pool.connection_class(**pool.connection_kwargs)


def unlink_matching(client: redis.Redis, pattern: str, batch_size: int = 500) -> int:
    """Remove every key matching ``pattern``, walking with SCAN (never KEYS) and unlinking in batches.

    Not atomic as a whole: keys created meanwhile may survive (quiesce traffic for a clean slate).
    """
    removed = 0
    batch: list[str] = []
    for name in client.scan_iter(match=pattern, count=batch_size):
        batch.append(name)
        if len(batch) >= batch_size:
            removed += int(client.unlink(*batch))
            batch.clear()
    if batch:
        removed += int(client.unlink(*batch))
    return removed


@dataclass(frozen=True)
class KeySpace:
    """Names of one mock's keys (see the module docstring for the layout)."""

    prefix: str
    party: str

    def __post_init__(self) -> None:
        check_prefix(self.prefix)
        if not self.party or any(c in self.party for c in "{}") or len(self.party) > 128:
            raise ValueError(f"party name {self.party!r} cannot be used in Redis keys")

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.party}"

    def data(self, session: str) -> str:
        return f"{self.base}:{{{session}}}:d"

    def expiry(self, session: str) -> str:
        return f"{self.base}:{{{session}}}:x"

    def session_pattern(self) -> str:
        """SCAN pattern of every session's record and expiry hashes."""
        return f"{escape_glob(self.base)}:{{*}}:[dx]"

    def data_pattern(self) -> str:
        return f"{escape_glob(self.base)}:{{*}}:d"

    def session_of(self, data_key: str) -> str | None:
        """The session a record hash belongs to (``None`` for a key outside this space)."""
        head = f"{self.base}:{{"
        if not data_key.startswith(head) or not data_key.endswith("}:d"):
            return None
        return data_key[len(head):-3] or None

    @property
    def control(self) -> str:
        return f"{self.base}:control"

    @property
    def sweep_lock(self) -> str:
        return f"{self.base}:sweep-lock"

    @property
    def journal(self) -> str:
        return f"{self.base}:journal"

    @property
    def journal_stats(self) -> str:
        return f"{self.base}:journal:stats"

    @property
    def journal_ids(self) -> str:
        return f"{self.base}:journal:ids"

    @property
    def fault_rules(self) -> str:
        return f"{self.base}:faults"

    @property
    def fault_counters(self) -> str:
        return f"{self.base}:faults:counters"

    @property
    def fault_ids(self) -> str:
        return f"{self.base}:faults:ids"

    def fault_matches(self, rule_id: str) -> str:
        return f"{self.base}:faults:n:{rule_id}"

    def fault_matches_pattern(self) -> str:
        return f"{escape_glob(self.base)}:faults:n:*"

    def rng(self, session: str) -> str:
        return f"{self.base}:rng:{{{session}}}"

    def rng_pattern(self) -> str:
        return f"{escape_glob(self.base)}:rng:{{*}}"
