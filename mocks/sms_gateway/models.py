"""Messages and handset inboxes: JSON records in the framework store, advanced on the virtual clock.

Records (per isolation session):

* ``msg:{sid}`` - one message: its request, segment count, current ``status`` and ``step`` (how many
  plan steps have been reached), and the :class:`~.delivery.DeliveryPlan` drawn when it was accepted.
* ``inbox:{E.164}:{sid}:{copy}`` - one SMS as the handset received it (a duplicated delivery gives
  two copies), with a ``read`` flag.
* ``callbacks:{sid}`` - the status callbacks sent for a message and how many attempts each took.
* ``config:sms-faults`` - the session's :class:`~.delivery.SmsFaults`.

A send numbers its message from ``seq:messages`` and decides its plan from the session's fault
settings; on Redis the number, a check that the settings are still those the plan was decided with,
and the record's write are one script (:func:`send_message`).

Nothing runs in the background: :func:`advance` moves a message along its plan whenever someone looks
(send, fetch, list, handset inbox), and the request that wins the compare-and-set for a transition is
the one that reports it to the ``StatusCallback``, so each transition is reported exactly once.
"""

from __future__ import annotations

import json
import random
from typing import Any, cast

from mocks.framework import current_runtime, current_session, now, rng, store
from mocks.framework.store import SessionStore

from .accounts import Account
from .callbacks import notify
from .delivery import SmsFaults, draws_for, faults_from_text, plan_record
from .exceptions import MessageNotFoundError, TwilioError
from .segments import count_segments
from .validation import SendRequest, is_e164

__all__ = [
    "FAULTS_KEY",
    "advance",
    "advance_all",
    "clear_faults",
    "get_message",
    "handset_inbox",
    "list_messages",
    "load_faults",
    "mark_read",
    "save_faults",
    "send_message",
]

FAULTS_KEY = "config:sms-faults"
SEQ_KEY = "seq:messages"
FINAL = ("delivered", "undelivered", "failed")


def load_faults(s: SessionStore | None = None) -> SmsFaults:
    """The session's delivery faults (defaults: none, 1 s to ``sent``, 2 s more to ``delivered``)."""
    return _faults_from((s or store()).get(FAULTS_KEY))


def _canonical(value: Any) -> str:
    """The store's canonical JSON text of a record (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _faults_from(raw: Any) -> SmsFaults:
    """The stored fault settings as the model (none stored: the defaults)."""
    return faults_from_text(None if raw is None else _canonical(raw))


def save_faults(faults: SmsFaults) -> SmsFaults:
    s = store()
    value = faults.model_dump(mode="json", by_alias=True)
    s.put(FAULTS_KEY, value)
    _seen_faults.note(s, _canonical(value))
    return faults


def clear_faults() -> None:
    s = store()
    s.delete(FAULTS_KEY)
    _seen_faults.note(s, None)


class _SeenFaults:
    """Per worker: each session's fault settings as this process last saw them (canonical text,
    ``None`` for none stored).

    Only a guess: a send on a store that can guard its write (:meth:`RedisStore.put_numbered`)
    decides the plan with the guess and has the store check it in the same round trip; if another
    worker changed the settings meanwhile, nothing is written and the send decides again.  Bounded
    (the dict starts over when full); an unknown session is guessed to have none (the usual case).
    """

    MAX = 4096

    def __init__(self) -> None:
        self._texts: dict[tuple[int, str], str | None] = {}

    def guess(self, s: SessionStore) -> str | None:
        return self._texts.get((id(s.store), s.session))

    def note(self, s: SessionStore, text: str | None) -> None:
        if len(self._texts) >= self.MAX:
            self._texts.clear()
        self._texts[(id(s.store), s.session)] = text


_seen_faults = _SeenFaults()


class _Draws:
    """The message's fallback draws, taken once when first needed (seeded faults use their own stream)."""

    def __init__(self, fallback: random.Random) -> None:
        self._fallback = fallback
        self._taken: list[float] | None = None

    def for_plan(self, faults: SmsFaults, number: int) -> list[float]:
        if faults.seed is not None:
            return draws_for(faults, number, self._fallback)
        if self._taken is None:
            self._taken = draws_for(faults, number, self._fallback)
        return self._taken


