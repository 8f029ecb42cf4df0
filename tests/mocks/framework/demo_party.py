"""A tiny party built on the mock framework, used by the framework's tests.

It exercises every piece a real party uses: ``parse_body`` with strict models, the store (counters,
single-use tokens with a TTL on the virtual clock), seeded randomness, the outbound client, queued
verdicts, strict Base64 and a deliberate handler bug - behind its own PowerAuth-like error envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from mocks.framework import (
    MappedEnvelope,
    MockConfig,
    MockError,
    PartySpec,
    create_mock_app,
    decode_base64,
    now,
    outbound,
    parse_body,
    pop_verdict,
    random_token,
    rng,
    store,
    transition_policy,
    transition_released,
)


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class IncrRequest(_Wire):
    name: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    by: int = Field(default=1, ge=1, le=100)


class TokenRequest(_Wire):
    ttl: float = Field(default=60.0, gt=0, le=3600)


class RedeemRequest(_Wire):
    token: str = Field(min_length=1, max_length=128)


class RelayRequest(_Wire):
    url: str
    payload: dict[str, Any] = Field(default_factory=dict)


class BlobRequest(_Wire):
    data: str


class LoginRequest(_Wire):
    username: str
    password: str
    otp_code: str = Field(alias="otpCode")


ENVELOPE = MappedEnvelope(
    build=lambda code, message, _err: {"status": "ERROR",
                                       "responseObject": {"code": code, "message": message}},
    codes={
        "validation": "DEMO_INVALID",
        "malformed_json": "DEMO_INVALID",
        "bad_base64": "DEMO_INVALID",
        "not_found": "DEMO_NOT_FOUND",
        "internal": "DEMO_INTERNAL",
        "upstream": "DEMO_UPSTREAM",
    },
    statuses={"upstream": 409},
)


def _ok(payload: Mapping[str, Any]) -> Response:
    return jsonify({"status": "OK", "responseObject": dict(payload)})


def _blueprint() -> Blueprint:
    bp = Blueprint("demo", __name__, url_prefix="/demo")

    @bp.post("/counter")
    def incr() -> Response:
        body = parse_body(IncrRequest)
        value = store().incr(f"counter:{body.name}", amount=body.by)
        return _ok({"name": body.name, "value": value, "at": now().isoformat()})

    @bp.get("/counter/<name>")
    def read(name: str) -> Response:
        value = store().get(f"counter:{name}")
        if value is None:
            raise MockError(f"no counter {name!r}", status=404, code="DEMO_NO_COUNTER")
        return _ok({"name": name, "value": value})

    @bp.post("/token")
    def issue() -> Response:
        body = parse_body(TokenRequest)
        token = random_token(rng(), 8)
        store().put(f"token:{token}", {"issuedAt": now().isoformat()}, ttl=body.ttl)
        return _ok({"token": token})

    @bp.post("/token/redeem")
    def redeem() -> Response:
        body = parse_body(RedeemRequest)
        record = store().pop(f"token:{body.token}")
        if record is None:
            raise MockError("token unknown, already used or expired", code="DEMO_TOKEN_INVALID")
        return _ok({"redeemed": True, "issuedAt": record["issuedAt"]})

    @bp.post("/relay")
    def relay() -> Response:
        body = parse_body(RelayRequest)
        response = outbound().post(body.url, json=body.payload)
        return _ok({"upstreamStatus": response.status_code, "upstreamBody": response.json()})

    @bp.post("/blob")
    def blob() -> Response:
        body = parse_body(BlobRequest)
        return _ok({"length": len(decode_base64(body.data, field="data", max_bytes=64))})

    @bp.post("/judge")
    def judge() -> Response:
        forced = pop_verdict("judge")
        verdict = forced if forced is not None else "computed-pass"
        return _ok({"verdict": verdict, "forced": forced is not None})

    @bp.post("/login")
    def login() -> Response:
        body = parse_body(LoginRequest)
        return _ok({"username": body.username, "sessionToken": random_token(rng(), 16), "otpSent": False})

    @bp.post("/job")
    def start_job() -> Response:
        job_id = random_token(rng(), 4)
        store().put(f"job:{job_id}", {"status": "PENDING", "startedAt": now().timestamp(), "reads": 0})
        return _ok({"id": job_id})

    @bp.get("/job/<job_id>")
    def poll_job(job_id: str) -> Response:
        key = f"job:{job_id}"
        job = store().update(key, lambda j: None if j is None else {**j, "reads": j["reads"] + 1})
        if job is None:
            raise MockError(f"no job {job_id!r}", status=404, code="DEMO_NO_JOB")
        due = transition_policy("demo.job").is_due(
            started_at=job["startedAt"], now=now().timestamp(), reads=job["reads"],
            released=transition_released("demo.job", job_id),
        )
        if job["status"] == "PENDING" and due:
            job = store().update(key, lambda j: {**j, "status": "DONE"})
        return _ok({"id": job_id, "status": job["status"]})

    @bp.get("/boom")
    def boom() -> Response:
        raise RuntimeError("deliberate handler bug")

    return bp


def create_app(config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """The demo party's application factory (also used by the subprocess test)."""
    party = PartySpec(name="demo", envelope=ENVELOPE, blueprints=(_blueprint(),), import_name=__name__)
    return create_mock_app(party, config)
