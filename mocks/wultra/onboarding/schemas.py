"""Request objects of the Onboarding Server, as found inside the decrypted ``requestObject``.

Models are strict about what they take (unknown members are refused with ``INVALID_REQUEST``) and
bounded in size, so a malformed request never reaches the models as something else.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mocks.framework.errors import Base64Str, validation_error_from

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


class ConfigurationRequest(_Request):
    """``/api/configuration`` (2.x)."""

    processType: str | None = Field(default=None, min_length=1, max_length=64)


class ProcessRequest(_Request):
    """``{processId}``: status, OTP resend and cleanup of the onboarding process."""

    processId: str = Field(pattern=PROCESS_ID_PATTERN)


class IdentityRequest(ProcessRequest):
    """Every identity-verification call: the process and the token that binds the caller to it."""

    processToken: str = Field(min_length=16, max_length=128)


class ConsentTextRequest(IdentityRequest):
    """``/api/identity/consent/text``."""

    consentType: str = Field(default="GDPR", pattern=r"^[A-Z][A-Z0-9_]{0,31}$")


class ConsentApproveRequest(ConsentTextRequest):
    """``/api/identity/consent/approve``."""

    approved: bool


class OtpVerifyRequest(IdentityRequest):
    """``/api/identity/otp/verify``."""

    otpCode: str = Field(min_length=1, max_length=32)


class DocumentItem(_Request):
    """One page image (Wultra's v2 submit item); a passport page has side ``FRONT`` or none."""

    filename: str = Field(min_length=1, max_length=255)
    type: Literal["ID_CARD", "PASSPORT"]
    side: Literal["FRONT", "BACK"] | None = None
    data: Base64Str = Field(min_length=4)
    originalDocumentId: str | None = Field(default=None, max_length=64)
    uploadId: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _sided(self) -> DocumentItem:
        if self.type == "ID_CARD" and self.side is None:
            raise ValueError("an ID_CARD page needs its side (FRONT or BACK)")
        if self.type == "PASSPORT" and self.side == "BACK":
            raise ValueError("a PASSPORT has one data page (side FRONT)")
        return self


class ChipEvidence(_Request):
    """What the phone read from the chip over NFC (this server's extension; Wultra has none)."""

    documentType: Literal["ID_CARD", "PASSPORT"]
    files: dict[str, Base64Str] = Field(min_length=1, max_length=12)


class DocumentSubmitRequest(IdentityRequest):
    """``/api/identity/document/submit``: page images and/or chip files."""

    resubmit: bool = False
    documents: list[DocumentItem] = Field(default_factory=list, max_length=4)
    chip: ChipEvidence | None = None

    @model_validator(mode="after")
    def _some_evidence(self) -> DocumentSubmitRequest:
        if not self.documents and self.chip is None:
            raise ValueError("submit needs documents or chip data")
        return self


def parse_request(model: type[M], request_object: dict[str, Any]) -> M:
    """Validate a decrypted ``requestObject``; shape errors become 400 ``INVALID_REQUEST``."""
    try:
        return model.model_validate(request_object)
    except ValidationError as exc:
        raise validation_error_from(exc, prefix="requestObject.") from None
