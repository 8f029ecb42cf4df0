"""``keystore/create`` and ``keystore/remove``: issue 3.3 temporary keys answering a device's JWT.

The request JWT is HS256 under the decoded app secret (application scope) or a key derived from the
activation's transport key (activation scope); the answer is ES256 under the master or the server
private key, so the device can tell the key really comes from its server (spec §4.3).
"""

from __future__ import annotations

from simulator.powerauth.codec import b64decode
from simulator.powerauth.errors import TemporaryKeyError
from simulator.powerauth.keys import private_key_from_bytes
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest

from . import activations, models
from .ecies_service import activation_keys
from .exceptions import InvalidApplicationError, InvalidRequestError
from .temporary_keys import TEMPORARY_KEY_VALIDITY_MS, new_temporary_key, remove_temporary_key


def create_temporary_key(jwt: str) -> str:
    """Verify the device's request JWT and answer with a signed JWT describing a fresh key."""
    try:
        claims = TemporaryKeyRequest.peek(jwt)
    except TemporaryKeyError as exc:
        raise InvalidRequestError(f"invalid temporary key request: {exc}") from None
    application, app_version = models.find_version_by_key(claims.application_key)
    if not app_version["supported"]:
        raise InvalidApplicationError("application version is not supported")
    transport_key = None
    signing_key = models.master_private_key(application)
    if claims.activation_id is not None:
        record = activations.get(claims.activation_id)
        if record["applicationId"] != application["applicationId"]:
            raise InvalidApplicationError("the activation belongs to another application")
        activations.require_state(record, "PENDING_COMMIT", "ACTIVE", "BLOCKED")
        transport_key = activation_keys(record).transport
        signing_key = private_key_from_bytes(b64decode(record["serverPrivateKey"]))
    try:
        request = TemporaryKeyRequest.verify(jwt, app_version["applicationSecret"], transport_key)
    except TemporaryKeyError as exc:
        raise InvalidRequestError(f"invalid temporary key request: {exc}") from None
    key_id, private, issued = new_temporary_key(request.application_key, request.activation_id)
    key = TemporaryKey.issue(request, private.public_key(), issued, TEMPORARY_KEY_VALIDITY_MS, key_id=key_id)
    return key.to_jwt(signing_key)


def remove_key(key_id: str) -> bool:
    """``keystore/remove``: True when the key existed."""
    return remove_temporary_key(key_id)
