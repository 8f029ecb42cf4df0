"""Request bodies of the document API (strict: unknown fields and wrong types are 400s)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class ExpectedData(_Wire):
    """The customer's record the document must match (any field may be left out)."""

    given_names: str | None = Field(default=None, alias="givenNames", min_length=1, max_length=200)
    surname: str | None = Field(default=None, min_length=1, max_length=200)
    birth_date: date | None = Field(default=None, alias="birthDate")
    document_number: str | None = Field(
        default=None, alias="documentNumber", min_length=1, max_length=30, pattern=r"^[A-Za-z0-9 <]+$"
    )

    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


class CreateInvestigation(_Wire):
    customer_id: str | None = Field(default=None, alias="customerId", min_length=1, max_length=128)
    expected: ExpectedData | None = None


class PageUpload(_Wire):
    document_type: Literal["ID_CARD", "PASSPORT"] = Field(alias="documentType")
    side: Literal["FRONT", "BACK", "DATA_PAGE"]
    image: str = Field(min_length=1)
    filename: str | None = Field(default=None, max_length=255)


class ChipUpload(_Wire):
    files: dict[str, str] = Field(min_length=1, max_length=20)
