"""Party settings, read from ``MockConfig.extra`` with safe defaults.

``api_key``/``secret``: the service provider credentials every server call must carry.
``match_threshold``: the face matcher's operating point (report the score, keep it configurable).
``token_ttl``: seconds a claim token stays valid (iProov: 2 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mocks.framework import current_runtime
from simulator.identity.faces.matcher import DEFAULT_THRESHOLD

DEFAULT_API_KEY = "rsim-biometry-api-key"
DEFAULT_SECRET = "rsim-biometry-secret"
TOKEN_TTL_SECONDS = 120.0
MAX_ENROL_IMAGE_BYTES = 2 * 1024 * 1024
#: iProov's body limit allows a 2 MB image plus the form; the framework default (1 MiB) is too small.
MAX_REQUEST_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class FaceSettings:
    api_key: str
    secret: str
    match_threshold: float
    token_ttl: float


def face_settings() -> FaceSettings:
    """The running mock's settings (``extra`` keys ``api_key``, ``secret``, ``match_threshold``,
    ``token_ttl``)."""
    extra: dict[str, Any] = current_runtime().config.extra
    return FaceSettings(
        api_key=str(extra.get("api_key", DEFAULT_API_KEY)),
        secret=str(extra.get("secret", DEFAULT_SECRET)),
        match_threshold=float(extra.get("match_threshold", DEFAULT_THRESHOLD)),
        token_ttl=float(extra.get("token_ttl", TOKEN_TTL_SECONDS)),
    )
