"""3.3 temporary encryption keys, fetched from ``/pa/v3/keystore/create`` and cached until expiry.

From 3.3 every ECIES request is encrypted to a short-lived server key instead of the static master
or server key. The phone asks with an HS256 JWT and accepts the answer only if its ES256 signature
verifies with the master public key (application scope) or the activation's server public key
(activation scope) and it echoes the request's challenge; otherwise anyone on the path could hand
the phone a key of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest

from .clock import ServerClock
from .config import PowerAuthConfig
from .errors import ServerResponseError
from .http import EnrollmentClient
from .storage import ActivationData

KEYSTORE_PATH = "/pa/v3/keystore/create"
#: A cached key is not used in its last seconds, so it cannot expire while a request is in flight.
EXPIRY_MARGIN_MS = 10_000


class TemporaryKeyCache:
    """Application- and activation-scope temporary keys, fetched on demand.

    ``before_reuse`` (when given) runs before a cached key is judged still valid - the SDK passes its
    time synchronisation, because in the simulator a test may move the server's virtual clock past
    a key's expiry between two calls while hardly any time passes on the phone.
    """

    def __init__(
        self,
        config: PowerAuthConfig,
        client: EnrollmentClient,
        clock: ServerClock,
        before_reuse: Callable[[], object] | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.clock = clock
        self.before_reuse = before_reuse
        self._keys: dict[str | None, TemporaryKey] = {}

    def application_key(self) -> TemporaryKey:
        """A valid application-scope key (signed by the master key)."""
        return self._get(None, None, self.config.master_public_key)

    def activation_key(self, activation: ActivationData) -> TemporaryKey:
        """A valid activation-scope key (signed by the activation's server key)."""
        return self._get(activation.activation_id, activation.transport_key, activation.server_public_key)

    def forget(self) -> None:
        """Drop every cached key (after removal, or when the server rejected one)."""
        self._keys.clear()

    def _get(self, activation_id: str | None, transport_key: bytes | None, signer: bytes) -> TemporaryKey:
        cached = self._keys.get(activation_id)
        if cached is not None and self.before_reuse is not None:
            self.before_reuse()
        if cached is not None and self.clock.now_ms() < cached.expires_at_ms - EXPIRY_MARGIN_MS:
            return cached
        key = self._fetch(activation_id, transport_key, signer)
        self._keys[activation_id] = key
        return key

    def _fetch(self, activation_id: str | None, transport_key: bytes | None, signer: bytes) -> TemporaryKey:
        request = TemporaryKeyRequest.new(self.config.application_key, activation_id)
        jwt = request.to_jwt(self.config.application_secret, transport_key)
        answer = self.client.post_object(KEYSTORE_PATH, {"jwt": jwt})
        token = answer.get("jwt")
        if not isinstance(token, str):
            raise ServerResponseError("keystore answer lacks the 'jwt' field")
        try:
            key = TemporaryKey.verify(token, public_key_from_bytes(signer), request)
        except PowerAuthError as exc:
            raise ServerResponseError(f"temporary key rejected: {exc}") from exc
        self.clock.observe(key.issued_at_ms)
        if not key.is_valid_at(self.clock.now_ms()):
            raise ServerResponseError("temporary key is already expired by the server's own timestamps")
        return key
