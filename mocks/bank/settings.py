"""The bank's settings, read once from ``MockConfig.extra`` (a bad value fails at app creation).

Keys (all optional)::

    sms_gateway_url       base URL of the SMS gateway (Twilio-shaped)   http://127.0.0.1:8091
    sms_account_sid       the alert service's gateway account           the SMS gateway mock's default
    sms_auth_token        its auth token (Basic auth, callback check)   the SMS gateway mock's default
    sms_from              sender (E.164 or alphanumeric ID)             RSIMBank
    sms_max_attempts      sends tried per OTP before giving up          3
    sms_retry_backoff     first pause between tries, seconds (doubles)  0.05
    sms_retry_backoff_cap longest pause, seconds                        0.5
    sms_timeout           connect and read timeout of one try, seconds  3
    status_callback_url   where delivery reports go; default: this bank's own /alerts/sms-status
                          as reached by the request (``""`` turns delivery reports off)
    bank_name             shown in the SMS and the consent              RSIM Bank
    consent_required      lookup's answer, the same for every client    true
    approval_min_score    lowest verification score /client/approval accepts (0-10)   5
    lookup_required_keys  identification keys lookup insists on         []
    adapter_username / adapter_password   HTTP Basic the adapter demands (none by default)
    clients               {"seed", "count", "locale"?}: population loaded into the default session
                          at start and after every reset of it
    shared_registry       adapter calls of any session also find the default session's clients  false
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mocks.sms_gateway.accounts import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

from .models import GenerateClientsRequest

__all__ = ["SETTINGS_KEY", "BankSettings", "SettingsError", "bank_settings"]

SETTINGS_KEY = "rsim_bank_settings"


class SettingsError(ValueError):
    """``extra`` holds a bank setting of the wrong type or out of range."""


class BankSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sms_gateway_url: str = Field(default="http://127.0.0.1:8091", pattern=r"^https?://")
    sms_account_sid: str = Field(default=DEFAULT_ACCOUNT_SID, min_length=1, max_length=64)
    sms_auth_token: str = Field(default=DEFAULT_AUTH_TOKEN, min_length=1, max_length=256)
    sms_from: str = Field(default="RSIMBank", min_length=1, max_length=16)
    sms_max_attempts: int = Field(default=3, ge=1, le=10)
    sms_retry_backoff: float = Field(default=0.05, ge=0.0, le=2.0)
    sms_retry_backoff_cap: float = Field(default=0.5, ge=0.0, le=5.0)
    sms_timeout: float = Field(default=3.0, gt=0.0, le=30.0)
    status_callback_url: str | None = None
    bank_name: str = Field(default="RSIM Bank", min_length=1, max_length=40)
    consent_required: bool = True
    approval_min_score: float = Field(default=5.0, ge=0.0, le=10.0)
    lookup_required_keys: tuple[str, ...] = ()
    adapter_username: str | None = None
    adapter_password: str | None = None
    clients: GenerateClientsRequest | None = None
    shared_registry: bool = False

    @classmethod
    def from_extra(cls, extra: dict[str, Any]) -> BankSettings:
        try:
            return cls.model_validate(extra)
        except ValidationError as exc:
            raise SettingsError(f"invalid bank settings in config.extra: {exc}") from None

    def backoff(self, attempt: int) -> float:
        """Pause after failed try number ``attempt`` (1-based): exponential, capped."""
        return min(self.sms_retry_backoff * (2 ** (attempt - 1)), self.sms_retry_backoff_cap)


def bank_settings() -> BankSettings:
    """Settings of the app handling the current request."""
    settings = current_app.extensions.get(SETTINGS_KEY)
    if not isinstance(settings, BankSettings):
        raise RuntimeError("this app was not built by mocks.bank.app.create_app")
    return settings
