"""Client evaluation (``/client/evaluate``) and 2.x onboarding approval (``/client/approval``).

The result is computed from the registry unless a test queued one (verdict kinds
``client-evaluation`` and ``client-approval``: ``"OK"``/``"NOK"``/``"WAIT"`` or
``{"result": ..., "resultReason": ...}``):

* unknown or CLOSED ``userId`` → NOK ``unknownUser``; BLOCKED → NOK ``clientBlocked``;
* ``extractedData`` (the document data the provider mined: one object or a list of them) must
  agree with the bank's record - names (accents and ICAO transliteration ignored), date of birth,
  document number - and no document may have expired by the bank's (virtual) today:
  NOK ``dataMismatch:<fields>`` / ``documentExpired``;
* approval also needs the verification ``result`` (0-10) to reach ``approval_min_score``.

Records (per session): ``evaluation:{seq}`` and ``approval:{seq}`` - the request's ids, the result
and its reason, for the admin view.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from mocks.framework import now, pop_verdict, store
from mocks.framework.store import SessionStore

from .models import ClientApprovalRequest, ClientEvaluateRequest, ClientStatus, Customer
from .registry import adapter_client

__all__ = ["approve", "compare_extracted", "evaluate", "list_results"]

RESULTS = ("OK", "NOK", "WAIT")
_ICAO = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "AE", "Ö": "OE", "Ü": "UE"})

_FIELDS: dict[str, tuple[str, ...]] = {
    "givenNames": ("givenNames", "givenName", "firstName", "firstname", "name"),
    "familyName": ("familyName", "lastName", "lastname", "surname"),
    "dateOfBirth": ("dateOfBirth", "birthDate"),
    "documentNumber": ("documentNumber", "idCardNumber", "passportNumber"),
    "dateOfExpiry": ("dateOfExpiry", "expiryDate", "documentExpiry", "expirationDate"),
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("-", " ").replace("<", " ").casefold().split())


def _same_name(given: str, actual: str) -> bool:
    return _fold(given) in (_fold(actual), _fold(actual.translate(_ICAO)))


def _name_matches(given: object, actual: str) -> bool:
    return isinstance(given, str) and _same_name(given, actual)


def _as_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _documents(extracted: object) -> list[dict[str, Any]]:
    if isinstance(extracted, str):
        try:
            extracted = json.loads(extracted)
        except ValueError:
            return []
    if isinstance(extracted, dict):
        return [extracted]
    if isinstance(extracted, list):
        return [d for d in extracted if isinstance(d, dict)]
    return []


def _value(document: dict[str, Any], field: str) -> object:
    return next((document[k] for k in _FIELDS[field] if k in document), None)


def compare_extracted(customer: Customer, extracted: object, today: date) -> tuple[list[str], bool]:
    """(fields that disagree with the record, whether any document has expired)."""
    mismatches: list[str] = []
    expired = False
    for document in _documents(extracted):
        given = _value(document, "givenNames")
        family = _value(document, "familyName")
        born = _value(document, "dateOfBirth")
        number = _value(document, "documentNumber")
        checks: Iterable[tuple[str, bool]] = [
            ("givenNames", given is None or _name_matches(given, customer.given_names)),
            ("familyName", family is None or _name_matches(family, customer.family_name)),
            ("dateOfBirth", born is None or _as_date(born) == customer.date_of_birth),
            ("documentNumber", number is None or number in customer.document_numbers()),
        ]
        mismatches += [name for name, ok in checks if not ok and name not in mismatches]
        expiry = _as_date(_value(document, "dateOfExpiry"))
        expired = expired or (expiry is not None and expiry < today)
    return mismatches, expired


def _forced(kind: str) -> tuple[str, str | None] | None:
    verdict = pop_verdict(kind)
    if verdict is None:
        return None
    if isinstance(verdict, str) and verdict in RESULTS:
        return verdict, None
    if isinstance(verdict, dict) and verdict.get("result") in RESULTS:
        reason = verdict.get("resultReason")
        return str(verdict["result"]), str(reason) if reason is not None else None
    return "NOK", "invalidQueuedVerdict"


def _client_refusal(customer: Customer | None) -> tuple[str, str] | None:
    if customer is None or customer.status == ClientStatus.CLOSED:
        return "NOK", "unknownUser"
    if customer.status == ClientStatus.BLOCKED:
        return "NOK", "clientBlocked"
    return None


def _record(prefix: str, fields: dict[str, Any]) -> None:
    s = store()
    seq = s.incr(f"seq:{prefix}")
    s.put(f"{prefix}:{seq:06d}", {"seq": seq, "at": now().isoformat(), **fields})


def evaluate(req: ClientEvaluateRequest) -> dict[str, Any]:
    """``{result, resultReason, info: {aggregationResult, mdcCheck, documentsAccepted}}``."""
    forced = _forced("client-evaluation")
    customer = adapter_client(req.user_id)
    result, reason = "OK", None
    mismatches: list[str] = []
    expired = False
    if forced is not None:
        result, reason = forced
    elif (refusal := _client_refusal(customer)) is not None:
        result, reason = refusal
    elif customer is not None:
        mismatches, expired = compare_extracted(customer, req.extracted_data, now().date())
        if mismatches:
            result, reason = "NOK", "dataMismatch:" + ",".join(mismatches)
        elif expired:
            result, reason = "NOK", "documentExpired"
    if forced is not None:
        info = dict.fromkeys(("aggregationResult", "mdcCheck", "documentsAccepted"), result == "OK")
    else:
        info = {"aggregationResult": result == "OK",
                "mdcCheck": customer is not None and not mismatches,
                "documentsAccepted": not mismatches and not expired}
    _record("evaluation", {"processId": req.process_id,
                           "identityVerificationId": req.identity_verification_id, "userId": req.user_id,
                           "result": result, "resultReason": reason,
                           "forced": forced is not None})
    return {"result": result, "resultReason": reason, "info": info}


def approve(req: ClientApprovalRequest, min_score: float) -> dict[str, Any]:
    """``{result, resultReason}`` of the 2.x approval step."""
    forced = _forced("client-approval")
    if forced is not None:
        result, reason = forced
    elif (refusal := _client_refusal(adapter_client(req.user_id))) is not None:
        result, reason = refusal
    elif req.result is not None and req.result < min_score:
        result, reason = "NOK", "verificationScoreTooLow"
    else:
        result, reason = "OK", None
    _record("approval", {"processId": req.process_id, "identityVerificationId": req.identity_verification_id,
                         "userId": req.user_id, "score": req.result, "result": result, "resultReason": reason,
                         "forced": forced is not None})
    return {"result": result, "resultReason": reason}


def list_results(kind: str, s: SessionStore | None = None) -> list[dict[str, Any]]:
    """Evaluations (``kind="evaluation"``) or approvals (``"approval"``), oldest first."""
    return list((s or store()).scan(f"{kind}:").values())
