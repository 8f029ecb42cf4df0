"""Pydantic models of the REST API's request objects (``{"requestObject": {...}}``).

Unknown fields are ignored, as the Java server's Jackson mapping does, so clients sending fields of
newer server versions still work; missing or mistyped required fields are ERR0024.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T", bound=BaseModel)

ID_FIELD = Field(min_length=1, max_length=255)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class Envelope(_Wire, Generic[T]):
    """The wrapper every request travels in."""

    requestObject: T


@lru_cache(maxsize=128)
def envelope(model: type[BaseModel]) -> Any:
    """``Envelope[model]``, kept.  Pydantic holds parametrized generics only weakly, so after a garbage
    collection the next ``Envelope[model]`` builds its schema again (≈ 0.2 ms, on most REST calls
    under load); the models are this package's classes, so the cache stays small."""
    return Envelope[model]  # type: ignore[valid-type]


class Empty(_Wire):
    """Methods with no input (system status, application list)."""


class OptionalEnvelope(_Wire):
    """A body whose ``requestObject`` may be absent (methods without input)."""

    requestObject: Empty | None = None


class CreateApplicationRequest(_Wire):
    applicationId: str = ID_FIELD


class ApplicationDetailRequest(_Wire):
    applicationId: str = ID_FIELD


class LookupByAppKeyRequest(_Wire):
    applicationKey: str = Field(min_length=1, max_length=255)


class CreateVersionRequest(_Wire):
    applicationId: str = ID_FIELD
    applicationVersionId: str = ID_FIELD


class VersionSupportRequest(_Wire):
    applicationId: str = ID_FIELD
    applicationVersionId: str = ID_FIELD


CommitPhase = Literal["ON_COMMIT", "ON_KEY_EXCHANGE"]
ActivationState = Literal["CREATED", "PENDING_COMMIT", "ACTIVE", "BLOCKED", "REMOVED"]


class InitActivationRequest(_Wire):
    userId: str | None = Field(default=None, max_length=255)
    applicationId: str | None = Field(default=None, max_length=255)
    timestampActivationExpire: datetime | None = None
    maxFailureCount: int | None = Field(default=None, ge=1, le=1000)
    commitPhase: CommitPhase | None = None
    activationOtp: str | None = Field(default=None, min_length=1, max_length=255)

    model_config = ConfigDict(extra="ignore", strict=False)


class EciesFields(_Wire):
    """Layer-2 ECIES fields as the REST API carries them (Base64 strings, checked by the model)."""

    applicationKey: str = Field(min_length=1, max_length=255)
    ephemeralPublicKey: str = Field(min_length=1, max_length=512)
    encryptedData: str = Field(min_length=1, max_length=65536)
    mac: str = Field(min_length=1, max_length=512)
    nonce: str | None = Field(default=None, max_length=512)
    timestamp: int | None = None
    temporaryKeyId: str | None = Field(default=None, max_length=255)
    protocolVersion: str = Field(default="3.2", max_length=8)


class PrepareActivationRequest(EciesFields):
    activationCode: str = Field(min_length=1, max_length=64)
    generateRecoveryCodes: bool = False


class CreateActivationRequest(EciesFields):
    userId: str = Field(min_length=1, max_length=255)
    applicationId: str | None = Field(default=None, max_length=255)
    timestampActivationExpire: datetime | None = None
    maxFailureCount: int | None = Field(default=None, ge=1, le=1000)
    activationOtp: str | None = Field(default=None, min_length=1, max_length=255)
    generateRecoveryCodes: bool = False

    model_config = ConfigDict(extra="ignore", strict=False)


class ActivationIdRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    externalUserId: str | None = None


class CommitActivationRequest(ActivationIdRequest):
    activationOtp: str | None = Field(default=None, max_length=255)


class StatusRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    challenge: str | None = Field(default=None, max_length=64)


class RemoveActivationRequest(ActivationIdRequest):
    revokeRecoveryCodes: bool = False


class BlockActivationRequest(ActivationIdRequest):
    reason: str | None = Field(default=None, max_length=255)


class UpdateOtpRequest(ActivationIdRequest):
    activationOtp: str = Field(min_length=1, max_length=255)


class ActivationListRequest(_Wire):
    userId: str = Field(min_length=1, max_length=255)
    applicationId: str | None = None
    activationStatuses: list[ActivationState] | None = None
    pageNumber: int = Field(default=0, ge=0)
    pageSize: int = Field(default=500, ge=1, le=10000)


class LookupActivationsRequest(_Wire):
    userIds: list[str] = Field(min_length=1)
    applicationIds: list[str] | None = None
    timestampLastUsedBefore: datetime | None = None
    timestampLastUsedAfter: datetime | None = None
    activationStatus: ActivationState | None = None
    activationFlags: list[str] | None = None

    model_config = ConfigDict(extra="ignore", strict=False)


class FlagsRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    activationFlags: list[str] = Field(default_factory=list)


class FlagsListRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)


class HistoryRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    timestampFrom: datetime | None = None
    timestampTo: datetime | None = None

    model_config = ConfigDict(extra="ignore", strict=False)


class SignatureAuditRequest(_Wire):
    userId: str = Field(min_length=1, max_length=255)
    applicationId: str | None = Field(default=None, max_length=255)
    timestampFrom: datetime | None = None
    timestampTo: datetime | None = None

    model_config = ConfigDict(extra="ignore", strict=False)


class RenameActivationRequest(ActivationIdRequest):
    activationName: str = Field(min_length=1, max_length=255)


class StatusUpdateRequest(_Wire):
    activationIds: list[str] = Field(min_length=1, max_length=1000)
    activationStatus: ActivationState


class ErrorListRequest(_Wire):
    language: str = Field(default="en", max_length=16)


class RolesRequest(_Wire):
    applicationId: str = ID_FIELD
    applicationRoles: list[str] = Field(default_factory=list, max_length=100)


class ConfigDetailRequest(_Wire):
    applicationId: str = ID_FIELD


class ConfigCreateRequest(_Wire):
    applicationId: str = ID_FIELD
    key: str = Field(min_length=1, max_length=255)
    values: list[str | int | float | bool] = Field(default_factory=list, max_length=100)


class ConfigRemoveRequest(_Wire):
    applicationId: str = ID_FIELD
    key: str = Field(min_length=1, max_length=255)
