"""The PowerAuth mobile SDK's life cycle, on a virtual phone that reaches its server only by HTTP.

``PowerAuthSDK(config, storage, transport)`` behaves as the mobile SDK does for an app:
create an activation (from an activation code or custom identity attributes), persist it under a PIN,
fetch and decrypt its status (resynchronising the signature counter), sign requests, create and use
tokens, unlock the vault and remove the activation. All protocol computations come from
:mod:`simulator.powerauth`; this module only sequences them and keeps the phone's state in a
:class:`DeviceStorage`, so a new SDK object over the same storage is an app restart.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.activation import ActivationType, DeviceActivationResult
from simulator.powerauth.activation_code import decode_activation_code, parse_activation_qr
from simulator.powerauth.activation_code import verify_activation_signature as verify_code_signature
from simulator.powerauth.codec import b64decode
from simulator.powerauth.ecies import EciesContext, EciesResponse, EncryptorId
from simulator.powerauth.errors import ActivationSignatureError as CoreSignatureError
from simulator.powerauth.errors import InvalidActivationCodeError as CoreCodeError
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.headers import (
    AUTHORIZATION_HEADER,
    ENCRYPTION_HEADER,
    TOKEN_HEADER,
    EncryptionHeader,
)
from simulator.powerauth.keys import public_key_to_bytes
from simulator.powerauth.request_auth import token_header
from simulator.powerauth.signature import SignatureType, normalize_get_query
from simulator.powerauth.vault import (
    decrypt_device_private_key,
    encrypt_device_private_key,
    pin_key,
    protect_knowledge_key,
    protect_knowledge_key_with,
    unlock_knowledge_key,
    unwrap_vault_key,
)

from . import offline, signing
from .activation_exchange import ActivationExchange
from .clock import ServerClock
from .config import PowerAuthConfig
from .encryption import DeviceEncryptor
from .errors import (
    ActivationSignatureError,
    ActivationStateError,
    FactorUnavailableError,
    InvalidActivationCodeError,
    InvalidConfigError,
    NoActivationError,
    ServerError,
    ServerResponseError,
)
from .http import EnrollmentClient, RequestsTransport, Transport
from .models import ActivationResult, ActivationStatusInfo, PowerAuthToken
from .offline import OfflinePayload
from .signing import signature_type_of
from .status import fetch_status
from .storage import ActivationData, DeviceStorage
from .temporary_keys import TemporaryKeyCache

PATH_SERVER_STATUS = "/pa/v3/status"
PATH_CREATE = "/pa/v3/activation/create"
PATH_REMOVE = "/pa/v3/activation/remove"
PATH_TOKEN_CREATE = "/pa/v3/token/create"
PATH_TOKEN_REMOVE = "/pa/v3/token/remove"
PATH_VAULT_UNLOCK = "/pa/v3/vault/unlock"
PATH_SIGNATURE_VALIDATE = "/pa/v3/signature/validate"

URI_REMOVE = "/pa/activation/remove"
URI_TOKEN_CREATE = "/pa/token/create"
URI_TOKEN_REMOVE = "/pa/token/remove"
URI_VAULT_UNLOCK = "/pa/vault/unlock"
URI_SIGNATURE_VALIDATE = "/pa/signature/validate"

VAULT_REASONS = frozenset(
    {"ADD_BIOMETRY", "FETCH_ENCRYPTION_KEY", "SIGN_WITH_DEVICE_PRIVATE_KEY", "RECOVERY_CODE", "NOT_SPECIFIED"}
)
DEFAULT_PLATFORM = "android"
DEFAULT_DEVICE_INFO = "rsim virtual phone"


class PowerAuthSDK:
    """One app's PowerAuth instance on the virtual phone.

    Like the mobile SDK it is meant for one user at a time: give each simulated phone (each locust
    user) its own object. The object mutates ``storage`` in place; save it when the phone should
    outlive the process.
    """

    def __init__(
        self,
        config: PowerAuthConfig,
        storage: DeviceStorage,
        transport: Transport | str,
        *,
        session: str | None = None,
        clock: ServerClock | None = None,
        resync_before_key_reuse: bool = True,
    ) -> None:
        """``resync_before_key_reuse`` asks the server's time before reusing a cached 3.3 temporary
        key (one light ``/pa/v3/status`` call), so keys the server's virtual clock has expired are
        replaced; a load test that never moves clocks can turn it off to keep the real SDK's traffic.
        """
        if session is not None and not isinstance(transport, str):
            raise InvalidConfigError("session applies only when the SDK builds its transport from a URL")
        self.config = config
        self.storage = storage
        self.transport = (
            RequestsTransport(transport, session=session) if isinstance(transport, str) else transport
        )
        self.client = EnrollmentClient(self.transport)
        self.clock = clock or ServerClock()
        self.temporary_keys = TemporaryKeyCache(
            config, self.client, self.clock, self._resync_quietly if resync_before_key_reuse else None
        )
        # A created activation lives only in memory until persist_activation, as on a real phone.
        self._pending: DeviceActivationResult | None = None

    def close(self) -> None:
        """Release the HTTP connection pool (when the SDK built its own transport)."""
        if isinstance(self.transport, RequestsTransport):
            self.transport.close()

    def __enter__(self) -> PowerAuthSDK:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ state

    def has_valid_activation(self) -> bool:
        """A persisted activation exists on the phone (whatever its state on the server)."""
        return self.storage.activation is not None

    def has_pending_activation(self) -> bool:
        """An activation was created but not yet persisted under a PIN."""
        return self._pending is not None

    @property
    def activation_id(self) -> str | None:
        """The persisted or pending activation's ID."""
        if self.storage.activation is not None:
            return self.storage.activation.activation_id
        return self._pending.activation_id if self._pending else None

    @property
    def fingerprint(self) -> str | None:
        """The activation fingerprint the user compares with the one the bank shows."""
        if self.storage.activation is not None:
            return self.storage.activation.fingerprint
        return self._pending.fingerprint if self._pending else None

    def _activation(self) -> ActivationData:
        if self.storage.activation is None:
            raise NoActivationError("the device has no persisted activation")
        return self.storage.activation

    # ------------------------------------------------------------------ time

    def synchronize_time(self) -> int:
        """Learn the server's clock from ``/pa/v3/status`` (``serverTime``); returns the offset in ms.

        Call it after a test moved the server's virtual clock: cached temporary keys are then judged
        by the new server time, and expired ones are fetched again on next use.
        """
        answer = self.client.post_object(PATH_SERVER_STATUS, {})
        server_time = answer.get("serverTime")
        if not isinstance(server_time, int) or isinstance(server_time, bool):
            raise ServerResponseError("server status answer lacks a numeric serverTime")
        self.clock.observe(server_time)
        return self.clock.offset_ms

    def _resync_quietly(self) -> None:
        """Time sync that tolerates a server without ``/pa/v3/status`` (keeps the last offset)."""
        with contextlib.suppress(ServerError):
            self.synchronize_time()

    def _ensure_time(self) -> None:
        """Synchronise once before the first timestamped request, as the SDK does from 3.2 on.

        A server without ``/pa/v3/status`` (older than 3.2 support) leaves the phone on local time.
        """
        if self.clock.synchronized:
            return
        try:
            self.synchronize_time()
        except ServerError:
            self.clock.synchronized = True

    # ------------------------------------------------------------------ activation

    def create_activation(
        self,
        code: str | None = None,
        *,
        signature: str | None = None,
        identity_attributes: Mapping[str, Any] | None = None,
        name: str | None = None,
        activation_otp: str | None = None,
        custom_attributes: Mapping[str, Any] | None = None,
        platform: str = DEFAULT_PLATFORM,
        device_info: str = DEFAULT_DEVICE_INFO,
        extras: str | None = None,
    ) -> ActivationResult:
        """Create an activation by code (``CODE`` or ``CODE#SIGNATURE``) or by identity attributes.

        The code's CRC and, when a signature is known, its master-key signature are checked before
        any key is generated or anything is sent. The server's answer is accepted only after both
        ECIES layers verify. The activation then waits in memory for :meth:`persist_activation`.
        """
        if self.storage.activation is not None or self._pending is not None:
            raise ActivationStateError("the device already has an activation; remove it first")
        if (code is None) == (identity_attributes is None):
            raise ActivationStateError("give either an activation code or identity attributes")
        if code is not None:
            code = self._check_code(code, signature)
            activation_type = ActivationType.CODE
            attributes: dict[str, Any] = {"code": code}
        else:
            activation_type = ActivationType.CUSTOM
            attributes = dict(identity_attributes or {})
            if not attributes:
                raise ActivationStateError("identity attributes must not be empty")
        version = self.config.version
        if version.has_temporary_key:
            key = self.temporary_keys.application_key()
            recipient, key_id = key.public_key, key.key_id
        else:
            recipient, key_id = self.config.master_public_key, None
        if version.has_timestamp:
            self._ensure_time()
        exchange = ActivationExchange(
            version, self.config.application_key, self.config.application_secret, recipient, key_id,
            self.clock,
        )
        layer2 = {"activation_name": name, "platform": platform, "device_info": device_info,
                  "extras": extras, "activation_otp": activation_otp}
        request = exchange.build_request(
            activation_type, attributes, layer2, dict(custom_attributes) if custom_attributes else None
        )
        header = EncryptionHeader(version.value, self.config.application_key).format()
        body = json.dumps(request.to_json(), separators=(",", ":")).encode("utf-8")
        answer = self.client.post_bytes(PATH_CREATE, body, {ENCRYPTION_HEADER: header})
        try:
            response = EciesResponse.from_json(answer, version)
            result = exchange.process_response(response)
        except PowerAuthError as exc:
            raise ServerResponseError(f"activation answer rejected: {exc}") from exc
        if response.timestamp is not None:
            self.clock.observe(response.timestamp)
        self._pending = result
        recovery = result.activation_recovery
        return ActivationResult(
            activation_id=result.activation_id,
            fingerprint=result.fingerprint,
            recovery_code=recovery.recovery_code if recovery else None,
            recovery_puk=recovery.puk if recovery else None,
            custom_attributes=result.custom_attributes,
            user_info=result.user_info,
        )

    def _check_code(self, text: str, signature: str | None) -> str:
        """The bare code, after its CRC and (when one is known) its master-key signature check out."""
        try:
            code, qr_signature = parse_activation_qr(text)
            decode_activation_code(code)
        except CoreCodeError as exc:
            raise InvalidActivationCodeError(str(exc)) from exc
        signature = signature or qr_signature
        if signature is not None:
            try:
                verify_code_signature(code, signature, self.config.master_key)
            except CoreSignatureError as exc:
                raise ActivationSignatureError(str(exc)) from exc
        return code

    def persist_activation(
        self, pin: str, *, enable_biometry: bool = False, derived_pin: tuple[bytes, bytes] | None = None
    ) -> None:
        """Store the pending activation: knowledge key under the PIN, private key under the vault key.

        The vault key and the master secret are forgotten afterwards, as on a real phone.
        ``derived_pin``: ``(salt, pin_key(pin, salt))`` already derived by the caller, for set-up
        code that persists many phones of one client under one PIN (the derivation is PBKDF2's
        10 000 rounds); the key is taken as given.  Without it the salt is drawn anew, as the SDK does.
        """
        if self._pending is None:
            raise ActivationStateError("there is no created activation to persist")
        if not pin:
            raise FactorUnavailableError("the PIN must not be empty")
        result = self._pending
        if derived_pin is None:
            salt = os.urandom(16)
            derived = pin_key(pin, salt)
        else:
            salt, derived = derived_pin
        protected = protect_knowledge_key_with(derived, result.keys.knowledge)
        recovery = result.activation_recovery
        self.storage.activation = ActivationData(
            activation_id=result.activation_id,
            version=self.config.version,
            fingerprint=result.fingerprint,
            server_public_key=public_key_to_bytes(result.server_public_key),
            device_public_key=public_key_to_bytes(result.device_private_key.public_key(), compressed=True),
            encrypted_device_private_key=encrypt_device_private_key(
                result.keys.vault, result.device_private_key
            ),
            possession_key=result.keys.possession,
            transport_key=result.keys.transport,
            knowledge_salt=salt,
            protected_knowledge_key=protected,
            ctr_data=result.ctr_data,
            ctr_byte=0,
            biometry_key=result.keys.biometry if enable_biometry else None,
            recovery_code=recovery.recovery_code if recovery else None,
            recovery_puk=recovery.puk if recovery else None,
        )
        self._pending = None

    def remove_activation_local(self) -> None:
        """Forget the activation and its tokens on the phone only (the server keeps them)."""
        self.storage.activation = None
        self.storage.tokens.clear()
        self._pending = None
        self.temporary_keys.forget()

    def remove_activation(
        self, pin: str, factors: SignatureType | str = SignatureType.POSSESSION_KNOWLEDGE
    ) -> None:
        """Remove the activation on the server (2FA-signed), then on the phone."""
        body = b"{}"
        header = self.sign("POST", URI_REMOVE, body, factors, pin=pin)
        answer = self.client.post_bytes(PATH_REMOVE, body, {AUTHORIZATION_HEADER: header})
        self.client.unwrap(answer, PATH_REMOVE)
        self.remove_activation_local()

    # ------------------------------------------------------------------ status

    def fetch_activation_status(self) -> ActivationStatusInfo:
        """Ask for the status blob with a fresh challenge, decrypt it and resynchronise the counter."""
        return fetch_status(self.client, self._activation())

    # ------------------------------------------------------------------ signatures

    def sign(
        self,
        method: str,
        uri_id: str,
        body: bytes,
        factors: SignatureType | str = SignatureType.POSSESSION_KNOWLEDGE,
        *,
        pin: str | None = None,
    ) -> str:
        """The ``X-PowerAuth-Authorization`` value for a request; the counter moves on either way.

        A wrong PIN is not detected here: it unlocks a wrong knowledge key, the server rejects the
        signature and counts the failed attempt, as with the real SDK.
        """
        return signing.sign(self.config, self._activation(), method, uri_id, body, factors, pin)

    def sign_query(
        self,
        method: str,
        uri_id: str,
        params: Mapping[str, str] | list[tuple[str, str]] | str,
        factors: SignatureType | str = SignatureType.POSSESSION_KNOWLEDGE,
        *,
        pin: str | None = None,
    ) -> str:
        """Sign a request without a body (GET, DELETE …): the canonical query string is signed instead."""
        return self.sign(method, uri_id, normalize_get_query(params), factors, pin=pin)

    def verify_offline_data(self, offline_data: str) -> OfflinePayload:
        """Check a QR payload's server signature (master key, or this activation's server key)."""
        activation = self.storage.activation
        return offline.parse_and_verify(
            offline_data, self.config.master_public_key,
            activation.server_public_key if activation is not None else None,
        )

    def sign_offline(
        self,
        offline_data: str,
        uri_id: str = "/operation/authorize/offline",
        factors: SignatureType | str = SignatureType.POSSESSION_KNOWLEDGE,
        *,
        pin: str | None = None,
        component_length: int = 8,
    ) -> str:
        """Verify a QR payload, then sign its data and nonce offline; returns the digits to type in."""
        payload = self.verify_offline_data(offline_data)
        return signing.sign_offline(
            self._activation(), uri_id, payload.data.encode("utf-8"), payload.nonce, factors, pin,
            component_length,
        )

    def validate_signature(
        self,
        factors: SignatureType | str = SignatureType.POSSESSION_KNOWLEDGE,
        *,
        pin: str | None = None,
        body: bytes = b"{}",
    ) -> None:
        """Check a signature (and so the PIN and the counter) with the server's signed no-op endpoint.

        A refused signature raises :class:`ServerError` (HTTP 401) and is counted like any other.
        """
        header = self.sign("POST", URI_SIGNATURE_VALIDATE, body, factors, pin=pin)
        answer = self.client.post_bytes(PATH_SIGNATURE_VALIDATE, body, {AUTHORIZATION_HEADER: header})
        if answer.get("status") != "OK":
            raise ServerResponseError(f"{PATH_SIGNATURE_VALIDATE}: answer is not status OK")

    def change_pin(self, old_pin: str, new_pin: str) -> None:
        """Re-protect the knowledge key under a new PIN after the server accepted the old one.

        The old PIN is checked with a signed ``signature/validate`` call first (a wrong one is
        counted by the server), since locally every PIN "decrypts" to some key.
        """
        if not new_pin:
            raise FactorUnavailableError("the new PIN must not be empty")
        activation = self._activation()
        self.validate_signature(SignatureType.POSSESSION_KNOWLEDGE, pin=old_pin)
        knowledge = unlock_knowledge_key(
            old_pin, activation.knowledge_salt, activation.protected_knowledge_key
        )
        salt = os.urandom(16)
        activation.knowledge_salt = salt
        activation.protected_knowledge_key = protect_knowledge_key(new_pin, salt, knowledge)

    # ------------------------------------------------------------------ encryption

    def application_encryptor(
        self, encryptor_id: EncryptorId = EncryptorId.APPLICATION_SCOPE_GENERIC
    ) -> DeviceEncryptor:
        """An application-scope encryptor (no activation needed), e.g. for the Onboarding Server."""
        version = self.config.version
        if version.has_temporary_key:
            key = self.temporary_keys.application_key()
            recipient, key_id = key.public_key, key.key_id
        else:
            recipient, key_id = self.config.master_public_key, None
        if version.has_timestamp:
            self._ensure_time()
        context = EciesContext(
            version, encryptor_id, self.config.application_key, self.config.application_secret,
            temporary_key_id=key_id,
        )
        return DeviceEncryptor(context, recipient, self.clock)

    def activation_encryptor(
        self, encryptor_id: EncryptorId = EncryptorId.ACTIVATION_SCOPE_GENERIC
    ) -> DeviceEncryptor:
        """An activation-scope encryptor for the persisted activation."""
        activation = self._activation()
        version = self.config.version
        if version.has_temporary_key:
            key = self.temporary_keys.activation_key(activation)
            recipient, key_id = key.public_key, key.key_id
        else:
            recipient, key_id = activation.server_public_key, None
        if version.has_timestamp:
            self._ensure_time()
        context = EciesContext(
            version, encryptor_id, self.config.application_key, self.config.application_secret,
            activation_id=activation.activation_id, transport_key=activation.transport_key,
            temporary_key_id=key_id,
        )
        return DeviceEncryptor(context, recipient, self.clock)

    def _signed_encrypted_call(
        self,
        path: str,
        uri_id: str,
        encryptor_id: EncryptorId,
        plaintext: Mapping[str, Any],
        factors: SignatureType | str,
        pin: str | None,
    ) -> dict[str, Any]:
        """Encrypt-then-sign: the signature covers the encrypted body exactly as sent."""
        encryptor = self.activation_encryptor(encryptor_id)
        request = encryptor.encrypt(plaintext)
        header = self.sign("POST", uri_id, request.body, factors, pin=pin)
        answer = self.client.post_bytes(path, request.body, {AUTHORIZATION_HEADER: header})
        return encryptor.decrypt_json(answer)

    # ------------------------------------------------------------------ tokens

    def create_token(
        self,
        factors: SignatureType | str = SignatureType.POSSESSION_KNOWLEDGE,
        *,
        pin: str | None = None,
        name: str | None = None,
    ) -> PowerAuthToken:
        """Create a token (signed and activation-scope encrypted); its secret never leaves the phone.

        With ``name`` the token is kept in the device storage (it survives an app restart, as in the
        SDK's token store) and :meth:`token` finds it again.
        """
        signature_type = signature_type_of(factors)
        answer = self._signed_encrypted_call(
            PATH_TOKEN_CREATE, URI_TOKEN_CREATE, EncryptorId.CREATE_TOKEN, {}, signature_type, pin
        )
        token_id, secret = answer.get("tokenId"), answer.get("tokenSecret")
        if not isinstance(token_id, str) or not isinstance(secret, str):
            raise ServerResponseError("token answer lacks tokenId or tokenSecret")
        try:
            raw_secret = b64decode(secret, what="tokenSecret", length=16)
        except PowerAuthError as exc:
            raise ServerResponseError(str(exc)) from exc
        token = PowerAuthToken(token_id, raw_secret, signature_type)
        if name is not None:
            self.storage.tokens[name] = token
        return token

    def token(self, name: str) -> PowerAuthToken | None:
        """A token kept under ``name``, if any."""
        return self.storage.tokens.get(name)

    def token_header(self, token: PowerAuthToken) -> str:
        """An ``X-PowerAuth-Token`` value stamped with the server-synchronised time."""
        self._ensure_time()
        header = token_header(
            version=self.config.version,
            token_id=token.token_id,
            token_secret=token.token_secret,
            now_ms=self.clock.now_ms(),
        )
        return header.format()

    def token_headers(self, token: PowerAuthToken) -> dict[str, str]:
        """The header as a mapping, ready for ``requests``."""
        return {TOKEN_HEADER: self.token_header(token)}

    def remove_token(self, token: PowerAuthToken) -> None:
        """Remove a token on the server (possession-signed)."""
        body = json.dumps({"requestObject": {"tokenId": token.token_id}}, separators=(",", ":")).encode()
        header = self.sign("POST", URI_TOKEN_REMOVE, body, SignatureType.POSSESSION)
        answer = self.client.post_bytes(PATH_TOKEN_REMOVE, body, {AUTHORIZATION_HEADER: header})
        self.client.unwrap(answer, PATH_TOKEN_REMOVE)
        for name in [n for n, kept in self.storage.tokens.items() if kept.token_id == token.token_id]:
            del self.storage.tokens[name]

    # ------------------------------------------------------------------ vault

    def unlock_vault(self, pin: str, reason: str = "NOT_SPECIFIED") -> bytes:
        """Fetch the vault key (possession+knowledge signed); it also decrypts the device private key.

        The unwrapped key is checked against the stored encrypted private key, so a server that hands
        out a wrong vault key is caught here rather than later.
        """
        if reason not in VAULT_REASONS:
            raise ActivationStateError(f"unknown vault unlock reason {reason!r}")
        activation = self._activation()
        answer = self._signed_encrypted_call(
            PATH_VAULT_UNLOCK, URI_VAULT_UNLOCK, EncryptorId.VAULT_UNLOCK, {"reason": reason},
            SignatureType.POSSESSION_KNOWLEDGE, pin,
        )
        wrapped = answer.get("encryptedVaultEncryptionKey")
        if not isinstance(wrapped, str):
            raise ServerResponseError("vault answer lacks encryptedVaultEncryptionKey")
        try:
            vault_key = unwrap_vault_key(activation.transport_key, wrapped)
            private_key = decrypt_device_private_key(vault_key, activation.encrypted_device_private_key)
        except PowerAuthError as exc:
            raise ServerResponseError(f"vault key rejected: {exc}") from exc
        if public_key_to_bytes(private_key.public_key(), compressed=True) != activation.device_public_key:
            raise ServerResponseError("vault key does not open this device's private key")
        return vault_key

    def sign_with_device_private_key(self, pin: str, data: bytes) -> bytes:
        """ECDSA-P256-SHA256 (DER) with the device private key, unlocked through the vault."""
        vault_key = self.unlock_vault(pin, "SIGN_WITH_DEVICE_PRIVATE_KEY")
        private_key = decrypt_device_private_key(vault_key, self._activation().encrypted_device_private_key)
        return private_key.sign(data, ec.ECDSA(hashes.SHA256()))
