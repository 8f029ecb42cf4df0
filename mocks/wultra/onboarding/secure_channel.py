"""Application-scope ECIES on every Onboarding Server call (rule RX-22).

The app has no activation yet, so it encrypts to the application: the ``X-PowerAuth-Encryption``
header names the protocol version and the application key; the body is the PowerAuth ECIES request
(``ephemeralPublicKey``, ``encryptedData``, ``mac``, ``nonce``, ``timestamp``); ``SHARED_INFO_1`` is
the generic application encryptor's ``/pa/generic/application`` (what Wultra's
``EncryptionScope.APPLICATION_SCOPE`` uses); the recipient key is the application's master key pair.
The decrypted request is Wultra's ``{"requestObject": {...}}``; a successful answer is Wultra's
``{"status":"OK"[, "responseObject": {...}]}`` encrypted back under the same envelope key.  Errors
are not encrypted, as on the real server.

Protocol 3.0 to 3.3 are served.  In 3.3 the app encrypts to an application-scope temporary key it got
from the Enrollment Server's ``/pa/v3/keystore/create``; the request names it (``temporaryKeyId``) and
the PowerAuth Server part of this app holds its private half (unknown or expired → ``ERR_ENCRYPTION``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Response, request
from pydantic import BaseModel, ConfigDict

from mocks.framework import now, parse_body, store
from mocks.wultra.powerauth_server import models as applications
from mocks.wultra.powerauth_server.exceptions import InvalidApplicationError, MissingTemporaryKeyError
from mocks.wultra.powerauth_server.temporary_keys import temporary_private_key
from simulator.encoding import json_loads
from simulator.powerauth.ecies import (
    EciesContext,
    EciesDecryptor,
    EciesRequest,
    EncryptorId,
    dumps_compact,
)
from simulator.powerauth.errors import EciesReplayError, PowerAuthError
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader
from simulator.powerauth.versions import ProtocolVersion

from .exceptions import EncryptionError, InvalidRequestError

REPLAY_WINDOW_SECONDS = 3600.0


class _EncryptedBody(BaseModel):
    """The ECIES request object as it travels (field presence per version is checked later)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    ephemeralPublicKey: str
    encryptedData: str
    mac: str
    nonce: str | None = None
    timestamp: int | None = None
    temporaryKeyId: str | None = None


@dataclass
class SecureExchange:
    """One decrypted request and the means to answer it under the same envelope key."""

    application_id: str
    application_key: str
    request_object: dict[str, Any]
    _decryptor: EciesDecryptor

    def respond(self, response_object: dict[str, Any] | None = None) -> Response:
        """``{"status":"OK"[, "responseObject": …]}``, ECIES-encrypted, as the HTTP response."""
        payload: dict[str, Any] = {"status": "OK"}
        if response_object is not None:
            payload["responseObject"] = response_object
        sealed = self._decryptor.encrypt_response(
            dumps_compact(payload), timestamp=int(now().timestamp() * 1000)
        )
        return Response(json.dumps(sealed.to_json()), status=200, mimetype="application/json")


def _replay_guard(ephemeral_public_key: bytes, nonce: bytes, timestamp: int, identifier: str) -> None:
    """A request (ephemeral key, nonce, application) is accepted once, in the store of the session."""
    token = hashlib.sha256(ephemeral_public_key + nonce + identifier.encode("utf-8")).hexdigest()
    if not store().put_if_absent(f"onb:replay:{token}", timestamp, ttl=REPLAY_WINDOW_SECONDS):
        raise EciesReplayError("request nonce was already used (replay)")


def _header() -> EncryptionHeader:
    value = request.headers.get(ENCRYPTION_HEADER)
    if value is None:
        raise EncryptionError(f"the {ENCRYPTION_HEADER} header is required (application-scope ECIES)")
    try:
        header = EncryptionHeader.parse(value)
    except PowerAuthError as exc:
        raise EncryptionError(f"invalid {ENCRYPTION_HEADER} header: {exc}") from None
    if header.activation_id is not None:
        raise EncryptionError("onboarding calls are encrypted in application scope, without activation_id")
    return header


def open_request() -> SecureExchange:
    """Decrypt the current request (header, body, MAC, replay) into its ``requestObject``."""
    header = _header()
    version = ProtocolVersion(header.version)
    try:
        application, app_version = applications.find_version_by_key(header.application_key)
    except InvalidApplicationError:
        raise EncryptionError("the application key is not known") from None
    if not app_version["supported"]:
        raise EncryptionError("the application version is not supported")
    body = parse_body(_EncryptedBody)
    try:
        ecies_request = EciesRequest.from_json(body.model_dump(exclude_none=True), version)
        if version.has_temporary_key:
            recipient = temporary_private_key(ecies_request.temporary_key_id, header.application_key, None)
        else:
            recipient = applications.master_private_key(application)
        context = EciesContext(version, EncryptorId.APPLICATION_SCOPE_GENERIC,
                               app_version["applicationKey"], app_version["applicationSecret"],
                               temporary_key_id=ecies_request.temporary_key_id)
        decryptor = EciesDecryptor(context, recipient, replay_guard=_replay_guard)
        plaintext = decryptor.decrypt_request(ecies_request)
    except EciesReplayError:
        raise EncryptionError("the request was already received (replay)") from None
    except MissingTemporaryKeyError as exc:
        raise EncryptionError(f"the request cannot be decrypted: {exc.message}") from None
    except PowerAuthError as exc:
        raise EncryptionError(f"the request cannot be decrypted: {exc}") from None
    return SecureExchange(application["applicationId"], header.application_key,
                          _request_object(plaintext), decryptor)


def _request_object(plaintext: bytes) -> dict[str, Any]:
    """``requestObject`` of the decrypted ``{"requestObject": {...}}`` wrapper."""
    try:
        wrapper = json_loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidRequestError("the decrypted request is not UTF-8 JSON") from None
    if not isinstance(wrapper, dict):
        raise InvalidRequestError("the decrypted request must be a JSON object")
    inner = wrapper.get("requestObject", {})
    if not isinstance(inner, dict):
        raise InvalidRequestError("requestObject must be a JSON object")
    return inner
