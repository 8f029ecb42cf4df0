"""Thin handlers: authenticate, parse, call the model, render."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, jsonify, request

from mocks.framework import parse_body

from . import models
from .accounts import account, authenticate
from .delivery import SmsFaults
from .exceptions import INVALID_PARAMETER, TwilioError
from .forms import form_fields
from .resources import handset_entry, message_page, message_resource
from .validation import parse_send_request

__all__ = [
    "clear_sms_faults",
    "create_message",
    "fetch_message",
    "get_sms_faults",
    "handset_messages",
    "list_messages",
    "mark_handset_message_read",
    "put_sms_faults",
]

MAX_PAGE_SIZE = 1000


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise TwilioError(f"{name} must be an integer between {low} and {high}", code=INVALID_PARAMETER)
    return int(raw)


def create_message(account_sid: str) -> tuple[Response, int]:
    acct = authenticate(account_sid)
    req = parse_send_request(form_fields())
    record = models.send_message(req, acct)
    return jsonify(message_resource(record)), 201


def fetch_message(account_sid: str, sid: str) -> Response:
    acct = authenticate(account_sid)
    return jsonify(message_resource(models.get_message(sid, acct)))


def list_messages(account_sid: str) -> Response:
    acct = authenticate(account_sid)
    page_size = _int_arg("PageSize", 50, 1, MAX_PAGE_SIZE)
    page = _int_arg("Page", 0, 0, 1_000_000)
    to, sender = request.args.get("To"), request.args.get("From")
    records = models.list_messages(acct, to=to, sender=sender)
    query = urlencode({k: v for k, v in (("To", to), ("From", sender)) if v is not None})
    return jsonify(message_page(acct.sid, records, page, page_size, query))


def handset_messages(number: str) -> Response:
    unread = request.args.get("unread", "false").lower() in ("1", "true", "yes")
    entries = models.handset_inbox(number, account(), unread_only=unread)
    return jsonify({"number": number, "unread": sum(1 for e in entries if not e["read"]),
                    "messages": [handset_entry(e) for e in entries]})


def mark_handset_message_read(number: str, entry_id: str) -> Response:
    return jsonify(handset_entry(models.mark_read(number, entry_id)))


def get_sms_faults() -> Response:
    return jsonify(models.load_faults().model_dump(mode="json", by_alias=True))


def put_sms_faults() -> Response:
    faults = parse_body(SmsFaults)
    return jsonify(models.save_faults(faults).model_dump(mode="json", by_alias=True))


def clear_sms_faults() -> tuple[str, int]:
    models.clear_faults()
    return "", 204
