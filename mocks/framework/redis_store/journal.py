""":class:`RedisJournal`: the request journal in a Redis list, so a search sees every worker's exchanges.

Each exchange is pushed at the end of its request as ``<session>\\x00<JSON>`` by one Lua script that
also trims the list to the capacity (counting what falls off), so the journal stays a bounded ring
however many workers write to it.  The session prefix lets the "clear one session" script filter
entries without decoding them.  Searches read the whole list and filter in Python, like the
in-memory journal: an admin call, not a hot path.

Exchange ids come from a shared counter in blocks (``INCRBY`` of :attr:`RedisJournal.ID_BLOCK`), so
ids are unique across workers without a round trip per request; they grow with time within one
worker but not across workers - order by journal position, which is the order of recording.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from ..journal import Exchange, Journal, JournalQuery, OutboundCall
from .connection import KeySpace
from .control import SharedControl

__all__ = ["RedisJournal"]

_RECORD = r"""
redis.call('LPUSH', KEYS[1], ARGV[1])
if redis.call('LLEN', KEYS[1]) > tonumber(ARGV[2]) then
  redis.call('RPOP', KEYS[1])
  redis.call('HINCRBY', KEYS[2], 'dropped', 1)
end
return 1
"""

# ARGV: the sessions whose entries go (one pass over the list, whatever their number).
_CLEAR_SESSION = r"""
local gone = {}
for _, s in ipairs(ARGV) do gone[s] = true end
local all = redis.call('LRANGE', KEYS[1], 0, -1)
local kept = {}
for i = #all, 1, -1 do
  local cut = string.find(all[i], '\0', 1, true)
  if not cut or not gone[string.sub(all[i], 1, cut - 1)] then table.insert(kept, all[i]) end
end
if #kept == #all then return 0 end
redis.call('DEL', KEYS[1])
for i = 1, #kept, 1000 do
  redis.call('LPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept)))
end
return #all - #kept
"""


def _decode(entry: str) -> Exchange:
    _session, _sep, text = entry.partition("\x00")
    data: dict[str, Any] = json.loads(text)
    data["outbound"] = [OutboundCall(**call) for call in data.get("outbound", [])]
    return Exchange(**data)


class RedisJournal(Journal):
    """A :class:`Journal` shared by every worker through one Redis list."""

    ID_BLOCK = 256

    def __init__(self, control: SharedControl, keys: KeySpace, capacity: int = 1000,
                 body_limit: int = 4096) -> None:
        super().__init__(capacity, body_limit)
        self._control = control
        self._client = control.client
        self._list = keys.journal
        self._stats = keys.journal_stats
        self._ids = keys.journal_ids
        self._record = self._client.register_script(_RECORD)
        self._clear_session = self._client.register_script(_CLEAR_SESSION)
        self._id_lock = threading.Lock()
        self._next_id = 0
        self._block_end = 0

    def _guard(self, fn: Any) -> Any:
        return self._control.guard(fn)

    def allocate_id(self) -> int:
        with self._id_lock:
            if self._next_id >= self._block_end:
                end = int(self._guard(lambda: self._client.incrby(self._ids, self.ID_BLOCK)))
                self._next_id, self._block_end = end - self.ID_BLOCK + 1, end + 1
            value = self._next_id
            self._next_id += 1
            return value

    def record(self, exchange: Exchange) -> None:
        # vars(), not dataclasses.asdict: asdict deep-copies every header and body on every request.
        fields = {**vars(exchange), "outbound": [vars(call) for call in exchange.outbound]}
        entry = f"{exchange.session}\x00{json.dumps(fields, default=str)}"
        self._guard(lambda: self._control.commands.script(self._record, [self._list, self._stats],
                                                         [entry, self.capacity]))

    def _all(self) -> list[Exchange]:
        """Every entry, oldest first."""
        entries = self._guard(lambda: self._client.lrange(self._list, 0, -1))
        return [_decode(e) for e in reversed(entries)]

    def search(self, query: JournalQuery | None = None) -> list[Exchange]:
        query = query or JournalQuery()
        hits = [e for e in self._all() if query.matches(e)]
        limit = max(0, query.limit)
        return hits[-limit:] if limit else []

    def get(self, exchange_id: int) -> Exchange | None:
        return next((e for e in self._all() if e.id == exchange_id), None)

    def clear(self, session: str | None = None) -> int:
        if session is None:
            def drop() -> int:
                with self._client.pipeline(transaction=True) as pipe:
                    pipe.llen(self._list)
                    pipe.delete(self._list)
                    return int(pipe.execute()[0])

            return int(self._guard(drop))
        return self.clear_sessions([session])

    def clear_sessions(self, sessions: Iterable[str]) -> int:
        """Drop the entries of several sessions in one script (one pass over the shared list)."""
        names = list(sessions)
        if not names:
            return 0
        return int(self._guard(lambda: self._clear_session(keys=[self._list], args=names)))

    def stats(self) -> dict[str, int]:
        def read() -> tuple[int, Any]:
            with self._client.pipeline(transaction=True) as pipe:
                pipe.llen(self._list)
                pipe.hget(self._stats, "dropped")
                size, dropped = pipe.execute()
                return int(size), dropped

        size, dropped = self._guard(read)
        return {"size": size, "capacity": self.capacity, "dropped": int(dropped or 0)}

    def __len__(self) -> int:
        return int(self._guard(lambda: self._client.llen(self._list)))
