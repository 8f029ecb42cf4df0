"""ECIES as PowerAuth uses it, versions 3.0 to 3.3, application and activation scope.

One :class:`EciesContext` fixes what both parties agree on (version, encryptor id, app key and
secret, activation id and transport key, temporary key id). The client side is
:class:`EciesEncryptor` (encrypt request, decrypt response); the server side is
:class:`EciesDecryptor` (decrypt request, encrypt response). Each object serves exactly one
request/response pair, as in the reference implementations.

Version differences (see the spec, section 4): 3.0 has no nonce and a zero IV; 3.1 adds a request
nonce whose IV the response reuses; 3.2 prefixes the KDF info with the version, adds timestamps,
a fresh response nonce and the LV-joined sharedInfo2 with associated data; 3.3 adds
``temporaryKeyId`` to the request and to the associated data.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.encoding import json_dumps
from simulator.powerauth.codec import b64decode, b64encode, be64, join_lv
from simulator.powerauth.errors import (
    CryptoError,
    EciesFormatError,
    EciesKeyError,
    EciesMacError,
    InvalidKeyError,
)
from simulator.powerauth.kdf import (
    ZERO_IV,
    aes_cbc_pkcs7_decrypt,
    aes_cbc_pkcs7_encrypt,
    hmac_sha256,
    kdf_internal,
    sha256,
    x963_kdf_sha256,
)
from simulator.powerauth.keys import ecdh, generate_private_key, public_key_from_bytes, public_key_to_bytes
from simulator.powerauth.replay import ReplayGuard, now_ms
from simulator.powerauth.versions import ProtocolVersion, parse_version

ENVELOPE_KEY_LENGTH = 48
NONCE_LENGTH = 16
MAC_LENGTH = 32


class EciesScope(Enum):
    """Whose key the request is encrypted to: the application's or one activation's."""

    APPLICATION = "application"
    ACTIVATION = "activation"


class EncryptorId(Enum):
    """Every ``SHARED_INFO_1`` use, named as in the reference ``EncryptorId``."""

    APPLICATION_SCOPE_GENERIC = ("/pa/generic/application", EciesScope.APPLICATION)
    ACTIVATION_LAYER_2 = ("/pa/activation", EciesScope.APPLICATION)
    ACTIVATION_SCOPE_GENERIC = ("/pa/generic/activation", EciesScope.ACTIVATION)
    UPGRADE = ("/pa/upgrade", EciesScope.ACTIVATION)
    VAULT_UNLOCK = ("/pa/vault/unlock", EciesScope.ACTIVATION)
    CREATE_TOKEN = ("/pa/token/create", EciesScope.ACTIVATION)
    CONFIRM_RECOVERY_CODE = ("/pa/recovery/confirm", EciesScope.ACTIVATION)

    @property
    def shared_info1(self) -> bytes:
        """The ``SHARED_INFO_1`` bytes (without the 3.2+ version prefix)."""
        return self.value[0].encode("ascii")

    @property
    def scope(self) -> EciesScope:
        """Application or activation scope."""
        return self.value[1]


def dumps_compact(obj: Any) -> bytes:
    """Compact UTF-8 JSON, as the SDK sends inside ECIES (a document upload's Base64 photos are
    copied past the encoder's escape scan: :func:`simulator.encoding.json_dumps`)."""
    return json_dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads_json_object(data: bytes, what: str = "payload") -> dict[str, Any]:
    """Parse decrypted JSON that must be an object; anything else is an :class:`EciesFormatError`."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EciesFormatError(f"{what} is not UTF-8 JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise EciesFormatError(f"{what} must be a JSON object")
    return obj


@dataclass(frozen=True, slots=True)
class EciesContext:
    """What client and server agree on before a request: version, encryptor id and identities.

    ``application_secret`` is the Base64 *text*; ECIES uses it as ASCII, never decoded.
    Activation scope needs ``activation_id`` and ``transport_key``; 3.3 needs ``temporary_key_id``.
    """

    version: ProtocolVersion
    encryptor_id: EncryptorId
    application_key: str
    application_secret: str
    activation_id: str | None = None
    transport_key: bytes | None = None
    temporary_key_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "version", parse_version(self.version, EciesFormatError))
        if not isinstance(self.encryptor_id, EncryptorId):
            raise EciesFormatError(f"unknown encryptor id {self.encryptor_id!r}")
        if not self.application_key or not self.application_secret:
            raise EciesFormatError("application key and secret are required")
        if self.scope is EciesScope.ACTIVATION:
            if not self.activation_id:
                raise EciesFormatError("activation scope requires an activation ID")
            if self.transport_key is None or len(self.transport_key) != 16:
                raise EciesFormatError("activation scope requires a 16-byte transport key")
        if self.version.has_temporary_key and not self.temporary_key_id:
            raise EciesFormatError("protocol 3.3 requires a temporary key ID")

    @property
    def scope(self) -> EciesScope:
        """Scope implied by the encryptor id."""
        return self.encryptor_id.scope

    def kdf_info(self, ephemeral_public_key: bytes) -> bytes:
        """X9.63 ``info``: ``[version ‖] sh1 ‖ ephPub`` (the version prefix from 3.2 on)."""
        prefix = self.version.value.encode("ascii") if self.version.has_timestamp else b""
        return prefix + self.encryptor_id.shared_info1 + ephemeral_public_key

    def shared_info2_base(self) -> bytes:
        """``SHARED_INFO_2_BASE``: SHA256 of the app secret text, or its HMAC under the transport key."""
        secret = self.application_secret.encode("ascii")
        if self.scope is EciesScope.APPLICATION:
            return sha256(secret)
        assert self.transport_key is not None  # checked in __post_init__
        return hmac_sha256(self.transport_key, secret)

    def associated_data(self) -> bytes | None:
        """AD (3.2+): ``LV(ver)‖LV(appKey)[‖LV(activationId)][‖LV(tempKeyId)]``; None before 3.2."""
        if not self.version.has_timestamp:
            return None
        items = [self.version.value.encode("ascii"), self.application_key.encode("utf-8")]
        if self.scope is EciesScope.ACTIVATION:
            assert self.activation_id is not None
            items.append(self.activation_id.encode("utf-8"))
        if self.version.has_temporary_key:
            assert self.temporary_key_id is not None
            items.append(self.temporary_key_id.encode("utf-8"))
        return join_lv(items)

    def shared_info2(
        self, nonce: bytes | None, timestamp: int | None, ephemeral_public_key: bytes | None
    ) -> bytes:
        """``sh2``: the base alone before 3.2, else ``LV(base)‖LV(nonce)‖LV(ts)‖LV(ephPub|null)‖LV(AD)``."""
        base = self.shared_info2_base()
        if not self.version.has_timestamp:
            return base
        if nonce is None or timestamp is None:
            raise EciesFormatError(f"protocol {self.version} needs a nonce and a timestamp")
        return join_lv([base, nonce, be64(timestamp), ephemeral_public_key, self.associated_data()])


@dataclass(frozen=True, slots=True)
class EnvelopeKey:
    """The 48-byte X9.63 output: ``KEY_ENC ‖ KEY_MAC ‖ KEY_IV`` (what the server hands the ES)."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != ENVELOPE_KEY_LENGTH:
            raise EciesFormatError(
                f"envelope key must be {ENVELOPE_KEY_LENGTH} bytes, got {len(self.secret)}"
            )

    @classmethod
    def derive(cls, shared_secret: bytes, context: EciesContext, ephemeral_public_key: bytes) -> EnvelopeKey:
        """``X9.63-SHA256(Z, info, 48)`` with the unfolded ECDH secret ``Z``."""
        return cls(
            x963_kdf_sha256(shared_secret, context.kdf_info(ephemeral_public_key), ENVELOPE_KEY_LENGTH)
        )

    @property
    def enc_key(self) -> bytes:
        return self.secret[:16]

    @property
    def mac_key(self) -> bytes:
        return self.secret[16:32]

    @property
    def iv_key(self) -> bytes:
        return self.secret[32:48]

    def iv_for(self, nonce: bytes | None) -> bytes:
        """``KDF_INTERNAL(KEY_IV, nonce)``, or the zero IV of 3.0 when there is no nonce."""
        return ZERO_IV if nonce is None else kdf_internal(self.iv_key, nonce)

    def seal(self, plaintext: bytes, iv: bytes, shared_info2: bytes) -> tuple[bytes, bytes]:
        """Encrypt then MAC: ``(AES-CBC-PKCS7(plaintext), HMAC(KEY_MAC, enc ‖ sh2))``."""
        encrypted = aes_cbc_pkcs7_encrypt(self.enc_key, iv, plaintext)
        return encrypted, hmac_sha256(self.mac_key, encrypted + shared_info2)

    def verify_mac(self, encrypted: bytes, mac: bytes, shared_info2: bytes) -> None:
        """Constant-time MAC check; raises :class:`EciesMacError` on mismatch."""
        expected = hmac_sha256(self.mac_key, encrypted + shared_info2)
        if not hmac.compare_digest(expected, mac):
            raise EciesMacError("ECIES MAC mismatch (wrong key or sharedInfo, or tampered data)")

    def open(self, encrypted: bytes, mac: bytes, iv: bytes, shared_info2: bytes) -> bytes:
        """Verify the MAC in constant time, then decrypt."""
        self.verify_mac(encrypted, mac, shared_info2)
        try:
            return aes_cbc_pkcs7_decrypt(self.enc_key, iv, encrypted)
        except CryptoError as exc:
            raise EciesFormatError(f"ECIES payload does not decrypt: {exc}") from exc


def _field_b64(obj: Mapping[str, Any], name: str, length: int | None = None) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str):
        raise EciesFormatError(f"ECIES field {name!r} is missing or not a string")
    return b64decode(value, what=f"ECIES field {name!r}", length=length, error=EciesFormatError)


