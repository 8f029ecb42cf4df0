"""Application- and activation-scope ECIES for arbitrary endpoints, as the SDK's encryptors offer.

A :class:`DeviceEncryptor` serves one request/response pair: it encrypts a payload into the
``/pa/v3``-style JSON envelope plus the ``X-PowerAuth-Encryption`` header, and decrypts the answer
after checking its MAC. Other servers use the same envelope (the Onboarding Server takes
application-scope requests with sharedInfo1 ``/pa/generic/application``), so the encryptor gives
back bytes and headers instead of sending anything itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulator.encoding import json_dumps
from simulator.powerauth.ecies import EciesContext, EciesEncryptor, EciesResponse, dumps_compact
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader

from .clock import ServerClock
from .errors import ServerResponseError


def compact_envelope(payload: Mapping[str, Any]) -> bytes:
    """``json.dumps(payload, separators=(",", ":"))`` of an encrypted request, byte for byte.

    For a document upload ``encryptedData`` is over half a megabyte of Base64, which
    :func:`~simulator.encoding.json_dumps` copies instead of scanning it for escapes.
    """
    return json_dumps(dict(payload), separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class EncryptedRequest:
    """What to send: the exact body bytes and the encryption header (drop it on signed endpoints)."""

    body: bytes
    headers: dict[str, str]
    payload: dict[str, Any]


class DeviceEncryptor:
    """Client side of one ECIES exchange in a given scope."""

    def __init__(self, context: EciesContext, recipient_public_key: bytes, clock: ServerClock) -> None:
        self.context = context
        self.clock = clock
        self._ecies = EciesEncryptor(context, recipient_public_key, clock=clock.now_ms)

    def encrypt(self, plaintext: bytes | Mapping[str, Any]) -> EncryptedRequest:
        """Encrypt bytes, or a JSON object sent compact as the SDK does."""
        data = plaintext if isinstance(plaintext, bytes) else dumps_compact(dict(plaintext))
        request = self._ecies.encrypt_request(data)
        payload = request.to_json()
        header = EncryptionHeader(
            self.context.version.value, self.context.application_key, self.context.activation_id
        )
        return EncryptedRequest(
            body=compact_envelope(payload),
            headers={ENCRYPTION_HEADER: header.format()},
            payload=payload,
        )

    def decrypt(self, response: Mapping[str, Any]) -> bytes:
        """Check the answer's MAC and decrypt it; any failure is a :class:`ServerResponseError`."""
        try:
            parsed = EciesResponse.from_json(response, self.context.version)
            plaintext = self._ecies.decrypt_response(parsed)
        except PowerAuthError as exc:
            raise ServerResponseError(f"encrypted answer rejected: {exc}") from exc
        if parsed.timestamp is not None:
            self.clock.observe(parsed.timestamp)
        return plaintext

    def decrypt_json(self, response: Mapping[str, Any]) -> dict[str, Any]:
        """Decrypt an answer whose plaintext must be a JSON object."""
        plaintext = self.decrypt(response)
        try:
            obj = json.loads(plaintext)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ServerResponseError(f"decrypted answer is not JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise ServerResponseError("decrypted answer must be a JSON object")
        return obj
