"""A typed client for the admin API, for tests, Gherkin steps and load-test setup.

Every mock serves the same ``/_admin/`` API, so one client drives any of them by URL - including a
mock running in another process or on another test host.  Errors from the admin API raise
:class:`AdminError` with the problem body, rather than returning a response the caller may forget
to check.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import requests

from .admin import ADMIN_TOKEN_HEADER
from .isolation import SESSION_HEADER

__all__ = ["AdminClient", "AdminError"]


class AdminError(RuntimeError):
    """The admin API answered with an error (``status`` and the problem ``body``)."""

    def __init__(self, status: int, body: Any) -> None:
        detail = body.get("detail") if isinstance(body, dict) else body
        super().__init__(f"admin API error {status}: {detail}")
        self.status = status
        self.body = body


class AdminClient:
    """``AdminClient(url, token=None, session=None)``: calls act on ``session`` unless told otherwise."""

    def __init__(self, base_url: str, *, token: str | None = None, session: str | None = None,
                 timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self._http = requests.Session()
        self._http.trust_env = False
        if token is not None:
            self._http.headers[ADMIN_TOKEN_HEADER] = token
        if session is not None:
            self._http.headers[SESSION_HEADER] = session

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
              json: Any = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._http.request(method, f"{self.base_url}/_admin/{path}", params=clean, json=json,
                                      timeout=self.timeout)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise AdminError(response.status_code, body)
        return body

    def _body(self, **fields: Any) -> dict[str, Any]:
        return {k: v for k, v in fields.items() if v is not None}

    # ---------------------------------------------------------------- endpoints

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "health"))

    def reset(self, session: str | None = None, *, everything: bool = False, journal: bool = False) -> None:
        """Reset ``session`` (default: the client's session; every session when the client has none,
        or with ``everything=True``)."""
        target = None if everything else (session or self.session)
        self._call("POST", "reset", json=self._body(session=target, journal=journal))

    def journal(self, **query: Any) -> list[dict[str, Any]]:
        """Entries matching ``session``, ``path``, ``method``, ``status``, ``party``, ``text``, ``limit``."""
        return list(self._call("GET", "journal", params=query)["entries"])

    def wait_for_journal(self, count: int = 1, *, within: float = 10.0, every: float = 0.02,
                         **query: Any) -> list[dict[str, Any]]:
        """The entries matching ``query`` (as :meth:`journal`) once there are ``count`` of them.

        Some calls happen after the answer that caused them - the SMS gateway's status callbacks go
        out in the background, as Twilio's do - so a test that checks them waits for them here.
        Raises :class:`TimeoutError` naming what it saw when ``within`` seconds pass first.
        """
        deadline = time.monotonic() + within
        while True:
            entries = self.journal(**query)
            if len(entries) >= count:
                return entries
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{len(entries)} of {count} journal entries matching {query} "
                                   f"after {within:g} s")
            time.sleep(every)

    def clear_journal(self, session: str | None = None) -> int:
        return int(self._call("DELETE", "journal", params={"session": session})["cleared"])

    def state(self, session: str | None = None) -> dict[str, Any]:
        return dict(self._call("GET", "state", params={"session": session}))

    def clock(self, session: str | None = None) -> dict[str, Any]:
        return dict(self._call("GET", "clock", params={"session": session}))

    def advance_clock(self, seconds: float, *, session: str | None = None,
                      scope: str = "session") -> dict[str, Any]:
        body = self._body(advance=seconds, session=session, scope=scope)
        return dict(self._call("POST", "clock", json=body))

    def set_clock(self, when: datetime | float, *, session: str | None = None,
                  scope: str = "session") -> dict[str, Any]:
        value = when.isoformat() if isinstance(when, datetime) else when
        return dict(self._call("POST", "clock", json=self._body(set=value, session=session, scope=scope)))

    def reset_clock(self, *, session: str | None = None, scope: str = "session") -> dict[str, Any]:
        return dict(self._call("POST", "clock", json=self._body(reset=True, session=session, scope=scope)))

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add one rule (camelCase fields as on the wire, e.g. ``everyNth``); returns it with its id."""
        return dict(self._call("POST", "faults", json=rule)["rules"][0])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults")["rules"])

    def remove_faults(self, rule_id: str | None = None) -> None:
        self._call("DELETE", "faults", params={"id": rule_id})

    def push_verdict(self, kind: str, verdict: Any, *, times: int = 1, session: str | None = None) -> int:
        body = self._body(kind=kind, times=times, session=session)
        body["verdict"] = verdict
        return int(self._call("POST", "verdicts", json=body)["queued"])

    def verdicts(self, session: str | None = None) -> dict[str, list[Any]]:
        return dict(self._call("GET", "verdicts", params={"session": session})["verdicts"])

    def set_transition(self, kind: str, mode: str, *, seconds: float = 0.0, reads: int = 1,
                       session: str | None = None) -> None:
        self._call("POST", "transitions",
                   json=self._body(kind=kind, mode=mode, seconds=seconds, reads=reads, session=session))

    def release(self, kind: str, job_id: str, *, session: str | None = None) -> None:
        self._call("POST", "transitions/release", json=self._body(kind=kind, id=job_id, session=session))

    def seed(self, seed: int | str | None) -> None:
        self._call("POST", "seed", json={"seed": seed})
