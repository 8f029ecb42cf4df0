"""Consents: the text the app shows (HTML, localised) and the client's answer, stored per process.

Records (per session): ``consent:{userId}:{processId}:{consentType}`` - ``{approved, processType,
storedAt}``; a later answer for the same process and type replaces the earlier one.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import now, store
from mocks.framework.store import SessionStore

from .exceptions import UnknownUserError
from .messages import choose_language, consent_text
from .models import ClientStatus, ConsentStorageRequest, ConsentTextRequest
from .registry import adapter_client
from .settings import BankSettings

__all__ = ["CONSENT", "list_consents", "store_consent", "text_for"]

CONSENT = "consent:"


def text_for(req: ConsentTextRequest, settings: BankSettings) -> str:
    """The consent in the app's language, else the client's, else English (any caller gets a text:
    it is the same for every client, so it reveals nothing)."""
    customer = adapter_client(req.user_id) if req.user_id else None
    language = choose_language(req.language, customer.locale if customer is not None else None)
    return consent_text(req.consent_type, language, bank=settings.bank_name)


def store_consent(req: ConsentStorageRequest) -> dict[str, Any]:
    """Keep the client's answer; a userId the bank does not hold is refused (400)."""
    customer = adapter_client(req.user_id)
    if customer is None or customer.status == ClientStatus.CLOSED:
        raise UnknownUserError("consent storage")
    record = {"userId": req.user_id, "processId": req.process_id, "processType": req.process_type,
              "consentType": req.consent_type, "approved": req.approved, "storedAt": now().isoformat()}
    store().put(f"{CONSENT}{req.user_id}:{req.process_id}:{req.consent_type}", record)
    return record


def list_consents(s: SessionStore | None = None, *, user_id: str | None = None) -> list[dict[str, Any]]:
    prefix = CONSENT if user_id is None else f"{CONSENT}{user_id}:"
    return list((s or store()).scan(prefix).values())
