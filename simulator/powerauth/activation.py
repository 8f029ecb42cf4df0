"""The activation key exchange (``/pa/v3/activation/create``) for both roles.

Two ECIES layers, both application scope: layer 2 (sh1 ``/pa/activation``) carries the device
public key to the PowerAuth server and brings back ``serverPublicKey`` and ``ctrData``; layer 1
(sh1 ``/pa/generic/application``) wraps it with the activation type and identity attributes for
the enrollment server. The recipient key is the master key pair up to 3.2 and the application-scope
temporary key in 3.3 (one temporary key serves both layers).

:class:`DeviceActivation` is the client side, :class:`ServerActivation` the server side; their
payload dataclasses follow the spec's field names exactly (note: the layer-1 field is ``type``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.activation_code import (
    decode_activation_code,
    normalize_activation_id,
    verify_activation_signature,
)
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.counter import CTR_DATA_LENGTH
from simulator.powerauth.ecies import (
    EciesContext,
    EciesDecryptor,
    EciesEncryptor,
    EciesRequest,
    EciesResponse,
    EncryptorId,
    dumps_compact,
    loads_json_object,
)
from simulator.powerauth.errors import ActivationError, InvalidActivationIdError, InvalidKeyError
from simulator.powerauth.fingerprint import activation_fingerprint
from simulator.powerauth.keys import (
    DerivedKeys,
    generate_private_key,
    public_key_from_bytes,
    public_key_to_bytes,
)
from simulator.powerauth.replay import ReplayGuard
from simulator.powerauth.versions import ProtocolVersion, parse_version


class ActivationType(StrEnum):
    """Layer-1 ``type``: how the enrollment server resolves the user."""

    CODE = "CODE"
    CUSTOM = "CUSTOM"
    RECOVERY = "RECOVERY"
    DIRECT = "DIRECT"


def _mapping(obj: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise ActivationError(f"{what} must be a JSON object")
    return obj


def _opt_str(obj: Mapping[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        raise ActivationError(f"activation field {name!r} must be a string")
    return value


def _opt_dict(obj: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, dict):
        raise ActivationError(f"activation field {name!r} must be an object")
    return value


def _public_key_field(obj: Mapping[str, Any], name: str) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str):
        raise ActivationError(f"activation field {name!r} is missing")
    raw = b64decode(value, what=name, error=ActivationError)
    try:
        public_key_from_bytes(raw)
    except InvalidKeyError as exc:
        raise ActivationError(f"{name} is not a valid P-256 public key: {exc}") from exc
    return raw


def _drop_none(obj: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if value is not None}


@dataclass(frozen=True, slots=True)
class ActivationLayer2Request:
    """Layer-2 plaintext from the device: its public key and descriptive fields."""

    device_public_key: bytes
    activation_name: str | None = None
    extras: str | None = None
    activation_otp: str | None = None
    platform: str | None = None
    device_info: str | None = None
    external_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "devicePublicKey": b64encode(self.device_public_key),
                "activationName": self.activation_name,
                "extras": self.extras,
                "activationOtp": self.activation_otp,
                "platform": self.platform,
                "deviceInfo": self.device_info,
                "externalId": self.external_id,
            }
        )

    @classmethod
    def from_json(cls, obj: Any) -> ActivationLayer2Request:
        obj = _mapping(obj, "layer-2 request")
        return cls(
            device_public_key=_public_key_field(obj, "devicePublicKey"),
            activation_name=_opt_str(obj, "activationName"),
            extras=_opt_str(obj, "extras"),
            activation_otp=_opt_str(obj, "activationOtp"),
            platform=_opt_str(obj, "platform"),
            device_info=_opt_str(obj, "deviceInfo"),
            external_id=_opt_str(obj, "externalId"),
        )


@dataclass(frozen=True, slots=True)
class ActivationRecovery:
    """Optional recovery code and PUK returned with the activation."""

    recovery_code: str
    puk: str


@dataclass(frozen=True, slots=True)
class ActivationLayer2Response:
    """Layer-2 plaintext from the server: activation ID, server public key, initial ``ctrData``."""

    activation_id: str
    server_public_key: bytes
    ctr_data: bytes
    activation_recovery: ActivationRecovery | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "activationId": self.activation_id,
            "serverPublicKey": b64encode(self.server_public_key),
            "ctrData": b64encode(self.ctr_data),
        }
        if self.activation_recovery is not None:
            out["activationRecovery"] = {
                "recoveryCode": self.activation_recovery.recovery_code,
                "puk": self.activation_recovery.puk,
            }
        return out

    @classmethod
    def from_json(cls, obj: Any) -> ActivationLayer2Response:
        obj = _mapping(obj, "layer-2 response")
        activation_id = _opt_str(obj, "activationId")
        if activation_id is None:
            raise ActivationError("layer-2 response lacks activationId")
        try:
            activation_id = normalize_activation_id(activation_id)
        except InvalidActivationIdError as exc:
            raise ActivationError(str(exc)) from exc
        ctr = _opt_str(obj, "ctrData")
        if ctr is None:
            raise ActivationError("layer-2 response lacks ctrData")
        recovery = _opt_dict(obj, "activationRecovery")
        return cls(
            activation_id=activation_id,
            server_public_key=_public_key_field(obj, "serverPublicKey"),
            ctr_data=b64decode(ctr, what="ctrData", length=CTR_DATA_LENGTH, error=ActivationError),
            activation_recovery=(
                ActivationRecovery(str(recovery.get("recoveryCode", "")), str(recovery.get("puk", "")))
                if recovery
                else None
            ),
        )


@dataclass(frozen=True, slots=True)
class ActivationLayer1Request:
    """Layer-1 plaintext for the enrollment server."""

    type: ActivationType
    identity_attributes: dict[str, Any]
    activation_data: EciesRequest
    custom_attributes: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "type": self.type.value,
                "identityAttributes": self.identity_attributes,
                "customAttributes": self.custom_attributes,
                "activationData": self.activation_data.to_json(),
            }
        )

    @classmethod
    def from_json(cls, obj: Any, version: ProtocolVersion | str) -> ActivationLayer1Request:
        obj = _mapping(obj, "layer-1 request")
        try:
            activation_type = ActivationType(str(obj.get("type")))
        except ValueError as exc:
            raise ActivationError(f"unknown activation type {obj.get('type')!r}") from exc
        identity = _opt_dict(obj, "identityAttributes")
        if not identity:
            raise ActivationError("identityAttributes must be a non-empty object")
        data = obj.get("activationData")
        if not isinstance(data, dict):
            raise ActivationError("layer-1 request lacks activationData")
        return cls(
            type=activation_type,
            identity_attributes=identity,
            activation_data=EciesRequest.from_json(data, version),
            custom_attributes=_opt_dict(obj, "customAttributes"),
        )


@dataclass(frozen=True, slots=True)
class ActivationLayer1Response:
    """Layer-1 plaintext returned by the enrollment server."""

    activation_data: EciesResponse
    custom_attributes: dict[str, Any] | None = None
    user_info: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "activationData": self.activation_data.to_json(),
                "customAttributes": self.custom_attributes,
                "userInfo": self.user_info,
            }
        )

    @classmethod
    def from_json(cls, obj: Any, version: ProtocolVersion | str) -> ActivationLayer1Response:
        obj = _mapping(obj, "layer-1 response")
        data = obj.get("activationData")
        if not isinstance(data, dict):
            raise ActivationError("layer-1 response lacks activationData")
        return cls(
            activation_data=EciesResponse.from_json(data, version),
            custom_attributes=_opt_dict(obj, "customAttributes"),
            user_info=_opt_dict(obj, "userInfo"),
        )


def activation_contexts(
    version: ProtocolVersion | str,
    application_key: str,
    application_secret: str,
    temporary_key_id: str | None,
) -> tuple[EciesContext, EciesContext]:
    """The (layer-1, layer-2) ECIES contexts; both application scope."""
    ver = parse_version(version, ActivationError)
    layer1 = EciesContext(
        ver,
        EncryptorId.APPLICATION_SCOPE_GENERIC,
        application_key,
        application_secret,
        temporary_key_id=temporary_key_id,
    )
    layer2 = EciesContext(
        ver,
        EncryptorId.ACTIVATION_LAYER_2,
        application_key,
        application_secret,
        temporary_key_id=temporary_key_id,
    )
    return layer1, layer2


@dataclass(frozen=True, slots=True)
class DeviceActivationResult:
    """What the device keeps after a successful exchange."""

    activation_id: str
    device_private_key: ec.EllipticCurvePrivateKey
    server_public_key: ec.EllipticCurvePublicKey
    ctr_data: bytes
    keys: DerivedKeys
    fingerprint: str
    activation_recovery: ActivationRecovery | None
    custom_attributes: dict[str, Any] | None
    user_info: dict[str, Any] | None


@dataclass(slots=True)
class DeviceActivation:
    """Client side of one activation: build the two-layer request, then process the answer.

    ``encryption_public_key`` is the master public key (≤3.2) or the application-scope temporary
    key (3.3, with ``temporary_key_id``).
    """

    version: ProtocolVersion | str
    application_key: str
    application_secret: str
    encryption_public_key: ec.EllipticCurvePublicKey | bytes
    temporary_key_id: str | None = None
    device_private_key: ec.EllipticCurvePrivateKey = field(default_factory=generate_private_key)
    compressed_keys: bool = True
    _layer1: EciesEncryptor | None = field(default=None, init=False)
    _layer2: EciesEncryptor | None = field(default=None, init=False)

    def build_request(
        self,
        activation_code: str | None = None,
        *,
        activation_signature: str | None = None,
        master_public_key: ec.EllipticCurvePublicKey | None = None,
        activation_type: ActivationType = ActivationType.CODE,
        identity_attributes: dict[str, Any] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        activation_name: str | None = None,
        platform: str | None = None,
        device_info: str | None = None,
        extras: str | None = None,
        activation_otp: str | None = None,
    ) -> EciesRequest:
        """Validate the code (and its signature, when given), then encrypt layer 2 inside layer 1."""
        if activation_type is ActivationType.CODE:
            if activation_code is None:
                raise ActivationError("CODE activation needs an activation code")
            decode_activation_code(activation_code)
            if activation_signature is not None:
                if master_public_key is None:
                    raise ActivationError("verifying the activation signature needs the master public key")
                verify_activation_signature(activation_code, activation_signature, master_public_key)
            identity_attributes = {"code": activation_code}
        if not identity_attributes:
            raise ActivationError("identity attributes must not be empty")
        ctx1, ctx2 = activation_contexts(
            self.version, self.application_key, self.application_secret, self.temporary_key_id
        )
        device_public = public_key_to_bytes(
            self.device_private_key.public_key(), compressed=self.compressed_keys
        )
        layer2_plain = ActivationLayer2Request(
            device_public_key=device_public,
            activation_name=activation_name,
            extras=extras,
            activation_otp=activation_otp,
            platform=platform,
            device_info=device_info,
        )
        self._layer2 = EciesEncryptor(ctx2, self.encryption_public_key, self.compressed_keys)
        layer2 = self._layer2.encrypt_request(dumps_compact(layer2_plain.to_json()))
        layer1_plain = ActivationLayer1Request(
            activation_type, identity_attributes, layer2, custom_attributes
        )
        self._layer1 = EciesEncryptor(ctx1, self.encryption_public_key, self.compressed_keys)
        return self._layer1.encrypt_request(dumps_compact(layer1_plain.to_json()))

    def process_response(self, response: EciesResponse) -> DeviceActivationResult:
        """Decrypt both layers, check the server's answer and derive the activation keys."""
        if self._layer1 is None or self._layer2 is None:
            raise ActivationError("process_response called before build_request")
        version = self._layer1.context.version
        layer1 = ActivationLayer1Response.from_json(
            loads_json_object(self._layer1.decrypt_response(response), "layer-1 response"), version
        )
        layer2 = ActivationLayer2Response.from_json(
            loads_json_object(self._layer2.decrypt_response(layer1.activation_data), "layer-2 response")
        )
        server_public = public_key_from_bytes(layer2.server_public_key)
        keys = DerivedKeys.from_key_pair(self.device_private_key, server_public)
        fingerprint = activation_fingerprint(
            self.device_private_key.public_key(), layer2.activation_id, server_public
        )
        return DeviceActivationResult(
            activation_id=layer2.activation_id,
            device_private_key=self.device_private_key,
            server_public_key=server_public,
            ctr_data=layer2.ctr_data,
            keys=keys,
            fingerprint=fingerprint,
            activation_recovery=layer2.activation_recovery,
            custom_attributes=layer1.custom_attributes,
            user_info=layer1.user_info,
        )


