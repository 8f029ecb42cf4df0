"""Activation history: one event per status change, kept inside the activation record.

Kept in the record (not as separate records) so that the change and its event are written in the
same atomic update - a history can never disagree with the status it describes.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


def note_status_change(current: Record, before: str | None, reason: str | None, timestamp: float) -> None:
    """Append an event when ``current``'s status differs from ``before`` (``None``: just created)."""
    if current["activationStatus"] == before:
        return
    events = current.setdefault("history", [])
    events.append(
        {
            "id": len(events) + 1,
            "activationId": current["activationId"],
            "activationStatus": current["activationStatus"],
            "eventReason": reason,
            "externalUserId": None,
            "activationName": current.get("activationName"),
            "timestampCreated": timestamp,
        }
    )
