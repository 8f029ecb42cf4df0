"""Request objects of the Onboarding Server, as found inside the decrypted ``requestObject``.

Models are strict about what they take (unknown members are refused with ``INVALID_REQUEST``) and
bounded in size, so a malformed request never reaches the models as something else.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mocks.framework.errors import validation_error_from

M = TypeVar("M", bound=BaseModel)

PROCESS_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MAX_IDENTIFICATION_ITEMS = 20
MAX_IDENTIFICATION_TEXT = 256


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StartRequest(_Request):
    """``/api/onboarding/start``: the bank's free-form client identification."""

    identification: dict[str, str | int | bool] = Field(min_length=1, max_length=MAX_IDENTIFICATION_ITEMS)
    fdsData: dict[str, Any] | None = None
    processType: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("identification")
    @classmethod
    def _bounded(cls, value: dict[str, str | int | bool]) -> dict[str, str | int | bool]:
        for key, item in value.items():
            if not key or len(key) > 64:
                raise ValueError("identification keys must have 1 to 64 characters")
            if isinstance(item, str) and len(item) > MAX_IDENTIFICATION_TEXT:
                raise ValueError(f"identification value {key!r} is longer than {MAX_IDENTIFICATION_TEXT}")
        return value


class ProcessRequest(_Request):
    """``{processId}``: status, OTP resend and cleanup of the onboarding process."""

    processId: str = Field(pattern=PROCESS_ID_PATTERN)


class IdentityRequest(ProcessRequest):
    """Every identity-verification call: the process and the token that binds the caller to it."""

    processToken: str = Field(min_length=16, max_length=128)


class OtpVerifyRequest(IdentityRequest):
    """``/api/identity/otp/verify``."""

    otpCode: str = Field(min_length=1, max_length=32)


def parse_request(model: type[M], request_object: dict[str, Any]) -> M:
    """Validate a decrypted ``requestObject``; shape errors become 400 ``INVALID_REQUEST``."""
    try:
        return model.model_validate(request_object)
    except ValidationError as exc:
        raise validation_error_from(exc, prefix="requestObject.") from None
