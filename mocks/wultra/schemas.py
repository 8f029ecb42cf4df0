"""Pydantic models of the REST API's request objects (``{"requestObject": {...}}``).

Unknown fields are ignored, as the Java server's Jackson mapping does, so clients sending fields of
newer server versions still work; missing or mistyped required fields are ERR0024.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T", bound=BaseModel)

ID_FIELD = Field(min_length=1, max_length=255)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class Envelope(_Wire, Generic[T]):
    """The wrapper every request travels in."""

    requestObject: T


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
