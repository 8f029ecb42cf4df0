"""The client's consent (GDPR by default): text from the bank, answer stored at the bank.

Whether a consent is required comes from the bank's lookup (the same for every identification, so
it reveals nothing about the client).  With ``require_consent`` set, ``/api/identity/init`` waits
for an approval, as Wultra's consent guard does; by default the consent is offered, not enforced.
"""

from __future__ import annotations

from typing import Any

from . import process
from .exceptions import IdentityVerificationFailedError
from .process import Record
from .providers import bank
from .settings import OnboardingSettings


def text(record: Record, consent_type: str, settings: OnboardingSettings) -> dict[str, Any]:
    """``/api/identity/consent/text`` → ``{consentText}``."""
    process.require_live(record)
    return {"consentText": bank.consent_text(settings, process_id=record["processId"],
                                             process_type=record["processType"], user_id=record["userId"],
                                             language=record["language"], consent_type=consent_type)}


def approve(record: Record, consent_type: str, approved: bool, settings: OnboardingSettings) -> None:
    """``/api/identity/consent/approve``: keep the answer (at the bank too, for a known client)."""
    process.require_live(record)
    if record["userId"] is not None:
        bank.store_consent(settings, process_id=record["processId"], process_type=record["processType"],
                           user_id=record["userId"], consent_type=consent_type, approved=approved)

    def keep(current: Record) -> None:
        current["consent"] = approved

    process.update(record["processId"], keep)


def require_resolved(record: Record, settings: OnboardingSettings) -> None:
    """With ``require_consent``, a required consent must be approved before the verification starts."""
    if settings.require_consent and record.get("consentRequired", True) and record.get("consent") is not True:
        raise IdentityVerificationFailedError("the consent must be approved first")