@dataclass(frozen=True, slots=True)
class ServerActivationResult:
    """What the server stores after answering: keys, counter, fingerprint, and the wire response."""

    response: EciesResponse
    activation_id: str
    device_public_key: ec.EllipticCurvePublicKey
    server_private_key: ec.EllipticCurvePrivateKey
    ctr_data: bytes
    keys: DerivedKeys
    fingerprint: str


@dataclass(slots=True)
class ServerActivation:
    """Server side of one activation: open both layers, then answer with the server's key material.

    ``encryption_private_key`` is the master private key (≤3.2) or the temporary key (3.3).
    The enrollment-server and PowerAuth-server roles can also be split: :meth:`open_layer1`
    and :meth:`open_layer2` work independently, as do :meth:`respond_layer2` and
    :meth:`respond_layer1`.
    """

    version: ProtocolVersion | str
    application_key: str
    application_secret: str
    encryption_private_key: ec.EllipticCurvePrivateKey
    temporary_key_id: str | None = None
    replay_guard: ReplayGuard | None = None
    _layer1: EciesDecryptor | None = field(default=None, init=False)
    _layer2: EciesDecryptor | None = field(default=None, init=False)
    _layer2_request: ActivationLayer2Request | None = field(default=None, init=False)

    def _contexts(self) -> tuple[EciesContext, EciesContext]:
        return activation_contexts(
            self.version, self.application_key, self.application_secret, self.temporary_key_id
        )

    def open_layer1(self, request: EciesRequest) -> ActivationLayer1Request:
        """Decrypt the outer envelope (enrollment server)."""
        ctx1, _ = self._contexts()
        self._layer1 = EciesDecryptor(ctx1, self.encryption_private_key, self.replay_guard)
        plain = loads_json_object(self._layer1.decrypt_request(request), "layer-1 request")
        return ActivationLayer1Request.from_json(plain, ctx1.version)

    def open_layer2(self, request: EciesRequest) -> ActivationLayer2Request:
        """Decrypt the inner envelope (PowerAuth server ``prepare``)."""
        _, ctx2 = self._contexts()
        self._layer2 = EciesDecryptor(ctx2, self.encryption_private_key, self.replay_guard)
        plain = loads_json_object(self._layer2.decrypt_request(request), "layer-2 request")
        self._layer2_request = ActivationLayer2Request.from_json(plain)
        return self._layer2_request

    def open_request(self, request: EciesRequest) -> tuple[ActivationLayer1Request, ActivationLayer2Request]:
        """Both layers at once."""
        layer1 = self.open_layer1(request)
        return layer1, self.open_layer2(layer1.activation_data)

    def respond_layer2(
        self,
        *,
        activation_id: str,
        server_private_key: ec.EllipticCurvePrivateKey | None = None,
        ctr_data: bytes | None = None,
        activation_recovery: ActivationRecovery | None = None,
    ) -> ServerActivationResult:
        """Answer layer 2 (key pair and ``ctrData`` generated when not given) and derive the keys."""
        if self._layer2 is None or self._layer2_request is None:
            raise ActivationError("respond_layer2 called before open_layer2")
        server_private_key = server_private_key or generate_private_key()
        ctr_data = ctr_data if ctr_data is not None else os.urandom(CTR_DATA_LENGTH)
        if len(ctr_data) != CTR_DATA_LENGTH:
            raise ActivationError("ctrData must be 16 bytes")
        server_public = server_private_key.public_key()
        plain = ActivationLayer2Response(
            activation_id, public_key_to_bytes(server_public), ctr_data, activation_recovery
        )
        response = self._layer2.encrypt_response(dumps_compact(plain.to_json()))
        device_public = public_key_from_bytes(self._layer2_request.device_public_key)
        return ServerActivationResult(
            response=response,
            activation_id=activation_id,
            device_public_key=device_public,
            server_private_key=server_private_key,
            ctr_data=ctr_data,
            keys=DerivedKeys.from_key_pair(server_private_key, device_public),
            fingerprint=activation_fingerprint(device_public, activation_id, server_public),
        )

    def respond_layer1(
        self,
        layer2_response: EciesResponse,
        *,
        custom_attributes: dict[str, Any] | None = None,
        user_info: dict[str, Any] | None = None,
    ) -> EciesResponse:
        """Wrap the layer-2 answer for the device (enrollment server)."""
        if self._layer1 is None:
            raise ActivationError("respond_layer1 called before open_layer1")
        plain = ActivationLayer1Response(layer2_response, custom_attributes, user_info)
        return self._layer1.encrypt_response(dumps_compact(plain.to_json()))

    def respond(
        self,
        *,
        activation_id: str,
        server_private_key: ec.EllipticCurvePrivateKey | None = None,
        ctr_data: bytes | None = None,
        activation_recovery: ActivationRecovery | None = None,
        custom_attributes: dict[str, Any] | None = None,
        user_info: dict[str, Any] | None = None,
    ) -> ServerActivationResult:
        """Both layers at once; ``result.response`` is the layer-1 response for the device."""
        inner = self.respond_layer2(
            activation_id=activation_id,
            server_private_key=server_private_key,
            ctr_data=ctr_data,
            activation_recovery=activation_recovery,
        )
        outer = self.respond_layer1(inner.response, custom_attributes=custom_attributes, user_info=user_info)
        return ServerActivationResult(
            response=outer,
            activation_id=inner.activation_id,
            device_public_key=inner.device_public_key,
            server_private_key=inner.server_private_key,
            ctr_data=inner.ctr_data,
            keys=inner.keys,
            fingerprint=inner.fingerprint,
        )