def _field_timestamp(obj: Mapping[str, Any]) -> int:
    value = obj.get("timestamp")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise EciesFormatError("ECIES field 'timestamp' must be a non-negative integer (Unix ms)")
    return value


def _check_presence(obj: Mapping[str, Any], name: str, required: bool, version: ProtocolVersion) -> bool:
    present = obj.get(name) is not None
    if present and not required:
        raise EciesFormatError(f"ECIES field {name!r} is not allowed in protocol {version}")
    if required and not present:
        raise EciesFormatError(f"ECIES field {name!r} is required in protocol {version}")
    return present


def _check_ciphertext(encrypted: bytes) -> None:
    if not encrypted or len(encrypted) % 16:
        raise EciesFormatError("ECIES encryptedData must be a non-empty multiple of 16 bytes")


@dataclass(frozen=True, slots=True)
class EciesRequest:
    """An encrypted request as it travels (``ephemeralPublicKey``, ``encryptedData``, ``mac`` ...)."""

    ephemeral_public_key: bytes
    encrypted_data: bytes
    mac: bytes
    nonce: bytes | None = None
    timestamp: int | None = None
    temporary_key_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``/pa/v3`` bodies; absent optional fields are left out."""
        out: dict[str, Any] = {}
        if self.temporary_key_id is not None:
            out["temporaryKeyId"] = self.temporary_key_id
        out["ephemeralPublicKey"] = b64encode(self.ephemeral_public_key)
        out["encryptedData"] = b64encode(self.encrypted_data)
        out["mac"] = b64encode(self.mac)
        if self.nonce is not None:
            out["nonce"] = b64encode(self.nonce)
        if self.timestamp is not None:
            out["timestamp"] = self.timestamp
        return out

    @classmethod
    def from_json(cls, obj: Any, version: ProtocolVersion | str) -> EciesRequest:
        """Parse with strict field presence for ``version`` (nonce 3.1+, timestamp 3.2+, key id 3.3)."""
        ver = parse_version(version, EciesFormatError)
        if not isinstance(obj, Mapping):
            raise EciesFormatError("ECIES request must be a JSON object")
        ephemeral = _field_b64(obj, "ephemeralPublicKey")
        if len(ephemeral) not in (33, 65):
            raise EciesKeyError(f"ECIES ephemeralPublicKey has {len(ephemeral)} bytes, expected 33 or 65")
        encrypted = _field_b64(obj, "encryptedData")
        _check_ciphertext(encrypted)
        mac = _field_b64(obj, "mac", MAC_LENGTH)
        nonce = None
        if _check_presence(obj, "nonce", ver.has_request_nonce, ver):
            nonce = _field_b64(obj, "nonce", NONCE_LENGTH)
        timestamp = (
            _field_timestamp(obj) if _check_presence(obj, "timestamp", ver.has_timestamp, ver) else None
        )
        key_id = None
        if _check_presence(obj, "temporaryKeyId", ver.has_temporary_key, ver):
            key_id = obj["temporaryKeyId"]
            if not isinstance(key_id, str) or not key_id:
                raise EciesFormatError("ECIES field 'temporaryKeyId' must be a non-empty string")
        return cls(ephemeral, encrypted, mac, nonce, timestamp, key_id)


@dataclass(frozen=True, slots=True)
class EciesResponse:
    """An encrypted response: ``encryptedData`` and ``mac``, plus ``nonce`` and ``timestamp`` in 3.2+."""

    encrypted_data: bytes
    mac: bytes
    nonce: bytes | None = None
    timestamp: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object returned by encrypted endpoints."""
        out: dict[str, Any] = {"encryptedData": b64encode(self.encrypted_data), "mac": b64encode(self.mac)}
        if self.nonce is not None:
            out["nonce"] = b64encode(self.nonce)
        if self.timestamp is not None:
            out["timestamp"] = self.timestamp
        return out

    @classmethod
    def from_json(cls, obj: Any, version: ProtocolVersion | str) -> EciesResponse:
        """Parse and check that ``nonce``/``timestamp`` are present iff the version is 3.2+."""
        ver = parse_version(version, EciesFormatError)
        if not isinstance(obj, Mapping):
            raise EciesFormatError("ECIES response must be a JSON object")
        encrypted = _field_b64(obj, "encryptedData")
        _check_ciphertext(encrypted)
        mac = _field_b64(obj, "mac", MAC_LENGTH)
        nonce = None
        if _check_presence(obj, "nonce", ver.has_timestamp, ver):
            nonce = _field_b64(obj, "nonce", NONCE_LENGTH)
        timestamp = (
            _field_timestamp(obj) if _check_presence(obj, "timestamp", ver.has_timestamp, ver) else None
        )
        return cls(encrypted, mac, nonce, timestamp)


