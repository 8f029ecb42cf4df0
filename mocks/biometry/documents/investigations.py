"""The investigation model: state in the store, time from the virtual clock, OPEN → PENDING → DONE.

Keys (per session): ``docinv:<id>`` the investigation, ``docpage:<id>:<pageId>`` each page record,
``docportrait:<id>`` the trusted portrait (Base64) once computed; all kept for the retention period
(virtual time, ``document_retention_seconds``) and then gone, as a provider purges personal data.
Every read-modify-write goes through ``store().update`` so concurrent uploads to one investigation
cannot lose a page. The verdict is computed once, at submit, and held back until the transition
policy lets the investigation be DONE.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from mocks.framework import (
    now,
    pop_verdict,
    random_token,
    random_uuid,
    rng,
    store,
    transition_policy,
    transition_released,
)
from simulator.identity.chip.errors import PkiError

from .checks import Evidence, run_validators
from .chipdata import record_read
from .errors import (
    InvalidQueuedVerdictError,
    InvalidStateError,
    InvestigationNotFoundError,
    PortraitUnavailableError,
    ResultNotReadyError,
)
from .settings import MAX_PAGES, TRANSITION_KIND, VERDICT_KIND, document_settings
from .trust_state import session_trust_list
from .verdict import ForcedVerdictError, compose

OPEN, PENDING, DONE = "OPEN", "PENDING", "DONE"


def _key(investigation_id: str) -> str:
    return f"docinv:{investigation_id}"


def _page_key(investigation_id: str, page_id: str) -> str:
    return f"docpage:{investigation_id}:{page_id}"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def create(customer_id: str | None, expected: dict[str, Any] | None) -> dict[str, Any]:
    investigation_id = random_uuid(rng("documents"))
    record: dict[str, Any] = {
        "investigationId": investigation_id,
        "status": OPEN,
        "customerId": customer_id,
        "expected": expected,
        "createdAt": _iso(now()),
        "chipChallenge": base64.b64encode(bytes.fromhex(random_token(rng("documents-aa"), 8))).decode(
            "ascii"
        ),
        "pageIds": [],
        "chip": None,
        "submittedAt": None,
        "startedAt": None,
        "reads": 0,
        "completedAt": None,
        "result": None,
    }
    store().put(_key(investigation_id), record, ttl=document_settings().retention)
    return record


def get(investigation_id: str) -> dict[str, Any]:
    record = store().get(_key(investigation_id))
    if not isinstance(record, dict):
        raise InvestigationNotFoundError(f"no investigation {investigation_id!r}")
    return record


def new_page_id() -> str:
    return random_uuid(rng("documents"))


def require_open(investigation_id: str) -> dict[str, Any]:
    record = get(investigation_id)
    if record["status"] != OPEN:
        raise InvalidStateError(f"investigation {investigation_id} is {record['status']}, not OPEN")
    return record


def add_page(investigation_id: str, page: dict[str, Any]) -> None:
    """Attach a read page; the state and page limit are checked again atomically."""

    def attach(record: Any) -> Any:
        if not isinstance(record, dict):
            raise InvestigationNotFoundError(f"no investigation {investigation_id!r}")
        if record["status"] != OPEN:
            raise InvalidStateError(f"investigation {investigation_id} is {record['status']}, not OPEN")
        if len(record["pageIds"]) >= MAX_PAGES:
            raise InvalidStateError(f"an investigation holds at most {MAX_PAGES} pages")
        return {**record, "pageIds": [*record["pageIds"], page["pageId"]]}

    store().put(_page_key(investigation_id, page["pageId"]), page, ttl=document_settings().retention)
    try:
        store().update(_key(investigation_id), attach)
    except Exception:
        store().delete(_page_key(investigation_id, page["pageId"]))
        raise


def get_page(investigation_id: str, page_id: str) -> dict[str, Any]:
    record = get(investigation_id)
    page = store().get(_page_key(investigation_id, page_id)) if page_id in record["pageIds"] else None
    if not isinstance(page, dict):
        raise InvestigationNotFoundError(f"no page {page_id!r} in investigation {investigation_id}")
    return page


def delete_page(investigation_id: str, page_id: str) -> None:
    get_page(investigation_id, page_id)

    def detach(record: Any) -> Any:
        if not isinstance(record, dict):
            raise InvestigationNotFoundError(f"no investigation {investigation_id!r}")
        if record["status"] != OPEN:
            raise InvalidStateError(f"investigation {investigation_id} is {record['status']}, not OPEN")
        return {**record, "pageIds": [p for p in record["pageIds"] if p != page_id]}

    store().update(_key(investigation_id), detach)
    store().delete(_page_key(investigation_id, page_id))


def set_chip(investigation_id: str, chip: dict[str, Any]) -> dict[str, Any]:
    def attach(record: Any) -> Any:
        if not isinstance(record, dict):
            raise InvestigationNotFoundError(f"no investigation {investigation_id!r}")
        if record["status"] != OPEN:
            raise InvalidStateError(f"investigation {investigation_id} is {record['status']}, not OPEN")
        return {**record, "chip": chip}

    return _existing(investigation_id, store().update(_key(investigation_id), attach))


def pages_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    pages = [store().get(_page_key(record["investigationId"], pid)) for pid in record["pageIds"]]
    return [p for p in pages if isinstance(p, dict)]


def submit(investigation_id: str) -> dict[str, Any]:
    """Freeze the evidence, compute the verdict now (virtual time), and go PENDING."""
    record = require_open(investigation_id)
    if not record["pageIds"] and record["chip"] is None:
        raise InvalidStateError("nothing to verify: upload pages or the chip first")

    def claim(current: Any) -> Any:
        if not isinstance(current, dict):
            raise InvestigationNotFoundError(f"no investigation {investigation_id!r}")
        if current["status"] != OPEN:
            raise InvalidStateError(f"investigation {investigation_id} is {current['status']}, not OPEN")
        return {**current, "status": PENDING}

    record = store().update(_key(investigation_id), claim)
    at = now()
    try:
        result, portrait = _evaluate(record, at)
    except Exception:
        store().update(
            _key(investigation_id), lambda cur: {**cur, "status": OPEN} if isinstance(cur, dict) else cur
        )
        raise
    if portrait is not None:
        store().put(
            f"docportrait:{investigation_id}",
            base64.b64encode(portrait).decode("ascii"),
            ttl=document_settings().retention,
        )
    updated = {"submittedAt": _iso(at), "startedAt": at.timestamp(), "reads": 0, "result": result}
    return _existing(
        investigation_id,
        store().update(
            _key(investigation_id), lambda cur: {**cur, **updated} if isinstance(cur, dict) else cur
        ),
    )


def _existing(investigation_id: str, record: Any) -> dict[str, Any]:
    """``record`` as a dict, or ``not_found`` when a concurrent DELETE removed it."""
    if not isinstance(record, dict):
        raise InvestigationNotFoundError(f"no investigation {investigation_id!r}")
    return record


def _evaluate(record: dict[str, Any], at: datetime) -> tuple[dict[str, Any], bytes | None]:
    settings = document_settings()
    try:
        trust = session_trust_list(settings.trust_seed)
    except PkiError as exc:  # a broken list was refused when set; this guards a store edited by hand
        raise InvalidStateError(f"the session's trust list is unusable: {exc}") from None
    challenge = base64.b64decode(record["chipChallenge"])
    evidence = Evidence(
        pages=pages_of(record),
        chip=record_read(record["chip"]) if record["chip"] else None,
        expected=record["expected"],
        at=at,
        trust=trust,
        chip_challenge=challenge,
    )
    validators = run_validators(evidence)
    forced = pop_verdict(VERDICT_KIND)
    try:
        return compose(evidence, validators, forced)
    except ForcedVerdictError as exc:
        raise InvalidQueuedVerdictError(str(exc)) from None


def poll(investigation_id: str) -> dict[str, Any]:
    """One poll: count it, and move PENDING → DONE when the transition policy says so."""
    key = _key(investigation_id)

    def count(cur: Any) -> Any:
        return {**cur, "reads": cur["reads"] + 1} if _computed(cur) else cur

    record = _existing(investigation_id, store().update(key, count))
    if not _computed(record):  # OPEN, DONE, or a submit still computing its verdict
        return record
    policy = transition_policy(TRANSITION_KIND, document_settings().transition)
    due = policy.is_due(
        started_at=record["startedAt"],
        now=now().timestamp(),
        reads=record["reads"],
        released=transition_released(TRANSITION_KIND, investigation_id),
    )
    if not due:
        return record
    done_at = _iso(now())

    def finish(cur: Any) -> Any:
        return {**cur, "status": DONE, "completedAt": done_at} if _computed(cur) else cur

    return _existing(investigation_id, store().update(key, finish))


def _computed(record: Any) -> bool:
    """PENDING with its verdict already computed (only such an investigation counts polls and moves on)."""
    return isinstance(record, dict) and record["status"] == PENDING and record["result"] is not None


def portrait(investigation_id: str) -> tuple[dict[str, Any], bytes]:
    record = get(investigation_id)
    if record["status"] != DONE:
        raise ResultNotReadyError(f"investigation {investigation_id} is {record['status']}, not DONE")
    data = store().get(f"docportrait:{investigation_id}")
    if not isinstance(data, str):
        raise PortraitUnavailableError(f"no portrait could be extracted in investigation {investigation_id}")
    return record, base64.b64decode(data)


def delete(investigation_id: str) -> None:
    record = get(investigation_id)
    for page_id in record["pageIds"]:
        store().delete(_page_key(investigation_id, page_id))
    store().delete(f"docportrait:{investigation_id}")
    store().delete(_key(investigation_id))