def send_message(req: SendRequest, acct: Account) -> dict[str, Any]:
    """Accept a message: queue it with a drawn delivery plan, then advance it to 'now'.

    The record takes the session's next message number (``seq:messages``) and a plan decided by
    the session's fault settings.  On Redis both happen in one script with the record's write
    (:func:`_queue_guarded`); elsewhere the counter and the settings are read in one batch, then the
    record is written.
    """
    s = store()
    ids, fallback = _streams("ids", "sms-faults")
    sid = f"SM{ids.getrandbits(128):032x}"
    draws = _Draws(fallback)
    info = count_segments(req.body)
    moment = now().timestamp()
    record: dict[str, Any] = {
        "sid": sid,
        "accountSid": acct.sid,
        "to": req.to,
        "from": req.from_,
        "messagingServiceSid": req.messaging_service_sid,
        "body": req.body,
        "numSegments": info.segments,
        "encoding": info.encoding,
        "statusCallback": req.status_callback,
        "createdAt": moment,
        "updatedAt": moment,
        "sentAt": None,
        "status": "queued",
        "step": 0,
        "errorCode": None,
    }
    queued = _queue_guarded(s, record, draws)
    if queued is None:
        counter, raw_faults = s.batch(("incr", SEQ_KEY), ("get", FAULTS_KEY))  # one round trip
        number = cast(int, counter)  # incr always answers an int
        faults = _faults_from(raw_faults)
        queued = {**record, "seq": number, "callbackAttempts": faults.callback_attempts,
                  "plan": plan_record(faults, draws.for_plan(faults, number))}
        s.put(f"msg:{sid}", queued)
    # The record just written is the current one, unless a racing request already advanced it -
    # then the compare-and-set in advance() fails and it re-reads; no read-back needed.
    return advance(s, sid, acct, known=queued) or queued


def _streams(*purposes: str) -> list[random.Random]:
    """The session's generators for ``purposes``, as ``rng(purpose)`` gives them one by one - in
    one round trip where the random source can count several streams at once (seeded, on Redis)."""
    source = current_runtime().random
    many = getattr(source, "for_session_many", None)
    if many is None:
        return [rng(purpose) for purpose in purposes]
    return cast(list[random.Random], many(current_session(), purposes))


def _queue_guarded(s: SessionStore, record: dict[str, Any], draws: _Draws) -> dict[str, Any] | None:
    """Number and write the message in one round trip, with a plan decided by the fault settings
    this worker last saw - the store writes only if those are still the session's settings, else
    the plan is decided again from the same draws.  ``None`` when the store has no such write, or
    the faults are seeded (their stream needs the message number first)."""
    put_numbered = getattr(s.store, "put_numbered", None)
    if put_numbered is None:
        return None
    seen = _seen_faults.guess(s)
    for _attempt in range(3):
        faults = faults_from_text(seen)
        if faults.seed is not None:
            return None
        plan = plan_record(faults, draws.for_plan(faults, 0))
        full = {**record, "callbackAttempts": faults.callback_attempts, "plan": plan}
        done = put_numbered(s.session, f"msg:{record['sid']}", full, counter=SEQ_KEY, field="seq",
                            guard=(FAULTS_KEY, seen))
        _seen_faults.note(s, done.current)
        if done.number is not None:
            return {**full, "seq": done.number}
        seen = done.current
    return None


def _advanced(record: dict[str, Any], elapsed: float) -> dict[str, Any] | None:
    steps = record["plan"]["steps"]
    reached = sum(1 for offset, _ in steps if offset <= elapsed)
    if reached <= record["step"]:
        return None
    offset, status = steps[reached - 1]
    new = {**record, "step": reached, "status": status, "updatedAt": record["createdAt"] + offset}
    if status == "sent" or (record["sentAt"] is None and status in ("delivered", "undelivered")):
        new["sentAt"] = record["createdAt"] + steps[0][0]
    if status in ("undelivered", "failed"):
        new["errorCode"] = record["plan"]["errorCode"]
    return new


