"""Step 3: evidence submitted by the app, verified by the document provider, evaluated by the bank.

Required evidence (RX-06): an ID card's FRONT and BACK, or a passport's data page, or the chip read
over NFC.  Pages go to the provider as they arrive (each read at once: unreadable → that document
``REJECTED``); once the required set is there, the investigation is submitted and the verification
waits ``(DOCUMENT_UPLOAD, VERIFICATION_PENDING)`` until a poll finds the provider ``DONE``.  Per
document errors never carry the provider's reason (``"Error verifying the document."``).

More than ``max_failed_documents`` failed documents at a new submit reset the verification and
answer 429 ``IDENTITY_VERIFICATION_LIMIT_REACHED``, as Wultra does.
"""

from __future__ import annotations

from typing import Any

from mocks.framework import UpstreamError, random_uuid, rng

from . import process, verification
from .exceptions import IdentityVerificationLimitError
from .process import Record
from .providers import bank, documents
from .schemas import DocumentItem, DocumentSubmitRequest
from .settings import OnboardingSettings
from .verification import Phase, Status

GENERIC_ERROR = "Error verifying the document."
FAILED_SET = ("REJECTED", "FAILED", "DISPOSED")


def _provider_side(item: DocumentItem) -> str:
    return "DATA_PAGE" if item.type == "PASSPORT" else str(item.side)


def _document(item_type: str, side: str | None, filename: str, status: str, **extra: Any) -> dict[str, Any]:
    entry = {"id": random_uuid(rng("document-ids")), "filename": filename, "type": item_type, "side": side,
             "status": status, "errors": [GENERIC_ERROR] if status in FAILED_SET[:2] else []}
    entry.update(extra)
    return entry


def required_set_complete(docs: list[dict[str, Any]]) -> bool:
    """ID card front and back, a passport page, or chip data, among documents still in play."""
    live = {(d["type"], d["side"]) for d in docs if d["status"] in ("VERIFICATION_PENDING", "ACCEPTED")}
    return (("ID_CARD", "FRONT") in live and ("ID_CARD", "BACK") in live) or any(
        t == "PASSPORT" and s in (None, "FRONT") for t, s in live) or any(s == "CHIP" for _t, s in live)


def _check_limit(record: Record, settings: OnboardingSettings) -> None:
    if record["verification"]["failedDocuments"] > settings.max_failed_documents:
        process.enforce_score(process.update(record["processId"], verification.reset), settings)
        raise IdentityVerificationLimitError("too many failed documents: identity verification was reset")


def _dispose(docs: list[dict[str, Any]], doc_type: str, side: str | None) -> list[str]:
    """Mark earlier evidence of the same kind replaced; returns the provider pages to delete."""
    pages = []
    for old in docs:
        if (old["type"], old["side"]) == (doc_type, side) and old["status"] not in FAILED_SET:
            old["status"] = "DISPOSED"
            if old.get("pageId"):
                pages.append(old["pageId"])
    return pages


def submit(record: Record, body: DocumentSubmitRequest, settings: OnboardingSettings) -> None:
    """Upload the evidence; submit the investigation when the required set is complete.

    What reached the provider is recorded even when a later call fails (409), so a retry neither
    duplicates pages nor loses the investigation.
    """
    verification.require(record, Phase.DOCUMENT_UPLOAD, Status.IN_PROGRESS)
    _check_limit(record, settings)
    state = record["verification"]
    investigation = state["investigationId"] or documents.open_investigation(
        settings, record["userId"] or record["processId"])
    docs: list[dict[str, Any]] = [dict(d) for d in state["documents"]]
    failed = 0
    complete = False
    try:
        for item in body.documents:
            for page_id in _dispose(docs, item.type, item.side):
                documents.delete_page(settings, investigation, page_id)
            try:
                page = documents.upload_page(settings, investigation, document_type=item.type,
                                             side=_provider_side(item), image_b64=item.data,
                                             filename=item.filename)
            except documents.EvidenceRejected:
                docs.append(_document(item.type, item.side, item.filename, "REJECTED", pageId=None))
                failed += 1
                continue
            status = "VERIFICATION_PENDING" if page.get("status") == "READ" else "REJECTED"
            if status == "REJECTED":
                failed += 1
                documents.delete_page(settings, investigation, page["pageId"])
            docs.append(_document(item.type, item.side, item.filename, status, pageId=page["pageId"]))
        if body.chip is not None:
            _dispose(docs, body.chip.documentType, "CHIP")
            try:
                documents.put_chip(settings, investigation, dict(body.chip.files))
                status = "VERIFICATION_PENDING"
            except documents.EvidenceRejected:
                status, failed = "REJECTED", failed + 1
            docs.append(_document(body.chip.documentType, "CHIP", "chip", status, pageId=None))
        if required_set_complete(docs):
            documents.submit(settings, investigation)
            complete = True
    finally:
        updated = _record_submit(record["processId"], investigation, docs, failed, complete)
    process.enforce_score(updated, settings)


