"""Device endpoints of the activation: ``activation/create``, ``activation/status``, ``activation/remove``.

``activation/create`` opens layer 1 (application scope, sh1 ``/pa/generic/application``) with the key
the PowerAuth Server holds, dispatches on the layer-1 ``type`` (CODE → ``prepare``; CUSTOM → the
registered provider, then a direct ``create`` and commit) and wraps the PowerAuth Server's layer-2
answer into the layer-1 response.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import Field

from mocks.framework import decode_base64, parse_body
from mocks.framework.errors import MockError
from mocks.wultra.powerauth_server import activations
from mocks.wultra.powerauth_server.ecies_service import open_request, protocol_version
from mocks.wultra.powerauth_server.schemas import _Wire, envelope
from simulator.powerauth.activation import ActivationLayer1Request, ActivationType
from simulator.powerauth.ecies import EncryptorId, dumps_compact, loads_json_object

from . import custom_activation
from .auth import TWO_FACTOR, require_signature
from .bridge import pas_call
from .encryption import encrypted_body, encryption_header
from .exceptions import ActivationFailedError


def ok(payload: dict[str, Any]) -> Response:
    return jsonify({"status": "OK", "responseObject": payload})


def activation_create() -> Response:
    """Two-layer key exchange; the answer is the layer-1 ECIES response object itself."""
    header = encryption_header(ActivationFailedError)
    fields = encrypted_body()
    with pas_call(ActivationFailedError):
        version = protocol_version(header.version)
        opened = open_request(fields, version=version, encryptor_id=EncryptorId.APPLICATION_SCOPE_GENERIC,
                              application_key=header.application_key)
        layer1 = ActivationLayer1Request.from_json(
            loads_json_object(opened.plaintext, "layer-1 request"), version)
        layer2_fields = {**layer1.activation_data.to_json(), "applicationKey": header.application_key}
        if layer1.type is ActivationType.CODE:
            code = layer1.identity_attributes.get("code")
            if not isinstance(code, str):
                raise ActivationFailedError("identityAttributes.code is missing")
            _record, layer2 = activations.prepare_activation(code, layer2_fields, version.value)
        elif layer1.type is ActivationType.CUSTOM:
            _record, layer2 = custom_activation.create(
                application_id=opened.application["applicationId"], layer1=layer1,
                layer2_fields=layer2_fields, version=version.value,
            )
        else:
            raise ActivationFailedError(f"activation type {layer1.type} is not supported")
        plain = {"activationData": layer2, "customAttributes": layer1.custom_attributes or {}}
        return jsonify(opened.respond(dumps_compact(plain)))


class StatusRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    challenge: str | None = Field(default=None, max_length=64)


def activation_status() -> Response:
    """Challenge → encrypted status blob and nonce (no signature, no ECIES)."""
    body = parse_body(envelope(StatusRequest)).requestObject
    challenge = None
    if body.challenge is not None:
        try:
            challenge = decode_base64(body.challenge, field="challenge")
        except MockError:
            raise ActivationFailedError("challenge is not Base64") from None
        if len(challenge) != 16:
            raise ActivationFailedError("challenge must be 16 bytes")
    with pas_call(ActivationFailedError):
        _record, blob, nonce = activations.status_check(body.activationId, challenge)
    payload: dict[str, Any] = {"activationId": body.activationId, "encryptedStatusBlob": blob,
                               "customObject": {}}
    if nonce is not None:
        payload["nonce"] = nonce
    return ok(payload)


def activation_remove() -> Response:
    """Signed (2FA) removal by the device itself."""
    who = require_signature("/pa/activation/remove", TWO_FACTOR)
    with pas_call(ActivationFailedError):
        activations.remove_activation(who.activation_id)
    return ok({"activationId": who.activation_id})

