"""HTTP to the Enrollment Server: a replaceable transport and the ``/pa/v3`` envelope rules.

The SDK reaches its server only through :class:`Transport`, so the same phone talks to the Wultra
mock, to a real deployment, or (in unit tests) to an in-process double that tampers with answers.
:class:`EnrollmentClient` turns answers into Python objects or typed errors: the server's error
envelope becomes :class:`ServerError`, anything unparseable :class:`ServerResponseError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from .errors import InvalidConfigError, NetworkError, ServerError, ServerResponseError

SESSION_HEADER = "X-Sim-Session"
#: Context path of Wultra's Enrollment Server when deployed with defaults (and in the mock).
DEFAULT_CONTEXT_PATH = "/enrollment-server"
DEFAULT_TIMEOUT = (5.0, 30.0)
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """Status and raw body of one HTTP answer."""

    status: int
    body: bytes


class Transport(Protocol):
    """POSTs raw bytes to a path under the Enrollment Server's base URL."""

    def post(self, path: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer: ...


def enrollment_base_url(url: str) -> str:
    """The Enrollment Server base URL: a bare ``scheme://host:port`` gets the default context path.

    ``rsim serve`` prints the Wultra mock's URL without a path; a real deployment is addressed with
    its context path (``https://host/enrollment-server``) and is used as given.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidConfigError(f"enrollment URL must be http(s)://host[:port][/path], got {url!r}")
    base = url.rstrip("/")
    return base + DEFAULT_CONTEXT_PATH if parts.path in ("", "/") else base


class RequestsTransport:
    """:class:`Transport` over ``requests``, with timeouts and the optional ``X-Sim-Session`` header.

    ``http``: the session to send with instead of a new ``requests.Session`` - anything with its
    ``headers`` and ``post`` (a load generator's phones pass a
    :class:`simulator.device.phone_http.PhoneSession`, the same wire for less CPU).
    """

    def __init__(
        self,
        base_url: str,
        *,
        session: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        http: Any = None,
    ) -> None:
        self.base_url = enrollment_base_url(base_url)
        self.timeout = timeout
        self.http = http if http is not None else requests.Session()
        self.http.trust_env = False
        if session is not None:
            self.http.headers[SESSION_HEADER] = session

    def post(self, path: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        try:
            response = self.http.post(
                self.base_url + path, data=body, headers={**JSON_HEADERS, **headers}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise NetworkError(f"POST {self.base_url + path} failed: {exc}") from exc
        return HttpAnswer(response.status_code, response.content)

    def close(self) -> None:
        self.http.close()


def _json(answer: HttpAnswer) -> Any:
    try:
        return json.loads(answer.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _raise_for_error(answer: HttpAnswer, path: str) -> Any:
    """Parsed body of a 2xx answer; an error status raises :class:`ServerError`."""
    body = _json(answer)
    if 200 <= answer.status < 300:
        if not isinstance(body, dict):
            raise ServerResponseError(f"{path}: answer is not a JSON object")
        return body
    error = body.get("responseObject") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        raise ServerError(error["code"], answer.status, str(error.get("message", "")))
    snippet = answer.body[:200].decode("utf-8", "replace")
    raise ServerError("HTTP_ERROR", answer.status, f"{path}: {snippet}")


class EnrollmentClient:
    """The two body shapes of ``/pa/v3``: wrapped objects and bare ECIES envelopes."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def post_object(
        self, path: str, request_object: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """POST ``{"requestObject": …}``; return the ``responseObject`` of a ``status: OK`` answer."""
        body = json.dumps({"requestObject": dict(request_object)}, separators=(",", ":")).encode()
        return self.unwrap(self.post_bytes(path, body, headers), path)

    def post_bytes(
        self, path: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """POST exact bytes (what was signed is what is sent); return the parsed 2xx JSON object."""
        answer = self.transport.post(path, body, dict(headers or {}))
        return dict(_raise_for_error(answer, path))

    @staticmethod
    def unwrap(body: Mapping[str, Any], path: str) -> dict[str, Any]:
        """The ``responseObject`` of ``{"status":"OK","responseObject":{…}}``."""
        inner = body.get("responseObject")
        if body.get("status") != "OK" or not isinstance(inner, dict):
            raise ServerResponseError(f"{path}: answer is not a status OK envelope with a responseObject")
        return dict(inner)
