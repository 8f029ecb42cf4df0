"""The admin API every mock serves under ``/_admin/``: the control surface tests and steps use.

``GET health`` · ``POST reset`` · ``GET|DELETE journal`` · ``GET state`` · ``GET|POST clock`` ·
``GET|POST|DELETE faults`` · ``GET|POST|DELETE verdicts`` · ``GET|POST|DELETE transitions``,
``POST transitions/release`` · ``POST seed``.

The session an admin call acts on is taken from a ``session`` field/parameter, else from the
``X-Sim-Session`` header, else ``default``.  When the config has an ``admin_token``, every call but
``health`` must carry it in ``X-Admin-Token``.  Admin bodies are strict: unknown fields are refused.
Errors use the problem envelope whatever the party, so the admin API looks the same on every mock.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .clock import ClockError
from .errors import MockError, RequestValidationError, parse_body, read_body, validation_error_from
from .faults import FaultRule
from .isolation import current_session, validate_session
from .journal import MAX_JOURNAL_CAPACITY, JournalQuery
from .runtime import MockRuntime, current_runtime
from .transitions import TransitionPolicy

__all__ = ["ADMIN_PREFIX", "ADMIN_TOKEN_HEADER", "create_admin_blueprint"]

ADMIN_PREFIX = "/_admin"
ADMIN_TOKEN_HEADER = "X-Admin-Token"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResetRequest(_Strict):
    session: str | None = None
    journal: bool = False


class ClockRequest(_Strict):
    advance: float | None = Field(default=None, ge=0)
    set: datetime | float | None = None
    reset: bool = False
    scope: str = Field(default="session", pattern="^(session|global|all)$")
    session: str | None = None


class VerdictRequest(_Strict):
    kind: str
    verdict: Any
    times: int = Field(default=1, ge=1, le=1000)
    session: str | None = None


class TransitionRequest(_Strict):
    kind: str
    mode: str = "immediate"
    seconds: float = 0.0
    reads: int = 1
    session: str | None = None


class ReleaseRequest(_Strict):
    kind: str
    id: str
    session: str | None = None


class SeedRequest(_Strict):
    seed: int | str | None


def _runtime() -> MockRuntime:
    return current_runtime()


def _session_arg(explicit: str | None = None) -> str:
    if explicit is not None:
        return validate_session(explicit)
    arg = request.args.get("session")
    return validate_session(arg) if arg is not None else current_session()


_M = TypeVar("_M", bound=BaseModel)


def _optional_body(model: type[_M]) -> _M:
    if not read_body().strip():
        return model()
    return parse_body(model)


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RequestValidationError(f"query parameter {name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise RequestValidationError(f"query parameter {name} must be within {low}..{high}")
    return value


def require_admin_token() -> None:
    """Refuse the request (401) unless it carries the configured admin token; a party's own admin
    endpoints call this too, so every ``/_admin/`` route is guarded the same way."""
    token = _runtime().config.admin_token
    if token is None:
        return
    given = request.headers.get(ADMIN_TOKEN_HEADER, "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise MockError(f"missing or wrong {ADMIN_TOKEN_HEADER}", status=401, kind="unauthorized",
                        headers={"WWW-Authenticate": ADMIN_TOKEN_HEADER})


def create_admin_blueprint() -> Blueprint:
    """A fresh admin blueprint (one per app, so apps never share registration state)."""
    bp = Blueprint("mock_admin", __name__, url_prefix=ADMIN_PREFIX)

    @bp.before_request
    def _check_token() -> None:
        if request.endpoint != "mock_admin.health":
            require_admin_token()

    @bp.get("/health")
    def health() -> Response:
        runtime = _runtime()
        return jsonify({"status": "UP", "party": runtime.party.name, "seeded": runtime.random.seeded,
                        "seed": runtime.random.seed})

    @bp.post("/reset")
    def reset() -> Response:
        body = _optional_body(ResetRequest)
        session = validate_session(body.session) if body.session is not None else None
        _runtime().reset(session, journal=body.journal)
        return jsonify({"reset": session if session is not None else "all", "journal": body.journal})

    @bp.get("/journal")
    def journal() -> Response:
        runtime = _runtime()
        session = request.args.get("session")
        query = JournalQuery(
            session=validate_session(session) if session is not None else None,
            path=request.args.get("path"),
            method=request.args.get("method"),
            status=_int_arg("status", None, 100, 599),
            party=request.args.get("party"),
            text=request.args.get("text"),
            direction=request.args.get("direction"),
            limit=_int_arg("limit", 100, 0, MAX_JOURNAL_CAPACITY) or 0,
        )
        entries = [e.to_dict() for e in runtime.journal.search(query)]
        return jsonify({"count": len(entries), "entries": entries, **runtime.journal.stats()})

    @bp.delete("/journal")
    def clear_journal() -> Response:
        session = request.args.get("session")
        cleared = _runtime().journal.clear(validate_session(session) if session is not None else None)
        return jsonify({"cleared": cleared})

    @bp.get("/state")
    def state() -> Response:
        runtime = _runtime()
        session = _session_arg()
        body: dict[str, Any] = {
            "party": runtime.party.name,
            "session": session,
            "records": runtime.store.dump(session),
            "clock": runtime.clock.state(session),
            "verdicts": runtime.verdicts.peek(session),
            "transitions": runtime.transitions.list(session),
            "sessions": runtime.store.sessions(),
        }
        if runtime.party.state_view is not None:
            body["party_state"] = runtime.party.state_view(runtime, session)
        return jsonify(body)

    @bp.get("/clock")
    def get_clock() -> Response:
        return jsonify(_runtime().clock.state(_session_arg()))

    @bp.post("/clock")
    def move_clock() -> Response:
        body = parse_body(ClockRequest)
        actions = sum(x for x in (body.advance is not None, body.set is not None, body.reset))
        if actions != 1:
            raise RequestValidationError("give exactly one of advance, set, reset")
        session = _session_arg(body.session)
        clock = _runtime().clock
        try:
            if body.advance is not None:
                clock.advance(body.advance, session, scope=body.scope)
            elif body.set is not None:
                clock.set(body.set, session, scope=body.scope)
            else:
                clock.reset(session, scope=body.scope)
        except (OverflowError, OSError) as exc:
            raise ClockError(f"clock value out of range: {exc}") from None
        return jsonify(clock.state(session))

    @bp.get("/faults")
    def list_faults() -> Response:
        return jsonify({"rules": _runtime().faults.list()})

    @bp.post("/faults")
    def add_faults() -> Response:
        payload = parse_body(_FaultPayload)
        faults = _runtime().faults
        if payload.rules is not None and payload.model_extra:
            raise RequestValidationError("give one rule or a rules list, not both")
        rules = payload.rules if payload.rules is not None else [payload.rule()]
        try:
            added = [faults.add(rule) for rule in rules]
        except ValueError as exc:
            raise RequestValidationError(str(exc)) from None
        return jsonify({"rules": [r.model_dump(by_alias=True, exclude_none=True) for r in added]})

    @bp.delete("/faults")
    def delete_faults() -> Response:
        faults = _runtime().faults
        rule_id = request.args.get("id")
        if rule_id is None:
            faults.clear()
            return jsonify({"removed": "all"})
        if not faults.remove(rule_id):
            raise MockError(f"no fault rule {rule_id!r}", kind="not_found", status=404)
        return jsonify({"removed": rule_id})

    @bp.post("/verdicts")
    def push_verdict() -> Response:
        body = parse_body(VerdictRequest)
        session = _session_arg(body.session)
        queued = _runtime().verdicts.push(session, body.kind, body.verdict, times=body.times)
        return jsonify({"session": session, "kind": body.kind, "queued": queued})

    @bp.get("/verdicts")
    def list_verdicts() -> Response:
        session = _session_arg()
        return jsonify({"session": session, "verdicts": _runtime().verdicts.peek(session)})

    @bp.delete("/verdicts")
    def clear_verdicts() -> Response:
        session = _session_arg()
        _runtime().verdicts.clear(session, request.args.get("kind"))
        return jsonify({"session": session, "cleared": request.args.get("kind") or "all"})

    @bp.get("/transitions")
    def list_transitions() -> Response:
        session = _session_arg()
        return jsonify({"session": session, "transitions": _runtime().transitions.list(session)})

    @bp.post("/transitions")
    def set_transition() -> Response:
        body = parse_body(TransitionRequest)
        session = _session_arg(body.session)
        try:
            policy = TransitionPolicy(mode=body.mode, seconds=body.seconds, reads=body.reads)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise validation_error_from(exc) from None
        _runtime().transitions.set(session, body.kind, policy)
        return jsonify({"session": session, "kind": body.kind, **policy.model_dump()})

    @bp.post("/transitions/release")
    def release_transition() -> Response:
        body = parse_body(ReleaseRequest)
        session = _session_arg(body.session)
        _runtime().transitions.release(session, body.kind, body.id)
        return jsonify({"session": session, "kind": body.kind, "released": body.id})

    @bp.delete("/transitions")
    def clear_transitions() -> Response:
        session = _session_arg()
        _runtime().transitions.clear(session, request.args.get("kind"))
        return jsonify({"session": session, "cleared": request.args.get("kind") or "all"})

    @bp.post("/seed")
    def seed() -> Response:
        body = parse_body(SeedRequest)
        runtime = _runtime()
        runtime.random.reseed(body.seed)
        runtime.faults.reseed(body.seed)
        return jsonify({"seed": body.seed})

    return bp


class _FaultPayload(BaseModel):
    """Either one rule (its fields at top level) or ``{"rules": [...]}``."""

    model_config = ConfigDict(extra="allow")

    rules: list[FaultRule] | None = None

    def rule(self) -> FaultRule:
        if self.rules is not None:
            raise RequestValidationError("give one rule or a rules list, not both")
        try:
            return FaultRule.model_validate(self.model_extra or {})
        except ValidationError as exc:
            raise validation_error_from(exc) from None
