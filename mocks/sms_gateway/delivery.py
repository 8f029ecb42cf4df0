"""SMS delivery faults and the delivery plan drawn for each message.

A plan is fixed when a message is accepted: when it becomes ``sent``, whether and when it reaches a
final state, and at which offsets copies land in the handset's inbox.  The draws come from the
faults' own ``seed`` (one stream per message number), else from the session's seeded ``sms-faults``
stream, so the same seed and the same sequence of sends give the same deliveries on every run.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

__all__ = ["DelayFault", "DeliveryPlan", "SmsFaults", "draw_plan"]

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


class DeliveryPlan(_Model):
    """Offsets (seconds after acceptance) of each step, and which faults hit this message."""

    steps: list[tuple[float, str]]
    error_code: int | None = None
    copies: list[float] = Field(default_factory=list)
    faults: list[str] = Field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def _stream(faults: SmsFaults, number: int, fallback: random.Random) -> random.Random:
    if faults.seed is None:
        return fallback
    material = f"sms-faults\x00{faults.seed}\x00{number}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))


def draw_plan(faults: SmsFaults, number: int, fallback: random.Random) -> DeliveryPlan:
    """The plan of the ``number``-th message of a session (every draw happens, so streams stay aligned)."""
    rng = _stream(faults, number, fallback)
    draws = [rng.random() for _ in range(7)]
    lag = rng.uniform(faults.delay.min_seconds, faults.delay.max_seconds)
    shuffle = rng.uniform(0.0, faults.reorder_window_seconds)
    sent_at = faults.send_seconds
    final_at = sent_at + faults.deliver_seconds
    hit: list[str] = []
    if draws[0] < faults.failed:
        return DeliveryPlan(steps=[(sent_at, "failed")], error_code=30008, faults=["failed"])
    if draws[1] < faults.drop:
        return DeliveryPlan(steps=[(sent_at, "sent")], faults=["drop"])
    if draws[2] < faults.undelivered:
        return DeliveryPlan(steps=[(sent_at, "sent"), (final_at, "undelivered")], error_code=30003,
                            faults=["undelivered"])
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
    return DeliveryPlan(steps=[(sent_at, "sent"), (final_at, "delivered")], copies=copies, faults=hit)
