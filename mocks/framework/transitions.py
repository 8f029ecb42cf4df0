"""When an asynchronous model moves on: moto-style transition policies, settable per session.

Real providers are asynchronous: a biometry job is ``PENDING`` before it is ``DONE``, an SMS is
``SENT`` before ``DELIVERED``.  A party decides *whether* its job may move on by asking the policy
for that kind of transition, which a test sets over ``/_admin/transitions``:

* ``immediate`` - at the first look (the default: fast, deterministic tests);
* ``time`` - once ``seconds`` of the session's *virtual* time have passed since the job started;
* ``reads`` - on the ``reads``-th poll of the job;
* ``manual`` - only after a test releases that job id (``POST /_admin/transitions/release``).

Policies and releases live in the store (``_transition:`` / ``_released:`` keys), so they are
isolated per session and cleared by a reset like all other state.  The party keeps its own state
machine; this module only answers "is it due?".
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import MockError
from .store import StateStore

__all__ = ["TransitionError", "TransitionPolicy", "Transitions"]

POLICY_PREFIX = "_transition:"
RELEASE_PREFIX = "_released:"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class TransitionError(MockError):
    """A malformed transition kind or job id."""

    kind = "validation"


def _check(name: object, what: str) -> str:
    if not isinstance(name, str) or _NAME_RE.fullmatch(name) is None:
        raise TransitionError(f"{what} must be 1-64 characters of A-Z a-z 0-9 . _ -, got {name!r}")
    return name


class TransitionPolicy(BaseModel):
    """How a kind of job moves on (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["immediate", "time", "reads", "manual"] = "immediate"
    seconds: float = Field(default=0.0, ge=0, le=7 * 86400)
    reads: int = Field(default=1, ge=1, le=100_000)

    def is_due(self, *, started_at: float, now: float, reads: int = 1, released: bool = False) -> bool:
        """Whether a job started at virtual time ``started_at`` and polled ``reads`` times may move on."""
        if self.mode == "immediate":
            return True
        if self.mode == "time":
            return now >= started_at + self.seconds
        if self.mode == "reads":
            return reads >= self.reads
        return released


class Transitions:
    """Policies per (session, kind) and manual releases per (session, kind, job id), in the store."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def set(self, session: str, kind: str, policy: TransitionPolicy) -> None:
        self._store.put(session, POLICY_PREFIX + _check(kind, "transition kind"), policy.model_dump())

    def get(self, session: str, kind: str, default: TransitionPolicy | None = None) -> TransitionPolicy:
        """The session's policy for ``kind``, else ``default`` (else ``immediate``)."""
        raw = self._store.get(session, POLICY_PREFIX + _check(kind, "transition kind"))
        if raw is None:
            return default if default is not None else TransitionPolicy()
        return TransitionPolicy.model_validate(raw)

    def list(self, session: str) -> dict[str, dict[str, object]]:
        return {k.removeprefix(POLICY_PREFIX): v for k, v in self._store.scan(session, POLICY_PREFIX).items()}

    def clear(self, session: str, kind: str | None = None) -> None:
        if kind is not None:
            self._store.delete(session, POLICY_PREFIX + _check(kind, "transition kind"))
            return
        for key in self._store.scan(session, POLICY_PREFIX):
            self._store.delete(session, key)

    def release(self, session: str, kind: str, job_id: str) -> None:
        """Let one job of a ``manual`` kind move on."""
        key = f"{RELEASE_PREFIX}{_check(kind, 'transition kind')}:{_check(job_id, 'job id')}"
        self._store.put(session, key, True)

    def released(self, session: str, kind: str, job_id: str) -> bool:
        key = f"{RELEASE_PREFIX}{_check(kind, 'transition kind')}:{_check(job_id, 'job id')}"
        return self._store.get(session, key) is True
