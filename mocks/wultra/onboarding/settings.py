"""Settings of the Onboarding Server, read from the Wultra mock's ``MockConfig.extra``.

Every other party is reached by URL (so any of them can be the real system in conformance mode):
``bank_url`` (the bank's onboarding adapter), ``biometry_url`` (face provider, iProov-shaped),
``document_provider_url`` (document verification).  Credentials: ``bank_username`` and
``bank_password`` (HTTP Basic, optional), ``biometry_api_key``/``biometry_secret``,
``document_api_key``.  Limits default to Wultra's defaults (OTP 8 digits, 5 min, resend 30 s,
5 attempts; 5 processes per client per day; activation phase 5 min, verification 1 h, process 3 h;
5 presence-check attempts).  ``require_consent`` (default false): when the bank's lookup says a
consent is required, ``/api/identity/init`` waits for its approval (Wultra's consent guard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mocks.framework import current_runtime

DEFAULT_BANK_URL = "http://127.0.0.1:8090"
DEFAULT_BIOMETRY_URL = "http://127.0.0.1:8092"
DEFAULT_BIOMETRY_API_KEY = "rsim-biometry-api-key"
DEFAULT_BIOMETRY_SECRET = "rsim-biometry-secret"
DEFAULT_DOCUMENT_API_KEY = "rsim-documents-api-key"


@dataclass(frozen=True)
class OnboardingSettings:
    """Resolved settings of one running mock (all durations in seconds)."""

    bank_url: str = DEFAULT_BANK_URL
    bank_username: str | None = None
    bank_password: str | None = None
    biometry_url: str = DEFAULT_BIOMETRY_URL
    biometry_api_key: str = DEFAULT_BIOMETRY_API_KEY
    biometry_secret: str = DEFAULT_BIOMETRY_SECRET
    document_provider_url: str = DEFAULT_BIOMETRY_URL
    document_api_key: str = DEFAULT_DOCUMENT_API_KEY
    face_resource: str = "presence_check"
    otp_length: int = 8
    otp_ttl: float = 300.0
    otp_resend_period: float = 30.0
    otp_max_failed_attempts: int = 5
    max_processes_per_day: int = 5
    activation_expiration: float = 300.0
    verification_expiration: float = 3600.0
    process_expiration: float = 3 * 3600.0
    presence_check_max_attempts: int = 5
    max_failed_documents: int = 5
    #: Deliberate defects, for testing that a conformance suite catches them (never on by default):
    #: ``issue_code_before_presence_check`` - the OTP alone decides step 8, the face verdict is ignored.
    mutations: tuple[str, ...] = ()
    max_error_score: int = 15
    require_consent: bool = False

    @property
    def bank_auth(self) -> tuple[str, str] | None:
        if self.bank_username is None or self.bank_password is None:
            return None
        return self.bank_username, self.bank_password


_FIELDS = {name for name in OnboardingSettings.__dataclass_fields__}
KNOWN_MUTATIONS = frozenset({"issue_code_before_presence_check"})


def onboarding_settings() -> OnboardingSettings:
    """The running mock's settings; ``extra`` keys named like the fields override the defaults."""
    extra: dict[str, Any] = current_runtime().config.extra
    chosen = {key: value for key, value in extra.items() if key in _FIELDS}
    chosen["mutations"] = tuple(chosen.get("mutations") or ())
    settings = OnboardingSettings(**chosen)
    if not 4 <= settings.otp_length <= 12:
        raise ValueError("otp_length must lie in 4..12")
    unknown = set(settings.mutations) - KNOWN_MUTATIONS
    if unknown:
        raise ValueError(f"unknown mutations {sorted(unknown)}; known: {sorted(KNOWN_MUTATIONS)}")
    return settings
