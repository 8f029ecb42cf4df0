"""An in-process Enrollment Server + PowerAuth Server double for the device SDK's unit tests.

It plays the *server role* with the protocol core's server-side primitives (``ServerActivation``,
``EciesDecryptor``, status blob, ``verify_request``, temporary-key JWTs, vault key wrapping), so the
SDK's wire format and checks are exercised without a network. ``tamper`` lets a test corrupt any
answer, the way a proxy in the middle would. The HTTP tests against the real Wultra mock prove the
same flows across a process boundary.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.device.powerauth_sdk import HttpAnswer, PowerAuthConfig
from simulator.powerauth.activation import ServerActivation
from simulator.powerauth.activation_code import generate_activation_code, sign_activation_code
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import (
    EciesContext,
    EciesDecryptor,
    EciesRequest,
    EncryptorId,
    dumps_compact,
)
from simulator.powerauth.headers import (
    AUTHORIZATION_HEADER,
    ENCRYPTION_HEADER,
    AuthorizationHeader,
    EncryptionHeader,
)
from simulator.powerauth.keys import DerivedKeys, generate_private_key, public_key_to_bytes
from simulator.powerauth.replay import InMemoryReplayGuard, now_ms
from simulator.powerauth.request_auth import verify_request
from simulator.powerauth.signature import SignatureKeys, SignatureType
from simulator.powerauth.status_blob import ActivationStatus, build_status_blob, encrypt_status_blob
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest
from simulator.powerauth.vault import wrap_vault_key
from simulator.powerauth.versions import ProtocolVersion

MAX_FAILED = 5
Responder = Callable[["FakeActivation", dict[str, Any]], dict[str, Any]]


class FakeError(Exception):
    def __init__(self, code: str, status: int = 400, message: str = "") -> None:
        super().__init__(code)
        self.code, self.status, self.message = code, status, message


@dataclass
class FakeActivation:
    activation_id: str
    code: str
    user_id: str
    server_private_key: ec.EllipticCurvePrivateKey
    status: ActivationStatus = ActivationStatus.CREATED
    device_public_key: ec.EllipticCurvePublicKey | None = None
    keys: DerivedKeys | None = None
    ctr_data: bytes = b""
    ctr: int = 0
    failed: int = 0
    tokens: dict[str, bytes] = field(default_factory=dict)


class FakeEnrollmentServer:
    """``Transport`` for :class:`PowerAuthSDK`: the server side, computed in process."""

    def __init__(self) -> None:
        self.master = generate_private_key()
        self.app_key = b64encode(os.urandom(16))
        self.app_secret = b64encode(os.urandom(16))
        self.activations: dict[str, FakeActivation] = {}
        self.temporary: dict[str, tuple[ec.EllipticCurvePrivateKey, str | None]] = {}
        self.replay = InMemoryReplayGuard(clock=self._now)
        self.tamper: Callable[[str, bytes], bytes] | None = None
        self.requests: list[tuple[str, bytes, dict[str, str]]] = []
        self.clock_offset_ms = 0

    def config(self, version: str = "3.3") -> PowerAuthConfig:
        return PowerAuthConfig.from_values(
            self.app_key, self.app_secret, b64encode(public_key_to_bytes(self.master.public_key())), version
        )

    # ---------------------------------------------------------------- server API a test drives

    def init_activation(self, user_id: str = "alice") -> tuple[str, str, str]:
        code = generate_activation_code()
        record = FakeActivation(str(uuid.uuid4()), code, user_id, generate_private_key())
        self.activations[record.activation_id] = record
        return record.activation_id, code, sign_activation_code(code, self.master)

    def commit(self, activation_id: str) -> None:
        record = self.activations[activation_id]
        assert record.status is ActivationStatus.PENDING_COMMIT
        record.status = ActivationStatus.ACTIVE

    def verify(self, header_value: str, method: str, uri_id: str, body: bytes) -> bool:
        """``/rest/v3/signature/verify`` semantics, including failure counting and blocking."""
        header = AuthorizationHeader.parse(header_value)
        record = self.activations[header.activation_id]
        if record.status is not ActivationStatus.ACTIVE or record.keys is None:
            return False
        keys = SignatureKeys(record.keys.possession, record.keys.knowledge, record.keys.biometry)
        match = verify_request(header, application_secret=self.app_secret, keys=keys,
                               ctr_data=record.ctr_data, method=method, uri_id=uri_id, body=body)
        possession_only = header.signature_type is SignatureType.POSSESSION
        if match is None:
            if not possession_only:
                record.failed += 1
                if record.failed >= MAX_FAILED:
                    record.status = ActivationStatus.BLOCKED
            return False
        record.ctr += match.offset + 1
        record.ctr_data = match.next_ctr_data
        if not possession_only:
            record.failed = 0
        return True

    # ---------------------------------------------------------------- Transport

    def post(self, path: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        self.requests.append((path, body, dict(headers)))
        handler = {
            "/pa/v3/status": self._server_status,
            "/pa/v3/keystore/create": self._keystore,
            "/pa/v3/activation/create": self._create,
            "/pa/v3/activation/status": self._status,
            "/pa/v3/activation/remove": self._remove,
            "/pa/v3/token/create": self._token_create,
            "/pa/v3/vault/unlock": self._vault_unlock,
            "/pa/v3/signature/validate": self._signature_validate,
            "/pa/v3/token/remove": self._token_remove,
        }.get(path)
        try:
            if handler is None:
                raise FakeError("ERR_GENERIC", 404, "no such endpoint")
            status, payload = 200, handler(body, headers)
        except FakeError as exc:
            status = exc.status
            payload = {"status": "ERROR", "responseObject": {"code": exc.code, "message": exc.message}}
        out = json.dumps(payload).encode()
        if self.tamper is not None:
            out = self.tamper(path, out)
        return HttpAnswer(status, out)

    @staticmethod
    def _ok(obj: dict[str, Any]) -> dict[str, Any]:
        return {"status": "OK", "responseObject": obj}

    def _now(self) -> int:
        return now_ms() + self.clock_offset_ms

    def _server_status(self, _body: bytes, _headers: Mapping[str, str]) -> dict[str, Any]:
        return self._ok({"serverTime": self._now(), "application": {"name": "fake", "version": "0"}})

    def _keystore(self, body: bytes, _headers: Mapping[str, str]) -> dict[str, Any]:
        jwt = json.loads(body)["requestObject"]["jwt"]
        peek = TemporaryKeyRequest.peek(jwt)
        if peek.activation_id is None:
            request = TemporaryKeyRequest.verify(jwt, self.app_secret)
            signer = self.master
        else:
            record = self.activations[peek.activation_id]
            assert record.keys is not None
            request = TemporaryKeyRequest.verify(jwt, self.app_secret, record.keys.transport)
            signer = record.server_private_key
        private = generate_private_key()
        key = TemporaryKey.issue(request, private.public_key(), self._now())
        self.temporary[key.key_id] = (private, request.activation_id)
        return self._ok({"jwt": key.to_jwt(signer)})

    def _create(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        header = EncryptionHeader.parse(headers[ENCRYPTION_HEADER])
        request = EciesRequest.from_json(json.loads(body), header.version)
        private = self.temporary[request.temporary_key_id][0] if request.temporary_key_id else self.master
        server = ServerActivation(header.version, self.app_key, self.app_secret, private,
                                  request.temporary_key_id, self.replay)
        layer1, layer2 = server.open_request(request)
        for decryptor in (server._layer1, server._layer2):  # answer on this server's clock
            assert decryptor is not None
            decryptor.clock = self._now
        if layer1.type.value == "CODE":
            code = layer1.identity_attributes["code"]
            matches = [a for a in self.activations.values()
                       if a.code == code and a.status is ActivationStatus.CREATED]
            if not matches:
                raise FakeError("ERR_ACTIVATION", 400, "activation code not found")
            record = matches[0]
            record.status = ActivationStatus.PENDING_COMMIT
        else:
            record = FakeActivation(str(uuid.uuid4()), "", str(layer1.identity_attributes),
                                    generate_private_key(), ActivationStatus.ACTIVE)
            self.activations[record.activation_id] = record
        result = server.respond(activation_id=record.activation_id,
                                server_private_key=record.server_private_key,
                                custom_attributes={"echo": layer2.activation_name})
        record.device_public_key = result.device_public_key
        record.keys = result.keys
        record.ctr_data = result.ctr_data
        return result.response.to_json()

    def _status(self, body: bytes, _headers: Mapping[str, str]) -> dict[str, Any]:
        req = json.loads(body)["requestObject"]
        record = self.activations.get(req["activationId"])
        nonce = os.urandom(16)
        if record is None or record.keys is None:
            blob = os.urandom(32)
        else:
            plain = build_status_blob(status=record.status, transport_key=record.keys.transport,
                                      ctr_data=record.ctr_data, ctr=record.ctr,
                                      failed_attempts=record.failed, max_failed_attempts=MAX_FAILED)
            blob = encrypt_status_blob(plain, record.keys.transport, b64decode(req["challenge"]), nonce)
        return self._ok({"activationId": req["activationId"], "encryptedStatusBlob": b64encode(blob),
                         "nonce": b64encode(nonce)})

    def _check_signature(self, headers: Mapping[str, str], uri_id: str, body: bytes) -> FakeActivation:
        value = headers[AUTHORIZATION_HEADER]
        header = AuthorizationHeader.parse(value)
        if not self.verify(value, "POST", uri_id, body):
            raise FakeError("ERR_AUTHENTICATION", 401, "POWER_AUTH_SIGNATURE_INVALID")
        return self.activations[header.activation_id]

    def _signature_validate(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        self._check_signature(headers, "/pa/signature/validate", body)
        return {"status": "OK"}

    def _token_remove(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        record = self._check_signature(headers, "/pa/token/remove", body)
        token_id = json.loads(body)["requestObject"]["tokenId"]
        if record.tokens.pop(token_id, None) is None:
            raise FakeError("ERR_AUTHENTICATION", 401, "no such token")
        return self._ok({"tokenId": token_id})

    def _remove(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        record = self._check_signature(headers, "/pa/activation/remove", body)
        record.status = ActivationStatus.REMOVED
        return self._ok({"activationId": record.activation_id})

    def _decryptor(self, record: FakeActivation, encryptor_id: EncryptorId, version: str,
                   request: EciesRequest) -> EciesDecryptor:
        assert record.keys is not None
        if request.temporary_key_id:
            private = self.temporary[request.temporary_key_id][0]
        else:
            private = record.server_private_key
        context = EciesContext(ProtocolVersion(version), encryptor_id, self.app_key, self.app_secret,
                               activation_id=record.activation_id, transport_key=record.keys.transport,
                               temporary_key_id=request.temporary_key_id)
        return EciesDecryptor(context, private, self.replay, clock=self._now)

    def _encrypted_signed(self, body: bytes, headers: Mapping[str, str], uri_id: str,
                          encryptor_id: EncryptorId,
                          respond: Responder) -> dict[str, Any]:
        record = self._check_signature(headers, uri_id, body)
        version = AuthorizationHeader.parse(headers[AUTHORIZATION_HEADER]).version
        request = EciesRequest.from_json(json.loads(body), version)
        decryptor = self._decryptor(record, encryptor_id, version, request)
        plain = json.loads(decryptor.decrypt_request(request))
        return decryptor.encrypt_response(dumps_compact(respond(record, plain))).to_json()

    def _token_create(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        def respond(record: FakeActivation, _plain: dict[str, Any]) -> dict[str, Any]:
            token_id, secret = str(uuid.uuid4()), os.urandom(16)
            record.tokens[token_id] = secret
            return {"tokenId": token_id, "tokenSecret": b64encode(secret)}

        return self._encrypted_signed(body, headers, "/pa/token/create", EncryptorId.CREATE_TOKEN, respond)

    def _vault_unlock(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        def respond(record: FakeActivation, plain: dict[str, Any]) -> dict[str, Any]:
            assert record.keys is not None and "reason" in plain
            return {"activationId": record.activation_id,
                    "encryptedVaultEncryptionKey": wrap_vault_key(record.keys.transport, record.keys.vault)}

        return self._encrypted_signed(body, headers, "/pa/vault/unlock", EncryptorId.VAULT_UNLOCK, respond)
