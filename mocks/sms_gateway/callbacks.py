"""Status callbacks: a signed form POST per reached state, retried on failure, journaled.

Each callback carries Twilio's parameters (``MessageSid``, ``MessageStatus``, ``ErrorCode`` ...) and
an ``X-Twilio-Signature`` computed with the account's auth token.  A callback that fails (connection
error, timeout or non-2xx) is retried immediately, up to the faults' ``callbackAttempts``; the
outcome is kept in ``callbacks:{sid}`` so tests and the admin state can see it.

Callbacks are posted off the request that reached the state (the send, or a read that advanced the
message), as Twilio posts them from its own workers after its API has answered.  Posting them before
answering made a distributed deadlock possible that the real gateway cannot cause: a bank whose
request threads all wait on this gateway's send has none left for the callback the send makes, so
both sides wait for their timeouts and the OTP is reported undelivered.  A few lanes (threads) post
them; one message's callbacks always take the same lane, so they arrive in the order of its states.
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from mocks.framework import OutboundClient, UpstreamError, outbound
from mocks.framework.store import SessionStore

from .accounts import Account
from .signature import SIGNATURE_HEADER, signature

__all__ = ["CallbackLanes", "callback_params", "notify"]

log = logging.getLogger(__name__)

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


def _post_once(client: OutboundClient, session: str, url: str, params: dict[str, str],
               acct: Account) -> str | None:
    """``None`` on a 2xx answer, else what went wrong."""
    headers = {SIGNATURE_HEADER: signature(acct.auth_token, url, params),
               "Content-Type": "application/x-www-form-urlencoded"}
    try:
        response = client.post(url, data=urlencode(params), headers=headers, session=session)
    except UpstreamError as exc:
        return exc.reason
    return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def _post_all(client: OutboundClient, s: SessionStore, record: dict[str, Any], statuses: list[str],
              acct: Account) -> None:
    url = record["statusCallback"]
    for status in statuses:
        params = callback_params(record, status)
        problem: str | None = "not attempted"
        attempts = 0
        while attempts < record["callbackAttempts"]:
            attempts += 1
            problem = _post_once(client, s.session, url, params, acct)
            if problem is None:
                break
        entry = {"status": status, "attempts": attempts, "delivered": problem is None, "lastError": problem}
        s.update(f"callbacks:{record['sid']}", lambda log, e=entry: [*(log or []), e])


Lane = queue.SimpleQueue[Callable[[], None]]


class CallbackLanes:
    """Daemon threads posting callbacks in the background; one message's always on the same lane."""

    def __init__(self, lanes: int = 4) -> None:
        self._queues: list[Lane] = [queue.SimpleQueue() for _ in range(lanes)]
        for number, lane in enumerate(self._queues):
            threading.Thread(target=self._run, args=(lane,), name=f"sms-callbacks-{number}",
                             daemon=True).start()

    def submit(self, sid: str, task: Callable[[], None]) -> None:
        self._queues[zlib.crc32(sid.encode()) % len(self._queues)].put(task)

    @staticmethod
    def _run(lane: Lane) -> None:
        while True:
            task = lane.get()
            try:
                task()
            except Exception:  # a lost callback must not stop the lane
                log.exception("status callback failed")


_lanes: CallbackLanes | None = None
_lanes_lock = threading.Lock()


def _callback_lanes() -> CallbackLanes:
    global _lanes
    with _lanes_lock:
        if _lanes is None:
            _lanes = CallbackLanes()
        return _lanes


def notify(s: SessionStore, record: dict[str, Any], statuses: list[str], acct: Account) -> None:
    """Report each newly reached status of ``record`` to its ``StatusCallback``, in the background."""
    client = outbound()  # this app's client, taken while its request is being handled
    _callback_lanes().submit(record["sid"], lambda: _post_all(client, s, dict(record), list(statuses), acct))