def _deliver_copies(s: SessionStore, record: dict[str, Any], elapsed: float) -> None:
    for index, offset in enumerate(record["plan"]["copies"]):
        if offset <= elapsed:
            s.put_if_absent(
                f"inbox:{record['to']}:{record['sid']}:{index}",
                {"id": f"{record['sid']}-{index}", "sid": record["sid"], "seq": record["seq"],
                 "from": record["from"] or record["messagingServiceSid"], "body": record["body"],
                 "receivedAt": record["createdAt"] + offset, "read": False},
            )


def advance(s: SessionStore, sid: str, acct: Account, *,
            known: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Bring one message up to the session's virtual 'now'; report newly reached states.

    ``known``: the record as this request just wrote it, used for the first attempt instead of a
    read.  A stale ``known`` is harmless: a transition computed from it loses the compare-and-set and
    the loop re-reads; with no transition due, it is what a read made just before the other writer's
    change would have returned.
    """
    key = f"msg:{sid}"
    moment = now().timestamp()
    while True:
        current, known = (known, None) if known is not None else (s.get(key), None)
        if current is None:
            return None
        elapsed = moment - current["createdAt"]
        new = _advanced(current, elapsed)
        if new is None:
            _deliver_copies(s, current, elapsed)
            return dict(current)
        if s.compare_and_set(key, current, new):
            _deliver_copies(s, new, elapsed)
            passed = [status for _, status in new["plan"]["steps"][current["step"]:new["step"]]]
            if new["statusCallback"]:
                notify(s, new, passed, acct)
            return dict(new)


def advance_all(acct: Account, *, to: str | None = None) -> list[dict[str, Any]]:
    """Advance every message of the session (optionally only those to one handset)."""
    s = store()
    records = []
    for key, record in s.scan("msg:").items():
        if to is not None and record["to"] != to:
            continue
        advanced = advance(s, key.removeprefix("msg:"), acct)
        if advanced is not None:
            records.append(advanced)
    return records


def get_message(sid: str, acct: Account) -> dict[str, Any]:
    record = advance(store(), sid, acct) if sid.startswith("SM") else None
    if record is None:
        raise MessageNotFoundError(sid[:64])
    return record


def list_messages(acct: Account, *, to: str | None, sender: str | None) -> list[dict[str, Any]]:
    """Messages newest first, optionally filtered by ``To`` / ``From``."""
    records = advance_all(acct, to=to)
    if sender is not None:
        records = [r for r in records if r["from"] == sender]
    return sorted(records, key=lambda r: r["seq"], reverse=True)


def _check_number(number: str) -> None:
    if not is_e164(number):
        raise TwilioError(f"{number[:40]} is not an E.164 phone number", code=21211, status=400)


def handset_inbox(number: str, acct: Account, *, unread_only: bool = False) -> list[dict[str, Any]]:
    """What the phone at ``number`` has received, newest first."""
    _check_number(number)
    advance_all(acct, to=number)
    entries = list(store().scan(f"inbox:{number}:").values())
    if unread_only:
        entries = [e for e in entries if not e["read"]]
    return sorted(entries, key=lambda e: (e["receivedAt"], e["seq"], e["id"]), reverse=True)


def mark_read(number: str, entry_id: str) -> dict[str, Any]:
    """Mark one inbox entry read (idempotent); 404 when the handset has no such entry."""
    _check_number(number)
    sid, _, copy = entry_id.rpartition("-")
    key = f"inbox:{number}:{sid}:{copy}"
    if not sid or not copy.isdigit():
        raise TwilioError(f"no message {entry_id[:64]} on handset {number}", code=20404, status=404,
                          kind="not_found")
    updated = store().update(key, lambda e: None if e is None else {**e, "read": True})
    if updated is None:
        raise TwilioError(f"no message {entry_id[:64]} on handset {number}", code=20404, status=404,
                          kind="not_found")
    return updated
