"""The PowerAuth mobile SDK of the virtual phone, talking to an Enrollment Server only over HTTP.

Modules, one job each:

* ``config`` – application key, secret, master public key and protocol version (3.3 default, 3.2/3.1).
* ``storage`` – the phone's persistent, JSON-serialisable keychain (copy it to clone a phone).
* ``http`` – the replaceable transport and the ``/pa/v3`` envelope rules (typed server errors).
* ``clock`` – server time as learned from authenticated server timestamps.
* ``temporary_keys`` – 3.3 keystore JWT exchange, verified with the master or server public key.
* ``encryption`` – application- and activation-scope ECIES for arbitrary endpoints.
* ``activation_exchange`` – the two-layer key exchange on server time; ``status`` – status blob and
  counter resync; ``signing`` – factor keys (PIN unlock) and ``X-PowerAuth-Authorization``.
* ``models`` – results handed to the app; ``errors`` – the typed errors.
* ``sdk`` – :class:`PowerAuthSDK`, the life cycle itself.
"""

from .clock import ServerClock
from .config import PowerAuthConfig
from .encryption import DeviceEncryptor, EncryptedRequest
from .errors import (
    ActivationSignatureError,
    ActivationStateError,
    FactorUnavailableError,
    InvalidActivationCodeError,
    InvalidConfigError,
    NetworkError,
    NoActivationError,
    PowerAuthSdkError,
    ServerError,
    ServerResponseError,
    StorageError,
    UnreadableStatusError,
)
from .http import EnrollmentClient, HttpAnswer, RequestsTransport, Transport, enrollment_base_url
from .models import ActivationResult, ActivationStatusInfo, PowerAuthToken
from .sdk import PowerAuthSDK
from .storage import ActivationData, DeviceStorage

__all__ = [
    "ActivationData",
    "ActivationResult",
    "ActivationSignatureError",
    "ActivationStateError",
    "ActivationStatusInfo",
    "DeviceEncryptor",
    "DeviceStorage",
    "EncryptedRequest",
    "EnrollmentClient",
    "FactorUnavailableError",
    "HttpAnswer",
    "InvalidActivationCodeError",
    "InvalidConfigError",
    "NetworkError",
    "NoActivationError",
    "PowerAuthConfig",
    "PowerAuthSDK",
    "PowerAuthSdkError",
    "PowerAuthToken",
    "RequestsTransport",
    "ServerClock",
    "ServerError",
    "ServerResponseError",
    "StorageError",
    "Transport",
    "UnreadableStatusError",
    "enrollment_base_url",
]