def _load_public(key: ec.EllipticCurvePublicKey | bytes) -> ec.EllipticCurvePublicKey:
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key
    try:
        return public_key_from_bytes(key)
    except InvalidKeyError as exc:
        raise EciesKeyError(str(exc)) from exc


@dataclass(slots=True)
class EciesEncryptor:
    """Client side of one ECIES exchange: encrypt the request, then decrypt its response.

    ``recipient_public_key`` is ``KEY_ENC_PUB`` for the scope and version (master or server public
    key up to 3.2, the temporary key in 3.3). ``random`` and ``clock`` are injectable for tests.
    """

    context: EciesContext
    recipient_public_key: ec.EllipticCurvePublicKey | bytes | None = None
    compressed_ephemeral: bool = True
    random: Callable[[int], bytes] = os.urandom
    clock: Callable[[], int] = now_ms
    envelope_key: EnvelopeKey | None = field(default=None)
    ephemeral_public_key: bytes | None = field(default=None)
    _request_nonce: bytes | None = field(default=None, init=False)
    _used: bool = field(default=False, init=False)

    @classmethod
    def with_envelope_key(
        cls, context: EciesContext, envelope_key: bytes, ephemeral_public_key: bytes
    ) -> EciesEncryptor:
        """An encryptor whose key agreement already happened (known-answer tests, replays)."""
        return cls(context, envelope_key=EnvelopeKey(envelope_key), ephemeral_public_key=ephemeral_public_key)

    def encrypt_request(
        self,
        plaintext: bytes,
        *,
        ephemeral_private_key: ec.EllipticCurvePrivateKey | None = None,
        nonce: bytes | None = None,
        timestamp: int | None = None,
    ) -> EciesRequest:
        """Encrypt ``plaintext``; nonce and timestamp are generated when the version needs them."""
        if self._used:
            raise EciesFormatError("an ECIES encryptor serves exactly one request")
        version = self.context.version
        if self.envelope_key is None:
            if self.recipient_public_key is None:
                raise EciesFormatError("encryptor needs the recipient public key or an envelope key")
            recipient = _load_public(self.recipient_public_key)
            private = ephemeral_private_key or generate_private_key()
            self.ephemeral_public_key = public_key_to_bytes(
                private.public_key(), compressed=self.compressed_ephemeral
            )
            self.envelope_key = EnvelopeKey.derive(
                ecdh(private, recipient), self.context, self.ephemeral_public_key
            )
        assert self.ephemeral_public_key is not None
        if version.has_request_nonce:
            nonce = nonce if nonce is not None else self.random(NONCE_LENGTH)
            if len(nonce) != NONCE_LENGTH:
                raise EciesFormatError("ECIES nonce must be 16 bytes")
        else:
            nonce = None
        timestamp = (timestamp if timestamp is not None else self.clock()) if version.has_timestamp else None
        sh2 = self.context.shared_info2(nonce, timestamp, self.ephemeral_public_key)
        encrypted, mac = self.envelope_key.seal(plaintext, self.envelope_key.iv_for(nonce), sh2)
        self._request_nonce = nonce
        self._used = True
        return EciesRequest(
            ephemeral_public_key=self.ephemeral_public_key,
            encrypted_data=encrypted,
            mac=mac,
            nonce=nonce,
            timestamp=timestamp,
            temporary_key_id=self.context.temporary_key_id if version.has_temporary_key else None,
        )

    def decrypt_response(self, response: EciesResponse) -> bytes:
        """Verify and decrypt the server's response to the request this object encrypted."""
        if not self._used or self.envelope_key is None:
            raise EciesFormatError("decrypt_response called before encrypt_request")
        version = self.context.version
        if version.has_timestamp:
            if response.nonce is None or response.timestamp is None:
                raise EciesFormatError(f"protocol {version} response needs a nonce and a timestamp")
            iv = self.envelope_key.iv_for(response.nonce)
            sh2 = self.context.shared_info2(response.nonce, response.timestamp, None)
        else:
            if response.nonce is not None or response.timestamp is not None:
                raise EciesFormatError(f"protocol {version} response must not carry a nonce or timestamp")
            iv = self.envelope_key.iv_for(self._request_nonce)
            sh2 = self.context.shared_info2(None, None, None)
        return self.envelope_key.open(response.encrypted_data, response.mac, iv, sh2)


