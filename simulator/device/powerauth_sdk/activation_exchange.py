"""The device side of the two-layer activation exchange, stamped with server-synchronised time.

The protocol core's payload classes, contexts and ECIES encryptor do all the work; this module only
wires them with the phone's :class:`ServerClock`, because a 3.2+ request stamped with a local clock
far from the server's would be refused by its replay check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.activation import (
    ActivationLayer1Request,
    ActivationLayer1Response,
    ActivationLayer2Request,
    ActivationLayer2Response,
    ActivationType,
    DeviceActivationResult,
    activation_contexts,
)
from simulator.powerauth.ecies import (
    EciesEncryptor,
    EciesRequest,
    EciesResponse,
    dumps_compact,
    loads_json_object,
)
from simulator.powerauth.fingerprint import activation_fingerprint
from simulator.powerauth.keys import (
    DerivedKeys,
    generate_private_key,
    public_key_from_bytes,
    public_key_to_bytes,
)
from simulator.powerauth.versions import ProtocolVersion

from .clock import ServerClock


@dataclass(slots=True)
class ActivationExchange:
    """One activation attempt: a fresh device key pair, two encryptors, one request, one answer."""

    version: ProtocolVersion
    application_key: str
    application_secret: str
    recipient_public_key: bytes
    temporary_key_id: str | None
    clock: ServerClock
    device_private_key: ec.EllipticCurvePrivateKey = field(default_factory=generate_private_key)
    _layer1: EciesEncryptor | None = field(default=None, init=False)
    _layer2: EciesEncryptor | None = field(default=None, init=False)

    def build_request(
        self,
        activation_type: ActivationType,
        identity_attributes: dict[str, Any],
        layer2: dict[str, Any],
        custom_attributes: dict[str, Any] | None = None,
    ) -> EciesRequest:
        """Encrypt layer 2 (device public key and descriptive fields) inside layer 1."""
        ctx1, ctx2 = activation_contexts(
            self.version, self.application_key, self.application_secret, self.temporary_key_id
        )
        inner = ActivationLayer2Request(
            device_public_key=public_key_to_bytes(self.device_private_key.public_key(), compressed=True),
            **layer2,
        )
        self._layer2 = EciesEncryptor(ctx2, self.recipient_public_key, clock=self.clock.now_ms)
        layer2_request = self._layer2.encrypt_request(dumps_compact(inner.to_json()))
        outer = ActivationLayer1Request(
            activation_type, identity_attributes, layer2_request, custom_attributes
        )
        self._layer1 = EciesEncryptor(ctx1, self.recipient_public_key, clock=self.clock.now_ms)
        return self._layer1.encrypt_request(dumps_compact(outer.to_json()))

    def process_response(self, response: EciesResponse) -> DeviceActivationResult:
        """Verify and decrypt both layers, then derive the activation keys and the fingerprint."""
        assert self._layer1 is not None and self._layer2 is not None, "build_request comes first"
        layer1 = ActivationLayer1Response.from_json(
            loads_json_object(self._layer1.decrypt_response(response), "layer-1 response"), self.version
        )
        layer2 = ActivationLayer2Response.from_json(
            loads_json_object(self._layer2.decrypt_response(layer1.activation_data), "layer-2 response")
        )
        server_public = public_key_from_bytes(layer2.server_public_key)
        return DeviceActivationResult(
            activation_id=layer2.activation_id,
            device_private_key=self.device_private_key,
            server_public_key=server_public,
            ctr_data=layer2.ctr_data,
            keys=DerivedKeys.from_key_pair(self.device_private_key, server_public),
            fingerprint=activation_fingerprint(
                self.device_private_key.public_key(), layer2.activation_id, server_public
            ),
            activation_recovery=layer2.activation_recovery,
            custom_attributes=layer1.custom_attributes,
            user_info=layer1.user_info,
        )
