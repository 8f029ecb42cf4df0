"""SMS delivery faults and the delivery plan drawn for each message.

A plan is fixed when a message is accepted: when it becomes ``sent``, whether and when it reaches a
final state, and at which offsets copies land in the handset's inbox.  The draws come from the
faults' own ``seed`` (one stream per message number), else from the session's seeded ``sms-faults``
stream, so the same seed and the same sequence of sends give the same deliveries on every run.
"""

from __future__ import annotations

import hashlib
import os
import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

__all__ = ["DEFAULT_FAULTS", "DRAWS", "DelayFault", "SmsFaults", "draw_plan", "draws_for", "faults_from_text",
           "plan_record"]

MAX_SECONDS = 86_400.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class DelayFault(_Model):
    """With ``probability``, delivery is late by a uniform draw in ``minSeconds..maxSeconds``."""

    probability: float = Field(default=0.0, ge=0.0, le=1.0)
    min_seconds: float = Field(default=0.0, ge=0.0, le=MAX_SECONDS)
    max_seconds: float = Field(default=0.0, ge=0.0, le=MAX_SECONDS)

    @model_validator(mode="after")
    def _ordered(self) -> DelayFault:
        if self.min_seconds > self.max_seconds:
            raise ValueError("minSeconds must be ≤ maxSeconds")
        return self


class SmsFaults(_Model):
    """What ``PUT /_admin/sms-faults`` accepts (per session); all probabilities default to 0.

    ``drop``: the message is ``sent`` but never delivered nor reported further.  ``undelivered``:
    the carrier reports 30003 (unreachable handset).  ``failed``: the gateway gives up before sending
    (30008).  ``duplicate``: the handset receives the message twice.  ``reorder``: a random lag of up
    to ``reorderWindowSeconds`` so later messages can overtake it.  ``sendSeconds`` /
    ``deliverSeconds``: the normal latency of each hop on the virtual clock.
    """

    seed: int | None = None
    send_seconds: float = Field(default=1.0, ge=0.0, le=MAX_SECONDS)
    deliver_seconds: float = Field(default=2.0, ge=0.0, le=MAX_SECONDS)
    delay: DelayFault = Field(default_factory=DelayFault)
    drop: float = Field(default=0.0, ge=0.0, le=1.0)
    duplicate: float = Field(default=0.0, ge=0.0, le=1.0)
    duplicate_lag_seconds: float = Field(default=1.0, ge=0.0, le=MAX_SECONDS)
    reorder: float = Field(default=0.0, ge=0.0, le=1.0)
    reorder_window_seconds: float = Field(default=30.0, ge=0.0, le=MAX_SECONDS)
    undelivered: float = Field(default=0.0, ge=0.0, le=1.0)
    failed: float = Field(default=0.0, ge=0.0, le=1.0)
    callback_attempts: int = Field(default=3, ge=1, le=10)


#: Uniform draws per message: failed, drop, undelivered, delay, reorder, duplicate, one spare (kept so
#: the streams stay where they always were), the delay's lag and the reorder's shuffle.
DRAWS = 9
_RECIP_BPF = 2.0**-53  # random.RECIP_BPF


def _stream(faults: SmsFaults, number: int, fallback: random.Random) -> random.Random:
    if faults.seed is None:
        return fallback
    material = f"sms-faults\x00{faults.seed}\x00{number}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))


def draws_for(faults: SmsFaults, number: int, fallback: random.Random) -> list[float]:
    """The message's :data:`DRAWS` uniform draws in ``[0, 1)``: from the faults' own seed and the
    message number when the faults are seeded, else from ``fallback`` (every draw happens, so
    streams stay aligned)."""
    rng = _stream(faults, number, fallback)
    if type(rng) is random.SystemRandom:
        # What SystemRandom.random() does per draw (7 bytes of os.urandom, 53 bits), from one read
        # of the OS generator instead of nine: the same distribution, a ninth of the system calls.
        block = os.urandom(7 * DRAWS)
        return [(int.from_bytes(block[i:i + 7]) >> 3) * _RECIP_BPF for i in range(0, 7 * DRAWS, 7)]
    return [rng.random() for _ in range(DRAWS)]


def plan_record(faults: SmsFaults, draws: list[float]) -> dict[str, Any]:
    """The delivery plan as stored in the message record (``steps`` of ``[offset, status]``,
    ``errorCode``, ``copies``, ``faults``), decided by ``draws`` (see :func:`draws_for`).

    Built as plain data: the draws are the same whichever faults apply, so a send that learns the
    session's faults late (see :mod:`.models`) decides again from the same draws.  The lag and the
    shuffle are ``Random.uniform`` computed from their draw (``a + (b - a) * u``, bit for bit).
    """
    lag = faults.delay.min_seconds + (faults.delay.max_seconds - faults.delay.min_seconds) * draws[7]
    shuffle = 0.0 + (faults.reorder_window_seconds - 0.0) * draws[8]
    sent_at = faults.send_seconds
    final_at = sent_at + faults.deliver_seconds
    if draws[0] < faults.failed:
        return _plan([[sent_at, "failed"]], 30008, [], ["failed"])
    if draws[1] < faults.drop:
        return _plan([[sent_at, "sent"]], None, [], ["drop"])
    if draws[2] < faults.undelivered:
        return _plan([[sent_at, "sent"], [final_at, "undelivered"]], 30003, [], ["undelivered"])
    hit: list[str] = []
    if draws[3] < faults.delay.probability:
        final_at += lag
        hit.append("delay")
    if draws[4] < faults.reorder:
        final_at += shuffle
        hit.append("reorder")
    copies = [final_at]
    if draws[5] < faults.duplicate:
        copies.append(final_at + faults.duplicate_lag_seconds)
        hit.append("duplicate")
    return _plan([[sent_at, "sent"], [final_at, "delivered"]], None, copies, hit)


def _plan(steps: list[list[Any]], error_code: int | None, copies: list[float],
          faults: list[str]) -> dict[str, Any]:
    return {"steps": steps, "errorCode": error_code, "copies": copies, "faults": faults}


def draw_plan(faults: SmsFaults, number: int, fallback: random.Random) -> dict[str, Any]:
    """The plan of the ``number``-th message of a session, as stored in its record."""
    return plan_record(faults, draws_for(faults, number, fallback))


DEFAULT_FAULTS = SmsFaults()
_PARSED_MAX = 256
_parsed: dict[str, SmsFaults] = {}


def faults_from_text(text: str | None) -> SmsFaults:
    """The stored fault settings (their canonical JSON text; ``None``: none stored, the defaults).

    Parsed once per distinct text and kept (at most :data:`_PARSED_MAX`; the models are frozen):
    every send needs them, and pydantic validation would cost more than the rest of the plan.
    """
    if text is None:
        return DEFAULT_FAULTS
    found = _parsed.get(text)
    if found is None:
        found = SmsFaults.model_validate_json(text)
        if len(_parsed) >= _PARSED_MAX:
            _parsed.clear()
        _parsed[text] = found
    return found
