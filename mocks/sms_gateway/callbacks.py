"""Status callbacks: a signed form POST per reached state, retried on failure, journaled.

Each callback carries Twilio's parameters (``MessageSid``, ``MessageStatus``, ``ErrorCode`` ...) and
an ``X-Twilio-Signature`` computed with the account's auth token.  A callback that fails (connection
error, timeout or non-2xx) is retried immediately, up to the faults' ``callbackAttempts``; the
outcome is kept in ``callbacks:{sid}`` so tests and the admin state can see it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mocks.framework import UpstreamError, outbound
from mocks.framework.store import SessionStore

from .accounts import Account
from .signature import SIGNATURE_HEADER, signature

__all__ = ["callback_params", "notify"]

API_VERSION = "2010-04-01"


def callback_params(record: dict[str, Any], status: str) -> dict[str, str]:
    """The form fields Twilio posts for one status of a message."""
    params = {
        "AccountSid": record["accountSid"],
        "ApiVersion": API_VERSION,
        "MessageSid": record["sid"],
        "SmsSid": record["sid"],
        "MessageStatus": status,
        "SmsStatus": status,
        "To": record["to"],
        "From": record["from"] or "",
    }
    if record["messagingServiceSid"]:
        params["MessagingServiceSid"] = record["messagingServiceSid"]
    if status in ("undelivered", "failed") and record["plan"]["errorCode"] is not None:
        params["ErrorCode"] = str(record["plan"]["errorCode"])
    return params


def _post_once(url: str, params: dict[str, str], acct: Account) -> str | None:
    """``None`` on a 2xx answer, else what went wrong."""
    headers = {SIGNATURE_HEADER: signature(acct.auth_token, url, params),
               "Content-Type": "application/x-www-form-urlencoded"}
    try:
        response = outbound().post(url, data=urlencode(params), headers=headers)
    except UpstreamError as exc:
        return exc.reason
    return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def notify(s: SessionStore, record: dict[str, Any], statuses: list[str], acct: Account) -> None:
    """Report each newly reached status of ``record`` to its ``StatusCallback``."""
    url = record["statusCallback"]
    for status in statuses:
        params = callback_params(record, status)
        problem: str | None = "not attempted"
        attempts = 0
        while attempts < record["callbackAttempts"]:
            attempts += 1
            problem = _post_once(url, params, acct)
            if problem is None:
                break
        entry = {"status": status, "attempts": attempts, "delivered": problem is None, "lastError": problem}
        s.update(f"callbacks:{record['sid']}", lambda log, e=entry: [*(log or []), e])
