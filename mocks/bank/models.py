"""The bank's records and the adapter's wire formats (pydantic, camelCase on the wire).

:class:`Customer` is one client of the bank as the registry holds it.  The ``*Request`` models are
exactly the bodies Wultra's onboarding server posts to the adapter (field names and types of its
"External Onboarding Services" API); unknown members are ignored, as a Jackson-based adapter would,
so a newer onboarding server that adds a field still gets through, while a missing or mistyped
required field is a 400.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from simulator.identity.people import Person

__all__ = [
    "ClientApprovalRequest",
    "ClientEvaluateRequest",
    "ClientStatus",
    "ConsentStorageRequest",
    "ConsentTextRequest",
    "Customer",
    "GenerateClientsRequest",
    "OtpSendRequest",
    "OtpType",
    "ProcessEventRequest",
    "StatusChangeRequest",
    "UserLookupRequest",
    "normalise_phone",
    "user_id_for",
]

USER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$"


class ClientStatus(StrEnum):
    """ACTIVE and BLOCKED clients are found by lookup (a blocked one then fails evaluation); a CLOSED
    client is treated as unknown."""

    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"
    CLOSED = "CLOSED"


class OtpType(StrEnum):
    ACTIVATION = "ACTIVATION"
    USER_VERIFICATION = "USER_VERIFICATION"


def normalise_phone(value: str) -> str:
    """E.164 form of a mobile or fixed number that ``phonenumbers`` deems valid, else ``ValueError``."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number in international form: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def user_id_for(client_number: str) -> str:
    """The userId the bank hands Wultra for a generated client (stable, derived from the client number)."""
    return f"user-{client_number}"


class _Record(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Customer(_Record):
    """One client of the bank: identity, contact, documents and status."""

    user_id: str = Field(pattern=USER_ID_PATTERN)
    client_number: str = Field(pattern=r"^[A-Za-z0-9-]{1,32}$")
    given_names: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    phone_number: str = Field(max_length=32)
    locale: str = Field(default="en_GB", pattern=r"^[a-z]{2}(_[A-Z]{2})?$")
    sex: Literal["M", "F", "X"] | None = None
    nationality: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    id_card_number: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,20}$")
    id_card_expiry_date: date | None = None
    passport_number: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,20}$")
    passport_expiry_date: date | None = None
    status: ClientStatus = ClientStatus.ACTIVE

    @field_validator("phone_number")
    @classmethod
    def _valid_phone(cls, value: str) -> str:
        return normalise_phone(value)

    @property
    def language(self) -> str:
        """ISO 639-1 language of the client's locale (``cs_CZ`` → ``cs``)."""
        return self.locale.split("_", 1)[0]

    def document_numbers(self) -> list[str]:
        return [n for n in (self.id_card_number, self.passport_number) if n]

    def to_record(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Customer:
        return cls.model_validate(record)

    @classmethod
    def from_person(cls, person: Person) -> Customer:
        """The registry entry of a synthetic person of the identity world."""
        return cls(
            user_id=user_id_for(person.client_number),
            client_number=person.client_number,
            given_names=person.given_names,
            family_name=person.family_name,
            date_of_birth=person.date_of_birth,
            phone_number=person.phone_number,
            locale=person.locale,
            sex=person.sex if person.sex in ("M", "F") else None,
            nationality=person.nationality,
            id_card_number=person.id_card_number,
            id_card_expiry_date=person.id_card_expiry_date,
            passport_number=person.passport_number,
            passport_expiry_date=person.passport_expiry_date,
        )


class GenerateClientsRequest(_Record):
    """``POST /_admin/clients/generate``: persons ``start .. start+count-1`` of population ``seed``."""

    seed: int = Field(ge=0, le=2**63 - 1)
    count: int = Field(ge=1, le=10_000)
    start: int = Field(default=0, ge=0, le=10_000_000)
    locale: str | None = Field(default=None, pattern=r"^[a-z]{2}_[A-Z]{2}$")


class StatusChangeRequest(_Record):
    """``PATCH /_admin/clients/<userId>``: block, unblock or close a client."""

    status: ClientStatus


# --------------------------------------------------------------------------- adapter wire formats


class _Wire(BaseModel):
    """Strict types (no "1" for 1, no 0 for false), unknown members ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True)


_ID = Field(min_length=1, max_length=128)


class UserLookupRequest(_Wire):
    process_id: str = _ID
    process_type: str | None = Field(default=None, max_length=64)
    identification: dict[str, Any] = Field(max_length=32)


class OtpSendRequest(_Wire):
    process_id: str = _ID
    process_type: str | None = Field(default=None, max_length=64)
    user_id: str = _ID
    language: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z]{2})?$")
    otp_code: str = Field(pattern=r"^[0-9]{4,12}$")
    otp_type: OtpType
    resend: bool = False

    @field_validator("otp_type", mode="before")
    @classmethod
    def _enum_from_text(cls, value: object) -> object:
        return OtpType(value) if isinstance(value, str) and value in OtpType.__members__ else value


class ConsentTextRequest(_Wire):
    process_id: str = _ID
    process_type: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=128)
    language: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z]{2})?$")
    consent_type: str = Field(min_length=1, max_length=64)


class ConsentStorageRequest(_Wire):
    process_id: str = _ID
    process_type: str | None = Field(default=None, max_length=64)
    user_id: str = _ID
    consent_type: str = Field(min_length=1, max_length=64)
    approved: bool


class ClientEvaluateRequest(_Wire):
    process_id: str = _ID
    process_type: str | None = Field(default=None, max_length=64)
    user_id: str = _ID
    identity_verification_id: str | None = Field(default=None, max_length=128)
    verification_id: str | None = Field(default=None, max_length=128)
    investigation_id: str | None = Field(default=None, max_length=128)
    provider: str | None = Field(default=None, max_length=64)
    extracted_data: dict[str, Any] | list[Any] | str | None = None
    verification_result: dict[str, Any] | list[Any] | str | None = None


class ClientApprovalRequest(_Wire):
    process_id: str = _ID
    process_type: str | None = Field(default=None, max_length=64)
    user_id: str = _ID
    identity_verification_id: str | None = Field(default=None, max_length=128)
    provider: str | None = Field(default=None, max_length=64)
    result: int | float | None = Field(default=None, ge=0, le=10)
    biometry_data: str | None = Field(default=None, max_length=2_000_000)


class ProcessEventRequest(_Wire):
    """1.x ``{processId, identityVerificationId, userId, type, data}`` and 2.2's
    ``{id, timestamp, type, userId, externalUserId, processId, processType, identityVerificationId,
    eventData}`` both fit."""

    process_id: str = _ID
    type: str = Field(min_length=1, max_length=64)
    id: str | None = Field(default=None, max_length=128)
    timestamp: str | None = Field(default=None, max_length=64)
    process_type: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=128)
    external_user_id: str | None = Field(default=None, max_length=128)
    identity_verification_id: str | None = Field(default=None, max_length=128)
    data: dict[str, Any] | None = None
    event_data: dict[str, Any] | None = None
