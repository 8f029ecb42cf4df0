"""Faults of the alert service itself, set per session at ``/_admin/alert-faults``.

The framework's ``/_admin/faults`` already injects latency, error answers and connection resets on
any route, and the SMS gateway has its own delivery faults; what neither can express is a bank whose
alert service misbehaves *behind a normal answer*:

* ``refuse`` - the alert service is out: ``/otp/send`` answers ``{"otpSent": false}`` without
  contacting the gateway (Wultra must fail the start with ``ONBOARDING_OTP_FAILED``);
* ``drop`` - the alert service claims ``{"otpSent": true}`` but sends nothing (the client never gets
  the code; the flow must run into the OTP's expiry, not hang).

Each probability is drawn per alert from the faults' own ``seed`` (one stream per alert number), else
from the session's seeded ``alert-faults`` stream, so the same seed and the same calls give the same
faults on every run.
"""

from __future__ import annotations

import hashlib
import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from mocks.framework import rng, store

__all__ = ["FAULTS_KEY", "AlertFaults", "clear_faults", "draw_fault", "load_faults", "save_faults"]

FAULTS_KEY = "config:alert-faults"
AlertFault = Literal["refuse", "drop"]


class AlertFaults(BaseModel):
    """What ``PUT /_admin/alert-faults`` accepts; probabilities default to 0 (no fault)."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)

    seed: int | None = None
    refuse: float = Field(default=0.0, ge=0.0, le=1.0)
    drop: float = Field(default=0.0, ge=0.0, le=1.0)


def load_faults() -> AlertFaults:
    raw = store().get(FAULTS_KEY)
    return AlertFaults() if raw is None else AlertFaults.model_validate(raw)


def save_faults(faults: AlertFaults) -> AlertFaults:
    store().put(FAULTS_KEY, faults.model_dump(mode="json", by_alias=True))
    return faults


def clear_faults() -> None:
    store().delete(FAULTS_KEY)


def _stream(faults: AlertFaults, number: int) -> random.Random:
    if faults.seed is None:
        return rng("alert-faults")
    material = f"{faults.seed}\x00alert-fault\x00{number}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(material).digest(), "big"))


def draw_fault(number: int) -> AlertFault | None:
    """The fault (if any) that hits alert number ``number`` of the session."""
    faults = load_faults()
    if faults.refuse == 0.0 and faults.drop == 0.0:
        return None
    draw = _stream(faults, number).random()
    if draw < faults.refuse:
        return "refuse"
    if draw < faults.refuse + faults.drop:
        return "drop"
    return None
