"""The phone's SMS inbox: reads the handset inbox the SMS gateway keeps and finds the OTP in it.

The gateway delivers every SMS to a per-handset inbox (``GET /handsets/{E.164}/messages``, newest
first, each entry read or unread); the phone reads it over HTTP like any other party, never in process.

The OTP is taken from the message text without knowing its language: the bank's alert service words
the SMS in the client's locale ("Váš kód je …", "Your code is …", "Ihr Code lautet …"), so the reader
looks only at digits. A candidate is a maximal run of 4–12 decimal digits (any script's digits,
read as ASCII) that is not part of a longer number: not after ``+`` (a phone number), not
joined to more digits by ``.``, ``:``, ``/``, ``,`` or ``-`` (a date, a time, an amount). With the
expected length known (8 by default on the Onboarding Server), only runs of that length count. One
distinct candidate is the OTP; none or several is a typed error, never a guess.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

SESSION_HEADER = "X-Sim-Session"
MIN_OTP_LENGTH = 4
MAX_OTP_LENGTH = 12
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
# A digit run with nothing number-like glued to it on either side.
_CANDIDATE = re.compile(r"(?<![0-9+])(?<![0-9][.:/,\-])([0-9]+)(?![0-9])(?![.:/,\-][0-9])")

__all__ = [
    "AmbiguousOtpError",
    "InboxError",
    "InboxFormatError",
    "InboxUnavailableError",
    "OtpNotFoundError",
    "ReceivedOtp",
    "SmsInbox",
    "SmsMessage",
    "extract_otp",
    "otp_candidates",
]


class InboxError(Exception):
    """Base class of every inbox error."""


class InboxUnavailableError(InboxError):
    """The gateway could not be reached or answered with an error status (``status`` 0 = no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class InboxFormatError(InboxError):
    """The gateway answered, but not with the inbox shape the phone understands."""


class OtpNotFoundError(InboxError):
    """No message (or no part of the text) holds an OTP."""


class AmbiguousOtpError(InboxError):
    """The text holds several different OTP-like numbers; the phone refuses to guess."""

    def __init__(self, candidates: tuple[str, ...]) -> None:
        super().__init__(f"{len(candidates)} different OTP-like numbers in the message")
        self.candidates = candidates


def _ascii_digits(text: str) -> str:
    """Every Unicode decimal digit (Arabic-Indic, full-width …) as its ASCII digit; nothing else changes
    (a full-width comma in Chinese text is punctuation, not a decimal separator)."""
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and unicodedata.decimal(ch, None) is not None else ch
        for ch in text
    )


def otp_candidates(text: str, *, length: int | None = None) -> tuple[str, ...]:
    """Distinct OTP-like digit runs in ``text``, in order of appearance (see the module docstring)."""
    if length is not None and not MIN_OTP_LENGTH <= length <= MAX_OTP_LENGTH:
        raise ValueError(f"OTP length must be within {MIN_OTP_LENGTH}..{MAX_OTP_LENGTH}, got {length}")
    found: dict[str, None] = {}
    for match in _CANDIDATE.finditer(_ascii_digits(text)):
        digits = match.group(1)
        if (len(digits) == length) if length is not None else MIN_OTP_LENGTH <= len(digits) <= MAX_OTP_LENGTH:
            found.setdefault(digits, None)
    return tuple(found)


