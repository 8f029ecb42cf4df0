"""A small HTTP client of the PowerAuth Server REST API (the real one or this mock).

The Enrollment Server side of this mock and the tests talk to the REST API only through it, so
either can be pointed at a real server by URL.
"""

from __future__ import annotations

from typing import Any

import requests

from simulator.powerauth.headers import AuthorizationHeader
from simulator.powerauth.signature import request_data

from .urls import URL_PREFIX

SESSION_HEADER = "X-Sim-Session"


class PowerAuthServerCallError(Exception):
    """The server answered a method with an error envelope (``code`` is its ``ERR00xx``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code} (HTTP {status}): {message}")
        self.status = status
        self.code = code
        self.message = message


def signature_verify_request(header: str, *, method: str, uri_id: str, body: bytes) -> dict[str, Any]:
    """The ``signature/verify`` request object a bank's backend builds from a signed request: the
    ``X-PowerAuth-Authorization`` value and the method, URI identifier and body it came with."""
    parsed = AuthorizationHeader.parse(header)
    return {
        "activationId": parsed.activation_id, "applicationKey": parsed.application_key,
        "data": request_data(method, uri_id, parsed.nonce, body).decode("ascii"),
        "signature": parsed.signature, "signatureType": parsed.signature_type.value.upper(),
        "signatureVersion": parsed.version,
    }


class PowerAuthServerClient:
    """Posts ``{"requestObject": ...}`` to ``<base_url>/powerauth-java-server/rest/v3<path>``."""

    def __init__(self, base_url: str, *, session: str | None = None, timeout: float = 10.0,
                 prefix: str = URL_PREFIX) -> None:
        self.base = base_url.rstrip("/") + prefix
        self.timeout = timeout
        self.http = requests.Session()
        if session is not None:
            self.http.headers[SESSION_HEADER] = session

    def close(self) -> None:
        self.http.close()

    def raw(self, path: str, **kwargs: Any) -> requests.Response:
        """POST anything (malformed bodies included) and return the raw response."""
        return self.http.post(self.base + path, timeout=self.timeout, **kwargs)

    def call(self, path: str, request: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        """(HTTP status, parsed body) of one method call."""
        response = self.raw(path, json={"requestObject": request or {}})
        return response.status_code, response.json()

    def ok(self, path: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``responseObject`` of a successful call; an error envelope raises."""
        status, body = self.call(path, request)
        if status == 200 and body.get("status") == "OK":
            return dict(body["responseObject"])
        error = body.get("responseObject") or {}
        raise PowerAuthServerCallError(status, str(error.get("code", "?")), str(error.get("message", body)))

    def error(self, path: str, request: dict[str, Any] | None = None) -> str:
        """The ``ERR00xx`` code of a call that must fail; a success raises ``AssertionError``."""
        status, body = self.call(path, request)
        if status == 200 and body.get("status") == "OK":
            raise AssertionError(f"{path} succeeded where an error was expected: {body}")
        return str((body.get("responseObject") or {}).get("code", "?"))

    def verify_signed_request(self, header: str, *, method: str, uri_id: str, body: bytes) -> dict[str, Any]:
        """``signature/verify`` of a signed request (``signatureValid``, ``activationStatus`` …)."""
        return self.ok("/signature/verify", signature_verify_request(header, method=method, uri_id=uri_id,
                                                                     body=body))