def _record_submit(process_id: str, investigation: str, docs: list[dict[str, Any]], failed: int,
                   complete: bool) -> Record:
    def change(current: Record) -> None:
        verification.require(current, Phase.DOCUMENT_UPLOAD, Status.IN_PROGRESS)
        target = current["verification"]
        target.update(investigationId=investigation, documents=docs,
                      failedDocuments=target["failedDocuments"] + failed)
        process.add_score(current, failed * process.SCORE_DOCUMENT_REJECTED)
        if complete:
            verification.move(target, Phase.DOCUMENT_UPLOAD, Status.VERIFICATION_PENDING)

    return process.update(process_id, change)


def _documents_verified(record: Record, settings: OnboardingSettings) -> Record:
    """Poll the provider once; record the verdict when it is ``DONE``."""
    state = record["verification"]
    result = documents.poll(settings, state["investigationId"])
    if result.status != "DONE":
        return record
    accepted = result.verdict == "ACCEPTED"

    def change(current: Record) -> None:
        if not verification.at(current, Phase.DOCUMENT_UPLOAD, Status.VERIFICATION_PENDING):
            return
        target = current["verification"]
        rejected = 0
        for doc in target["documents"]:
            if doc["status"] == "VERIFICATION_PENDING":
                doc["status"] = "ACCEPTED" if accepted else "REJECTED"
                doc["errors"] = [] if accepted else [GENERIC_ERROR]
                rejected += 0 if accepted else 1
        if accepted:
            target.update(extractedData=result.extracted_data, portraitSource=result.portrait_source,
                          portraitAvailable=result.portrait_available)
            verification.move(target, Phase.CLIENT_EVALUATION, Status.IN_PROGRESS)
        else:
            target.update(failedDocuments=target["failedDocuments"] + rejected, investigationId=None)
            process.add_score(current, rejected * process.SCORE_DOCUMENT_REJECTED)
            verification.move(target, Phase.DOCUMENT_UPLOAD, Status.IN_PROGRESS)

    updated = process.update(record["processId"], change)
    bank.process_event(settings, updated, "DOCUMENT_VERIFICATION_FINISHED",
                       {"result": result.verdict, "investigationId": state["investigationId"]})
    if not accepted:  # a new investigation takes the next evidence; the provider may forget this one
        documents.delete_investigation(settings, state["investigationId"])
    return process.enforce_score(updated, settings)


def _client_evaluated(record: Record, settings: OnboardingSettings) -> Record:
    """Ask the bank whether the verified document belongs to its client (data vs. its record)."""
    state = record["verification"]
    if record["userId"] is None:
        verdict: bool | None = False
    else:
        verdict = bank.evaluate_client(settings, process_id=record["processId"],
                                       process_type=record["processType"], user_id=record["userId"],
                                       verification_id=state["id"], investigation_id=state["investigationId"],
                                       extracted_data=state["extractedData"])
    if verdict is None:
        return record

    def change(current: Record) -> None:
        if verification.at(current, Phase.CLIENT_EVALUATION, Status.IN_PROGRESS):
            if verdict:
                verification.move(current["verification"], Phase.PRESENCE_CHECK, Status.NOT_INITIALIZED)
            else:
                verification.move(current["verification"], Phase.CLIENT_EVALUATION, Status.REJECTED)

    return process.update(record["processId"], change)


def advance(record: Record, settings: OnboardingSettings) -> Record:
    """Move the verification on as far as the providers allow (what Wultra's scheduler does)."""
    if record["onboardingStatus"] != "VERIFICATION_IN_PROGRESS":
        return record
    try:
        if verification.at(record, Phase.DOCUMENT_UPLOAD, Status.VERIFICATION_PENDING):
            record = _documents_verified(record, settings)
        if verification.at(record, Phase.CLIENT_EVALUATION, Status.IN_PROGRESS):
            record = _client_evaluated(record, settings)
    except UpstreamError:
        return record  # the provider is away: stay, the next poll tries again
    return record


def status_view(record: Record) -> dict[str, Any]:
    """``/api/identity/document/status`` answer."""
    docs = [{"filename": d["filename"], "id": d["id"], "type": d["type"], "side": d["side"],
             "status": d["status"], **({"errors": d["errors"]} if d["errors"] else {})}
            for d in record["verification"].get("documents", [])]
    status = verification.view(record)["identityVerificationStatus"]
    return {"status": status, "documents": docs}