@dataclass(slots=True)
class EciesDecryptor:
    """Server side of one ECIES exchange: decrypt the request, then encrypt the response.

    ``recipient_private_key`` is the private half of ``KEY_ENC_PUB``. ``replay_guard`` (3.2+) sees
    every authentic request's ephemeral key, nonce and timestamp (after the MAC check, before
    decryption) and may reject it.
    """

    context: EciesContext
    recipient_private_key: ec.EllipticCurvePrivateKey | None = None
    replay_guard: ReplayGuard | None = None
    random: Callable[[int], bytes] = os.urandom
    clock: Callable[[], int] = now_ms
    envelope_key: EnvelopeKey | None = None
    _request_nonce: bytes | None = field(default=None, init=False)
    _decrypted: bool = field(default=False, init=False)

    @classmethod
    def with_envelope_key(cls, context: EciesContext, envelope_key: bytes, **kwargs: Any) -> EciesDecryptor:
        """A decryptor from a 48-byte envelope key handed over by the key holder (ES role)."""
        return cls(context, envelope_key=EnvelopeKey(envelope_key), **kwargs)

    def derive_envelope_key(self, ephemeral_public_key: bytes) -> EnvelopeKey:
        """Agree on the envelope key for an ephemeral key (what ``/ecies/decryptor`` returns)."""
        if self.envelope_key is None:
            if self.recipient_private_key is None:
                raise EciesFormatError("decryptor needs the recipient private key or an envelope key")
            ephemeral = _load_public(ephemeral_public_key)
            shared = ecdh(self.recipient_private_key, ephemeral)
            self.envelope_key = EnvelopeKey.derive(shared, self.context, ephemeral_public_key)
        return self.envelope_key

    def decrypt_request(self, request: EciesRequest) -> bytes:
        """Check fields against the version, run the replay guard, verify the MAC, decrypt."""
        version = self.context.version
        if version.has_request_nonce != (request.nonce is not None):
            raise EciesFormatError(f"ECIES nonce presence is wrong for protocol {version}")
        if version.has_timestamp != (request.timestamp is not None):
            raise EciesFormatError(f"ECIES timestamp presence is wrong for protocol {version}")
        if version.has_temporary_key:
            if request.temporary_key_id != self.context.temporary_key_id:
                raise EciesFormatError("ECIES temporaryKeyId is missing or does not match the key in use")
        elif request.temporary_key_id is not None:
            raise EciesFormatError(f"ECIES temporaryKeyId is not allowed in protocol {version}")
        envelope = self.derive_envelope_key(request.ephemeral_public_key)
        sh2 = self.context.shared_info2(request.nonce, request.timestamp, request.ephemeral_public_key)
        # The MAC is checked before the replay guard records the nonce, so a forged request cannot
        # burn the nonce of a genuine one.
        envelope.verify_mac(request.encrypted_data, request.mac, sh2)
        if version.has_timestamp and self.replay_guard is not None:
            assert request.nonce is not None and request.timestamp is not None
            identifier = self.context.activation_id or self.context.application_key
            self.replay_guard(request.ephemeral_public_key, request.nonce, request.timestamp, identifier)
        plaintext = envelope.open(request.encrypted_data, request.mac, envelope.iv_for(request.nonce), sh2)
        self._request_nonce = request.nonce
        self._decrypted = True
        return plaintext

    def encrypt_response(
        self, plaintext: bytes, *, nonce: bytes | None = None, timestamp: int | None = None
    ) -> EciesResponse:
        """Encrypt the response: fresh nonce and timestamp in 3.2+, the request IV before that."""
        if not self._decrypted or self.envelope_key is None:
            raise EciesFormatError("encrypt_response called before a request was decrypted")
        version = self.context.version
        if version.has_timestamp:
            if nonce is None:
                nonce = self.random(NONCE_LENGTH)
                while nonce == self._request_nonce:
                    nonce = self.random(NONCE_LENGTH)
            if len(nonce) != NONCE_LENGTH:
                raise EciesFormatError("ECIES nonce must be 16 bytes")
            timestamp = timestamp if timestamp is not None else self.clock()
            iv = self.envelope_key.iv_for(nonce)
            sh2 = self.context.shared_info2(nonce, timestamp, None)
            encrypted, mac = self.envelope_key.seal(plaintext, iv, sh2)
            return EciesResponse(encrypted, mac, nonce, timestamp)
        iv = self.envelope_key.iv_for(self._request_nonce)
        encrypted, mac = self.envelope_key.seal(plaintext, iv, self.context.shared_info2(None, None, None))
        return EciesResponse(encrypted, mac)
