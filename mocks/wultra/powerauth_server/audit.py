"""Signature audit log (``signature/list``): one record per verification of an existing activation.

Records are kept a day of virtual time (``sigaudit:<activationId>:<id>``), so a long load test does
not grow the store without bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mocks.framework import random_uuid, rng, store
from simulator.powerauth.codec import b64encode
from simulator.powerauth.signature import SignatureFormat

from .keygen import now_ms

if TYPE_CHECKING:
    from .signatures import VerificationResult

Record = dict[str, Any]

AUDIT_RETENTION_SECONDS = 86_400.0


def record_verification(
    result: VerificationResult, *, data: bytes, signature: str, signature_format: SignatureFormat
) -> None:
    """Store what was verified, against which counter, and the outcome."""
    activation = result.activation
    assert activation is not None
    entry_id = random_uuid(rng("audit-ids"))
    store().put(
        f"sigaudit:{activation['activationId']}:{entry_id}",
        {
            "id": entry_id,
            "userId": activation["userId"],
            "applicationId": activation["applicationId"],
            "activationId": activation["activationId"],
            "activationCounter": activation["counter"],
            "activationCtrData": activation["ctrData"],
            "activationStatus": activation["activationStatus"],
            "additionalInfo": {},
            "dataBase64": b64encode(data),
            "signatureVersion": "3.0" if signature_format is SignatureFormat.DECIMAL else "3.1",
            "signatureType": result.signature_type.value.upper(),
            "signature": signature,
            "note": "signature_ok" if result.valid else "signature_does_not_match",
            "valid": result.valid,
            "timestampCreated": now_ms(),
        },
        ttl=AUDIT_RETENTION_SECONDS,
    )


def list_entries(
    user_id: str, application_id: str | None, since_ms: int | None, until_ms: int | None
) -> list[Record]:
    """The user's audit records, oldest first, filtered by application and time window."""
    entries = [
        e
        for e in store().scan("sigaudit:").values()
        if isinstance(e, dict)
        and e["userId"] == user_id
        and (application_id is None or e["applicationId"] == application_id)
        and (since_ms is None or e["timestampCreated"] >= since_ms)
        and (until_ms is None or e["timestampCreated"] < until_ms)
    ]
    return sorted(entries, key=lambda e: (e["timestampCreated"], e["id"]))
