"""Checks a send request must pass before a message is queued, each with Twilio's error code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .exceptions import (
    BODY_REQUIRED,
    BODY_TOO_LONG,
    FROM_REQUIRED,
    INVALID_CALLBACK,
    INVALID_FROM,
    INVALID_PARAMETER,
    INVALID_TO,
    TO_REQUIRED,
    InvalidBodyError,
    InvalidNumberError,
    MissingParameterError,
    TwilioError,
)

__all__ = ["MAX_BODY_CHARS", "SendRequest", "is_e164", "parse_send_request"]

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
MAX_BODY_CHARS = 1600
MAX_URL_CHARS = 2000


def is_e164(number: str) -> bool:
    """``+`` then 2-15 digits, no leading zero in the country code."""
    return E164.fullmatch(number) is not None


@dataclass(frozen=True)
class SendRequest:
    """A validated ``POST .../Messages.json``."""

    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None


def _single(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise TwilioError(f"Parameter '{name}' given {len(values)} times", code=INVALID_PARAMETER)
    return values[0]


def parse_send_request(form: Mapping[str, list[str]]) -> SendRequest:
    """Validate the form fields in Twilio's order: To, From / MessagingServiceSid, Body, StatusCallback."""
    to = _single(form, "To")
    if to is None or not to.strip():
        raise MissingParameterError("A 'To' phone number is required.", code=TO_REQUIRED)
    if not is_e164(to):
        raise InvalidNumberError(f"The 'To' number {to[:40]} is not a valid phone number.", code=INVALID_TO)
    sender = _single(form, "From")
    service = _single(form, "MessagingServiceSid")
    if not sender and not service:
        raise MissingParameterError("A 'From' phone number or MessagingServiceSid is required.",
                                    code=FROM_REQUIRED)
    if sender and not (is_e164(sender) or ALPHANUMERIC_SENDER.fullmatch(sender)):
        raise InvalidNumberError(f"The 'From' number {sender[:40]} is not a valid phone number "
                                 "or alphanumeric sender ID.", code=INVALID_FROM)
    if service and not MESSAGING_SERVICE_SID.fullmatch(service):
        raise TwilioError(f"MessagingServiceSid {service[:40]} is invalid.", code=INVALID_PARAMETER)
    body = _single(form, "Body")
    if body is None or not body.strip():
        raise MissingParameterError("Message body is required.", code=BODY_REQUIRED)
    if len(body) > MAX_BODY_CHARS:
        raise InvalidBodyError(f"The concatenated message body exceeds the {MAX_BODY_CHARS} character limit.",
                               code=BODY_TOO_LONG)
    callback = _single(form, "StatusCallback")
    if callback is not None:
        parts = urlsplit(callback) if len(callback) <= MAX_URL_CHARS else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise TwilioError("The StatusCallback URL is not a valid http(s) URL.", code=INVALID_CALLBACK)
    return SendRequest(to=to, from_=sender or None, messaging_service_sid=service or None, body=body,
                       status_callback=callback)
