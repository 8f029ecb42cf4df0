"""Render records as Twilio's JSON resources (Message, message page) and handset inbox entries."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

__all__ = ["API_VERSION", "handset_entry", "message_page", "message_resource", "rfc2822"]

API_VERSION = "2010-04-01"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(timestamp: float | None) -> str | None:
    """Twilio's date format, e.g. ``Thu, 30 Jul 2015 20:12:31 +0000``.

    What ``email.utils.format_datetime`` gives for the UTC time cut to whole seconds (English names
    whatever the locale), built directly: a send renders three of these, and the generic formatter
    costs more than twice as much.
    """
    if timestamp is None:
        return None
    # The second datetime.fromtimestamp lands on: microseconds rounded half-even, carried over.
    fraction, whole = math.modf(timestamp)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        whole += 1
    elif micro < 0:
        whole -= 1
    t = time.gmtime(whole)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")


def _messages_uri(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/Messages"


def message_resource(record: dict[str, Any]) -> dict[str, Any]:
    """The Message resource as Twilio returns it (``num_segments`` is a string there too)."""
    uri = f"{_messages_uri(record['accountSid'])}/{record['sid']}"
    return {
        "account_sid": record["accountSid"],
        "api_version": API_VERSION,
        "body": record["body"],
        "date_created": rfc2822(record["createdAt"]),
        "date_sent": rfc2822(record["sentAt"]),
        "date_updated": rfc2822(record["updatedAt"]),
        "direction": "outbound-api",
        "error_code": record["errorCode"],
        "error_message": None if record["errorCode"] is None else _error_text(record["errorCode"]),
        "from": record["from"],
        "messaging_service_sid": record["messagingServiceSid"],
        "num_media": "0",
        "num_segments": str(record["numSegments"]),
        "price": None,
        "price_unit": "USD",
        "sid": record["sid"],
        "status": record["status"],
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": record["to"],
        "uri": f"{uri}.json",
    }


def _error_text(code: int) -> str:
    return {30003: "Unreachable destination handset", 30008: "Unknown error"}.get(code, "Delivery error")


def message_page(account_sid: str, records: list[dict[str, Any]], page: int, page_size: int,
                 query: str) -> dict[str, Any]:
    """One page of a message list with Twilio's paging fields."""
    start = page * page_size
    chunk = records[start:start + page_size]
    base = f"{_messages_uri(account_sid)}.json"
    extra = f"&{query}" if query else ""

    def link(number: int) -> str:
        return f"{base}?PageSize={page_size}&Page={number}{extra}"

    more = start + page_size < len(records)
    return {
        "messages": [message_resource(r) for r in chunk],
        "page": page,
        "page_size": page_size,
        "start": start,
        "end": start + max(len(chunk) - 1, 0),
        "uri": link(page),
        "first_page_uri": link(0),
        "next_page_uri": link(page + 1) if more else None,
        "previous_page_uri": link(page - 1) if page > 0 else None,
    }


def handset_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One SMS as the virtual phone shows it."""
    return {"id": entry["id"], "messageSid": entry["sid"], "from": entry["from"], "body": entry["body"],
            "receivedAt": datetime.fromtimestamp(entry["receivedAt"], tz=UTC).isoformat(),
            "read": entry["read"]}
