"""A test-side phone: the device half of the PowerAuth protocol built from ``simulator.powerauth``.

It talks to the Enrollment Server over real HTTP exactly as the mobile SDK does (headers, bodies,
temporary keys, counters), so the tests exercise the mock's wire behaviour, not its internals.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import requests

from simulator.powerauth.activation import ActivationType, DeviceActivation, DeviceActivationResult
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EciesContext, EciesEncryptor, EciesResponse, EncryptorId, dumps_compact
from simulator.powerauth.headers import (
    AUTHORIZATION_HEADER,
    ENCRYPTION_HEADER,
    TOKEN_HEADER,
    EncryptionHeader,
)
from simulator.powerauth.keys import public_key_from_bytes, public_key_to_bytes
from simulator.powerauth.request_auth import ClientCounter, sign_request, token_header
from simulator.powerauth.signature import SignatureKeys
from simulator.powerauth.status_blob import StatusBlob, decrypt_status_blob
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest
from simulator.powerauth.vault import unwrap_vault_key
from simulator.powerauth.versions import ProtocolVersion

ES = "/enrollment-server"


@dataclass
class Phone:
    """One device with one application configuration and (after :meth:`activate`) one activation."""

    base_url: str
    session: str
    application_key: str
    application_secret: str
    master_public_key: bytes
    version: str = "3.3"
    http: requests.Session = field(default_factory=requests.Session)
    result: DeviceActivationResult | None = None
    counter: ClientCounter | None = None
    last_response: requests.Response | None = None

    def __post_init__(self) -> None:
        self.http.headers["X-Sim-Session"] = self.session

    # ------------------------------------------------------------------ plumbing

    def post(
        self,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        if json_body is not None:
            data = dumps_compact(json_body)
        response = self.http.post(
            self.base_url + ES + path,
            data=data,
            timeout=10,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        self.last_response = response
        return response

    def ok(self, response: requests.Response) -> Any:
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    @property
    def activation_id(self) -> str:
        assert self.result is not None, "not activated"
        return self.result.activation_id

    # ------------------------------------------------------------------ 3.3 temporary keys

    def temporary_key(self, *, activation_scope: bool = False) -> TemporaryKey:
        activation_id = self.activation_id if activation_scope else None
        request = TemporaryKeyRequest.new(self.application_key, activation_id)
        transport = self.result.keys.transport if activation_scope and self.result else None
        jwt = request.to_jwt(self.application_secret, transport)
        body = self.ok(self.post("/pa/v3/keystore/create", json_body={"requestObject": {"jwt": jwt}}))
        signer = (
            self.result.server_public_key
            if activation_scope and self.result
            else public_key_from_bytes(self.master_public_key)
        )
        return TemporaryKey.verify(body["responseObject"]["jwt"], signer, request)

    # ------------------------------------------------------------------ activation

    def activation_request(
        self, code: str | None = None, **kwargs: Any
    ) -> tuple[DeviceActivation, dict[str, Any]]:
        temp = self.temporary_key() if self.version == "3.3" else None
        device = DeviceActivation(
            self.version,
            self.application_key,
            self.application_secret,
            temp.public_key if temp else self.master_public_key,
            temporary_key_id=temp.key_id if temp else None,
        )
        request = device.build_request(code, **kwargs)
        return device, request.to_json()

    def encryption_header(self) -> dict[str, str]:
        return {ENCRYPTION_HEADER: EncryptionHeader(self.version, self.application_key).format()}

    def activate(self, code: str | None = None, **kwargs: Any) -> DeviceActivationResult:
        kwargs.setdefault("platform", "android")
        kwargs.setdefault("activation_name", "Test phone")
        device, body = self.activation_request(code, **kwargs)
        response = self.post("/pa/v3/activation/create", json_body=body, headers=self.encryption_header())
        payload = self.ok(response)
        self.result = device.process_response(EciesResponse.from_json(payload, self.version))
        self.counter = ClientCounter(self.result.ctr_data)
        return self.result

    def status(self) -> StatusBlob:
        challenge = os.urandom(16)
        body = self.ok(
            self.post(
                "/pa/v3/activation/status",
                json_body={
                    "requestObject": {"activationId": self.activation_id, "challenge": b64encode(challenge)}
                },
            )
        )["responseObject"]
        assert self.result is not None
        return decrypt_status_blob(
            body["encryptedStatusBlob"], self.result.keys.transport, challenge, b64decode(body["nonce"])
        )

    # ------------------------------------------------------------------ signatures

    def signature_keys(self, *, wrong_knowledge: bool = False) -> SignatureKeys:
        assert self.result is not None
        keys = self.result.keys
        knowledge = bytes(16) if wrong_knowledge else keys.knowledge
        return SignatureKeys(keys.possession, knowledge, keys.biometry)

    def auth_header(
        self,
        uri_id: str,
        body: bytes,
        signature_type: str = "possession_knowledge",
        *,
        wrong_knowledge: bool = False,
        method: str = "POST",
    ) -> dict[str, str]:
        assert self.counter is not None
        header = sign_request(
            version=self.version,
            activation_id=self.activation_id,
            application_key=self.application_key,
            application_secret=self.application_secret,
            keys=self.signature_keys(wrong_knowledge=wrong_knowledge),
            signature_type=signature_type,
            counter=self.counter,
            method=method,
            uri_id=uri_id,
            body=body,
        )
        return {AUTHORIZATION_HEADER: header.format()}

    def post_signed(
        self,
        path: str,
        uri_id: str,
        body: Any,
        signature_type: str = "possession_knowledge",
        *,
        wrong_knowledge: bool = False,
    ) -> requests.Response:
        raw = dumps_compact(body)
        headers = self.auth_header(uri_id, raw, signature_type, wrong_knowledge=wrong_knowledge)
        return self.post(path, data=raw, headers=headers)

    # ------------------------------------------------------------------ activation-scope ECIES

    def activation_encryptor(self, encryptor_id: EncryptorId) -> EciesEncryptor:
        assert self.result is not None
        temp = self.temporary_key(activation_scope=True) if self.version == "3.3" else None
        context = EciesContext(
            ProtocolVersion(self.version),
            encryptor_id,
            self.application_key,
            self.application_secret,
            activation_id=self.activation_id,
            transport_key=self.result.keys.transport,
            temporary_key_id=temp.key_id if temp else None,
        )
        recipient = temp.public_key if temp else public_key_to_bytes(self.result.server_public_key)
        return EciesEncryptor(context, recipient)

    def signed_encrypted(
        self,
        path: str,
        uri_id: str,
        encryptor_id: EncryptorId,
        plaintext: Any,
        signature_type: str = "possession_knowledge",
        *,
        wrong_knowledge: bool = False,
    ) -> tuple[requests.Response, EciesEncryptor]:
        encryptor = self.activation_encryptor(encryptor_id)
        body = encryptor.encrypt_request(dumps_compact(plaintext)).to_json()
        return self.post_signed(
            path, uri_id, body, signature_type, wrong_knowledge=wrong_knowledge
        ), encryptor

    def decrypt(self, encryptor: EciesEncryptor, response: requests.Response) -> Any:
        return json.loads(
            encryptor.decrypt_response(EciesResponse.from_json(self.ok(response), self.version))
        )

    def create_token(self, signature_type: str = "possession_knowledge") -> tuple[str, bytes]:
        response, encryptor = self.signed_encrypted(
            "/pa/v3/token/create", "/pa/token/create", EncryptorId.CREATE_TOKEN, {}, signature_type
        )
        token = self.decrypt(encryptor, response)
        return token["tokenId"], b64decode(token["tokenSecret"])

    def token_headers(self, token_id: str, secret: bytes, now_ms: int) -> dict[str, str]:
        header = token_header(version=self.version, token_id=token_id, token_secret=secret, now_ms=now_ms)
        return {TOKEN_HEADER: header.format()}

    def vault_key(self, *, wrong_knowledge: bool = False) -> requests.Response | bytes:
        response, encryptor = self.signed_encrypted(
            "/pa/v3/vault/unlock",
            "/pa/vault/unlock",
            EncryptorId.VAULT_UNLOCK,
            {"reason": "NOT_SPECIFIED"},
            wrong_knowledge=wrong_knowledge,
        )
        if response.status_code != 200:
            return response
        assert self.result is not None
        plain = self.decrypt(encryptor, response)
        return unwrap_vault_key(self.result.keys.transport, plain["encryptedVaultEncryptionKey"])


ActivationTypes = ActivationType