def extract_otp(text: str, *, length: int | None = None) -> str:
    """The one OTP in ``text``; :class:`OtpNotFoundError` or :class:`AmbiguousOtpError` otherwise."""
    candidates = otp_candidates(text, length=length)
    if not candidates:
        raise OtpNotFoundError("the message holds no OTP")
    if len(candidates) > 1:
        raise AmbiguousOtpError(candidates)
    return candidates[0]


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One SMS as the handset shows it."""

    id: str
    message_sid: str
    sender: str
    body: str
    received_at: datetime
    read: bool

    @classmethod
    def from_json(cls, obj: Any) -> SmsMessage:
        """Parse one inbox entry; :class:`InboxFormatError` on anything else."""
        if not isinstance(obj, Mapping):
            raise InboxFormatError("an inbox entry must be a JSON object")
        try:
            fields = {name: obj[name] for name in ("id", "messageSid", "from", "body", "receivedAt")}
            read = obj["read"]
        except KeyError as exc:
            raise InboxFormatError(f"inbox entry lacks {exc.args[0]!r}") from exc
        if not all(isinstance(value, str) for value in fields.values()) or not isinstance(read, bool):
            raise InboxFormatError("inbox entry fields have the wrong types")
        try:
            received = datetime.fromisoformat(fields["receivedAt"])
        except ValueError as exc:
            raise InboxFormatError(f"receivedAt is not an ISO timestamp: {exc}") from exc
        return cls(fields["id"], fields["messageSid"], fields["from"], fields["body"], received, read)


@dataclass(frozen=True, slots=True)
class ReceivedOtp:
    """An OTP and the message it came in."""

    code: str
    message: SmsMessage


class SmsInbox:
    """The inbox of the handset with number ``number`` (E.164) at the SMS gateway ``base_url``.

    ``session`` is the isolation session header value, so parallel scenarios see their own inboxes.
    """

    def __init__(
        self,
        base_url: str,
        number: str,
        *,
        session: str | None = None,
        timeout: float = 10.0,
        http: requests.Session | None = None,
    ) -> None:
        if not _E164.fullmatch(number):
            raise ValueError(f"handset number must be E.164 (+ and up to 15 digits), got {number!r}")
        self.number = number
        self.url = f"{base_url.rstrip('/')}/handsets/{quote(number, safe='+')}/messages"
        self.timeout = timeout
        self.http = http or requests.Session()
        self.http.trust_env = False
        if session is not None:
            self.http.headers[SESSION_HEADER] = session

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SmsInbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise InboxUnavailableError(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise InboxUnavailableError(
                f"SMS gateway answered {response.status_code}: {response.text[:200]}", response.status_code
            )
        try:
            return response.json()
        except ValueError as exc:
            raise InboxFormatError("SMS gateway answered with a body that is not JSON") from exc

    def messages(self, *, unread_only: bool = False) -> list[SmsMessage]:
        """The handset's messages, newest first (as the gateway orders them)."""
        body = self._call("GET", self.url, params={"unread": "true"} if unread_only else {})
        entries = body.get("messages") if isinstance(body, Mapping) else None
        if not isinstance(entries, list):
            raise InboxFormatError("inbox answer lacks a 'messages' list")
        return [SmsMessage.from_json(entry) for entry in entries]

    def mark_read(self, message_id: str) -> SmsMessage:
        """Mark one message read, as opening it on the phone does."""
        return SmsMessage.from_json(self._call("POST", f"{self.url}/{quote(message_id, safe='')}/read"))

    def latest_otp(
        self, *, length: int | None = None, sender: str | None = None, mark_read: bool = True
    ) -> ReceivedOtp:
        """The OTP of the newest unread message that holds one (from ``sender`` if given).

        Older unread messages are skipped: a resend invalidates the previous OTP, so only the newest
        counts. The message is marked read unless ``mark_read`` is false.
        """
        for message in self.messages(unread_only=True):
            if sender is not None and message.sender != sender:
                continue
            try:
                code = extract_otp(message.body, length=length)
            except OtpNotFoundError:
                continue
            if mark_read:
                message = self.mark_read(message.id)
            return ReceivedOtp(code, message)
        raise OtpNotFoundError(f"no unread message with an OTP on handset {self.number}")

    def wait_for_otp(
        self,
        *,
        timeout: float = 30.0,
        poll_interval: float = 0.5,
        length: int | None = None,
        sender: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> ReceivedOtp:
        """Poll until an OTP arrives or ``timeout`` seconds pass (then :class:`OtpNotFoundError`).

        ``sleep`` is injectable: a test moves the gateway's virtual clock there instead of waiting.
        """
        deadline = monotonic() + timeout
        while True:
            try:
                return self.latest_otp(length=length, sender=sender)
            except OtpNotFoundError:
                if monotonic() >= deadline:
                    raise
            sleep(poll_interval)
