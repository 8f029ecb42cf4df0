"""A small client of the gateway: what an alert service (send) and a virtual phone (inbox) need.

It speaks the same wire format as Twilio's API (form-encoded send, HTTP Basic auth), so it works
against this mock, and its ``send`` against the real service too.  Every call carries the isolation
session header when one is given.
"""

from __future__ import annotations

from typing import Any

import requests

from mocks.framework import SESSION_HEADER

from .accounts import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

__all__ = ["SmsGatewayClient", "SmsGatewayClientError"]


class SmsGatewayClientError(RuntimeError):
    """The gateway answered an inbox or admin call with an error status."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"SMS gateway answered {status}: {body[:200]}")
        self.status = status


class SmsGatewayClient:
    """``SmsGatewayClient(url, account_sid=..., auth_token=..., session=None)``."""

    def __init__(self, base_url: str, *, account_sid: str = DEFAULT_ACCOUNT_SID,
                 auth_token: str = DEFAULT_AUTH_TOKEN, session: str | None = None,
                 timeout: float = 10.0) -> None:
        self.url = base_url.rstrip("/")
        self.sid = account_sid
        self.token = auth_token
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False
        if session is not None:
            self.http.headers[SESSION_HEADER] = session

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SmsGatewayClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def messages_url(self) -> str:
        return f"{self.url}/2010-04-01/Accounts/{self.sid}/Messages.json"

    def send(self, to: str | None, body: str | None, *, from_: str | None = "+15005550006",
             auth: tuple[str, str] | None = None, **fields: str | None) -> requests.Response:
        """POST a message; ``None`` leaves a field out (to provoke the gateway's validation)."""
        data = {"To": to, "From": from_, "Body": body, **fields}
        form = {key: value for key, value in data.items() if value is not None}
        return self.http.post(self.messages_url, data=form, auth=auth or (self.sid, self.token),
                              timeout=self.timeout)

    def fetch(self, sid: str) -> requests.Response:
        return self.http.get(f"{self.url}/2010-04-01/Accounts/{self.sid}/Messages/{sid}.json",
                             auth=(self.sid, self.token), timeout=self.timeout)

    def list(self, **params: Any) -> requests.Response:
        return self.http.get(self.messages_url, params=params, auth=(self.sid, self.token),
                             timeout=self.timeout)

    def inbox(self, number: str, *, unread_only: bool = False) -> dict[str, Any]:
        """The handset's messages, newest first (``{"number", "unread", "messages": [...]}``)."""
        params = {"unread": "true"} if unread_only else {}
        response = self.http.get(f"{self.url}/handsets/{number}/messages", params=params,
                                 timeout=self.timeout)
        return self._json(response)

    def mark_read(self, number: str, entry_id: str) -> dict[str, Any]:
        response = self.http.post(f"{self.url}/handsets/{number}/messages/{entry_id}/read",
                                  timeout=self.timeout)
        return self._json(response)

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """PUT the session's SMS delivery faults (camelCase keys, see ``SmsFaults``)."""
        return self._json(self.http.put(f"{self.url}/_admin/sms-faults", json=faults, timeout=self.timeout))

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        if not 200 <= response.status_code < 300:
            raise SmsGatewayClientError(response.status_code, response.text)
        result: dict[str, Any] = response.json()
        return result
