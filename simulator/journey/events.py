"""What a journey reports: one event per step (with the HTTP calls the phone made), and the whole run.

The JSON form is what ``rsim demo --json`` writes and what reports read::

    {"ok": true, "persona": "honest-id-card", "seed": 1, "activation_id": "…",
     "steps": [{"number": 1, "name": "…", "parties": ["device", "wultra"], "ok": true, "ms": 12.3,
                "detail": "…", "calls": [{"method": "POST", "url": "…", "status": 200, "ms": 4.1}]}]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["STEPS", "CallRecord", "JourneyRun", "StepEvent"]

#: Number → (name, parties involved), in the order of the flow.
STEPS: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("activation status checked", ("device", "wultra")),
    2: ("reactivation started, OTP sent by SMS", ("device", "wultra", "bank", "sms-gateway")),
    3: ("identity evidence submitted", ("device", "wultra", "biometry")),
    4: ("evidence verified, trusted image ready", ("device", "wultra", "biometry", "bank")),
    5: ("verification token handed to the face SDK", ("device", "wultra", "biometry")),
    6: ("face scan captured and uploaded", ("device", "biometry")),
    7: ("presence check submitted, verdict fetched server-side", ("device", "wultra", "biometry")),
    8: ("OTP verified, activation code issued", ("device", "wultra")),
    9: ("activation created (two-layer ECIES)", ("device", "wultra")),
    10: ("server answer verified, activation committed", ("device", "wultra")),
    11: ("PIN set, possession+knowledge signature verified", ("device", "wultra")),
}


@dataclass(slots=True)
class CallRecord:
    """One HTTP request the phone (or the bank's backend acting for it) made."""

    method: str
    url: str
    status: int
    ms: float

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "status": self.status, "ms": round(self.ms, 2)}


@dataclass(slots=True)
class StepEvent:
    """One step: its outcome, its wall time and the calls made during it."""

    number: int
    ok: bool = False
    ms: float = 0.0
    detail: str = ""
    calls: list[CallRecord] = field(default_factory=list)

    @property
    def name(self) -> str:
        return STEPS[self.number][0]

    @property
    def parties(self) -> tuple[str, ...]:
        return STEPS[self.number][1]

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "parties": list(self.parties), "ok": self.ok,
                "ms": round(self.ms, 2), "detail": self.detail, "calls": [c.to_json() for c in self.calls]}


@dataclass(slots=True)
class JourneyRun:
    """A whole run: who, with which seed, each step reached, and how it ended."""

    persona: str
    seed: int
    session: str
    steps: list[StepEvent] = field(default_factory=list)
    activation_id: str = ""
    expected_failure: int | None = None

    @property
    def ok(self) -> bool:
        """All 11 steps passed: the client is reactivated."""
        return len(self.steps) == len(STEPS) and all(step.ok for step in self.steps)

    @property
    def failed_step(self) -> StepEvent | None:
        return next((step for step in self.steps if not step.ok), None)

    @property
    def as_expected(self) -> bool:
        """The persona ended as it must: reactivated, or stopped exactly at its expected step."""
        if self.expected_failure is None:
            return self.ok
        failed = self.failed_step
        return failed is not None and failed.number == self.expected_failure

    @property
    def ms(self) -> float:
        return sum(step.ms for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        failed = self.failed_step
        return {
            "ok": self.ok,
            "as_expected": self.as_expected,
            "persona": self.persona,
            "seed": self.seed,
            "session": self.session,
            "activation_id": self.activation_id,
            "failed_step": failed.number if failed else None,
            "ms": round(self.ms, 2),
            "steps": [step.to_json() for step in self.steps],
        }
