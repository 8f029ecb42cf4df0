"""Process events Wultra reports (``/process/event``): recorded as received, for tests to inspect.

Both generations fit: 1.x ``{processId, identityVerificationId, userId, type: "FINISHED", data}`` and
2.2 ``{id, timestamp, type, userId, externalUserId, processId, processType, identityVerificationId,
eventData}``.  Records (per session): ``event:{seq}``, oldest first.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import now, store
from mocks.framework.store import SessionStore

from .models import ProcessEventRequest

__all__ = ["EVENT", "list_events", "record_event"]

EVENT = "event:"


def record_event(req: ProcessEventRequest) -> dict[str, Any]:
    s = store()
    seq = s.incr("seq:events")
    record = {"seq": seq, "receivedAt": now().isoformat(),
              **req.model_dump(mode="json", by_alias=True, exclude_none=True)}
    s.put(f"{EVENT}{seq:06d}", record)
    return record


def list_events(s: SessionStore | None = None, *, process_id: str | None = None,
                event_type: str | None = None) -> list[dict[str, Any]]:
    events = list((s or store()).scan(EVENT).values())
    return [e for e in events
            if (process_id is None or e["processId"] == process_id)
            and (event_type is None or e["type"] == event_type)]
