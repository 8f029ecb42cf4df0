"""Request bodies of the face API (iProov's field names).

Credentials are optional here so that a missing ``api_key`` is answered like a wrong one
(401 ``invalid_key``), as iProov does, rather than as a generic validation error.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_FRAMES = 32


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class Credentials(_Wire):
    api_key: str | None = Field(default=None, max_length=256)
    secret: str | None = Field(default=None, max_length=256)


class ServerClaimRequest(Credentials):
    """``claim/enrol/token`` and ``claim/verify/token``."""

    resource: str | None = Field(default=None, max_length=2048)
    user_id: str | None = Field(default=None, max_length=1024)
    assurance_type: str = Field(default="genuine_presence", max_length=64)
    risk_profile: str | None = Field(default=None, max_length=256)


class ClaimValidateRequest(Credentials):
    """``claim/verify/validate``."""

    user_id: str | None = Field(default=None, max_length=1024)
    token: str | None = Field(default=None, max_length=256)
    client: str | None = Field(default=None, max_length=1024)
    risk_profile: str | None = Field(default=None, max_length=256)


class InvalidateClaimRequest(Credentials):
    """``claim/{token}/invalidate``."""

    reason: str | None = Field(default=None, max_length=1024)


class CaptureUpload(_Wire):
    """What the device's biometry SDK uploads: one Base64 JPEG/PNG frame per challenge slot,
    the ambient (screen dark) frame first. The token is the only credential the device has."""

    token: str = Field(min_length=1, max_length=256)
    frames: list[str] = Field(min_length=1, max_length=MAX_FRAMES)
    client: str | None = Field(default=None, max_length=1024)
