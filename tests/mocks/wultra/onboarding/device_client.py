"""The app's side of the Onboarding Server API for tests: application-scope ECIES from primitives.

Each call encrypts ``{"requestObject": …}`` to the application's master public key with
sharedInfo1 ``/pa/generic/application``, sends it with the ``X-PowerAuth-Encryption`` header, and
decrypts a 200 answer; an error answer (never encrypted) is returned as it came.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from simulator.powerauth.codec import b64decode
from simulator.powerauth.ecies import (
    EciesContext,
    EciesEncryptor,
    EciesResponse,
    EncryptorId,
    dumps_compact,
)
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader

CONTEXT = "/enrollment-server-onboarding"


@dataclass
class Answer:
    """HTTP status and the (decrypted, when successful) body."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.get("status") == "OK"

    @property
    def result(self) -> dict[str, Any]:
        assert self.ok, f"expected success, got {self.status}: {self.body}"
        return dict(self.body.get("responseObject") or {})

    @property
    def code(self) -> str:
        assert not self.ok, f"expected an error, got {self.body}"
        return str(self.body["responseObject"]["code"])


@dataclass
class AppCredentials:
    application_id: str
    application_key: str
    application_secret: str
    master_public_key: bytes


class OnboardingDevice:
    """Calls ``/enrollment-server-onboarding/api/...`` in one isolation session."""

    def __init__(self, base_url: str, app: AppCredentials, *, session: str, version: str = "3.2") -> None:
        self.base = base_url.rstrip("/") + CONTEXT
        self.app = app
        self.version = version
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["X-Sim-Session"] = session
        self.last_request: dict[str, Any] | None = None

    def close(self) -> None:
        self.http.close()

    def _encryptor(self) -> EciesEncryptor:
        context = EciesContext(self.version, EncryptorId.APPLICATION_SCOPE_GENERIC,
                               self.app.application_key, self.app.application_secret)
        return EciesEncryptor(context, self.app.master_public_key)

    def post_raw(self, path: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
        return self.http.post(self.base + path, data=body if isinstance(body, bytes) else json.dumps(body),
                              headers={"Content-Type": "application/json", **(headers or {})}, timeout=30)

    def header(self) -> str:
        return EncryptionHeader(self.version, self.app.application_key).format()

    def call(self, path: str, request_object: dict[str, Any] | None = None) -> Answer:
        encryptor = self._encryptor()
        sealed = encryptor.encrypt_request(dumps_compact({"requestObject": request_object or {}}))
        self.last_request = sealed.to_json()
        response = self.post_raw(path, self.last_request, {ENCRYPTION_HEADER: self.header()})
        body = response.json()
        if response.status_code != 200:
            return Answer(response.status_code, body)
        plain = encryptor.decrypt_response(EciesResponse.from_json(body, self.version))
        return Answer(200, json.loads(plain))


def credentials(pas_base_url: str, session: str, application_id: str) -> AppCredentials:
    """Create an application at the PowerAuth Server REST API and return what an app is set up with."""
    from mocks.wultra.powerauth_server.client import PowerAuthServerClient

    client = PowerAuthServerClient(pas_base_url, session=session)
    try:
        created = client.ok("/application/create", {"applicationId": application_id})
        detail = client.ok("/application/detail", {"applicationId": created["applicationId"]})
    finally:
        client.close()
    version = detail["versions"][0]
    return AppCredentials(created["applicationId"], version["applicationKey"], version["applicationSecret"],
                          b64decode(detail["masterPublicKey"]))
