"""Request signatures from the phone's stored keys: factor selection, PIN unlock, counter update.

The knowledge key is unlocked with the PIN for each signature and never kept; a wrong PIN silently
gives a wrong key, so only the server can tell - and count - the failure.
"""

from __future__ import annotations

from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.request_auth import ClientCounter, sign_request
from simulator.powerauth.signature import (
    OFFLINE_APP_SECRET,
    Factor,
    SignatureKeys,
    SignatureType,
    compute_offline_signature,
    signature_data,
)
from simulator.powerauth.vault import unlock_knowledge_key

from .config import PowerAuthConfig
from .errors import FactorUnavailableError
from .storage import ActivationData


def signature_type_of(factors: SignatureType | str) -> SignatureType:
    """``possession_knowledge`` (either case) or the enum itself; anything else is a typed error."""
    try:
        return factors if isinstance(factors, SignatureType) else SignatureType.parse(factors)
    except PowerAuthError as exc:
        raise FactorUnavailableError(str(exc)) from exc


def signature_keys(
    activation: ActivationData, signature_type: SignatureType, pin: str | None
) -> SignatureKeys:
    """The factor keys a signature type needs; a missing PIN or unenabled biometry is an error."""
    knowledge = biometry = None
    if Factor.KNOWLEDGE in signature_type.factors:
        if not pin:
            raise FactorUnavailableError(f"a {signature_type.value} signature needs the PIN")
        knowledge = unlock_knowledge_key(pin, activation.knowledge_salt, activation.protected_knowledge_key)
    if Factor.BIOMETRY in signature_type.factors:
        if activation.biometry_key is None:
            raise FactorUnavailableError("biometry was not enabled for this activation")
        biometry = activation.biometry_key
    return SignatureKeys(activation.possession_key, knowledge, biometry)


def sign(
    config: PowerAuthConfig,
    activation: ActivationData,
    method: str,
    uri_id: str,
    body: bytes,
    factors: SignatureType | str,
    pin: str | None,
) -> str:
    """The ``X-PowerAuth-Authorization`` value; ``activation``'s counter moves on either way."""
    signature_type = signature_type_of(factors)
    keys = signature_keys(activation, signature_type, pin)
    counter = ClientCounter(activation.ctr_data, activation.ctr_byte)
    header = sign_request(
        version=config.version,
        activation_id=activation.activation_id,
        application_key=config.application_key,
        application_secret=config.application_secret,
        keys=keys,
        signature_type=signature_type,
        counter=counter,
        method=method,
        uri_id=uri_id,
        body=body,
    )
    activation.ctr_data, activation.ctr_byte = counter.ctr_data, counter.ctr_byte
    return header.format()


def sign_offline(
    activation: ActivationData,
    uri_id: str,
    body: bytes,
    nonce_b64: str,
    factors: SignatureType | str,
    pin: str | None,
    component_length: int = 8,
) -> str:
    """The decimal offline signature over ``POST & uriId & nonce & body & "offline"``; counter moves."""
    signature_type = signature_type_of(factors)
    keys = signature_keys(activation, signature_type, pin)
    data = signature_data("POST", uri_id, nonce_b64, body, OFFLINE_APP_SECRET)
    counter = ClientCounter(activation.ctr_data, activation.ctr_byte)
    try:
        signature = compute_offline_signature(keys, signature_type, counter.ctr_data, data, component_length)
    except PowerAuthError as exc:
        raise FactorUnavailableError(str(exc)) from exc
    counter.advance()
    activation.ctr_data, activation.ctr_byte = counter.ctr_data, counter.ctr_byte
    return signature
