"""Thin handlers of the face API: parse, authenticate, call the models, render iProov's bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request

from mocks.framework import MockError, decode_base64, parse_body, rng
from simulator.encoding import b64encode_text
from simulator.identity.faces.liveness import LivenessChallenge
from simulator.identity.faces.matcher import FaceMatcher

from ..exceptions import (
    InvalidAssuranceTypeError,
    InvalidEnrolImageError,
    InvalidSourceError,
    InvalidTokenError,
    InvalidValidationError,
    MissingDataError,
    TokenExpiredError,
    TokenReusedError,
)
from ..settings import MAX_ENROL_IMAGE_BYTES, face_settings
from . import claims, users
from .auth import check_credentials
from .evaluation import computed_result, forced_result
from .images import trusted_template
from .schemas import CaptureUpload, ClaimValidateRequest, InvalidateClaimRequest, ServerClaimRequest

SOURCES = ("eid", "oid", "selfie")
MAX_FRAME_BYTES = 512 * 1024


def _claim_body(kind: str) -> tuple[ServerClaimRequest, str]:
    body = parse_body(ServerClaimRequest)
    check_credentials(body.api_key, body.secret)
    if not body.resource:
        raise MissingDataError("resource is required")
    if body.assurance_type != "genuine_presence":
        raise InvalidAssuranceTypeError(f"assurance_type {body.assurance_type!r} is not enabled "
                                        "for this service provider (genuine_presence only)")
    return body, users.check_user_id(body.user_id)


def _claim_response(record: dict[str, Any]) -> dict[str, Any]:
    return {"token": record["token"], "user_id": record["userId"], "pod": "rsim.local",
            "primary": "rsim", "fallback": [], "risk_profile": record.get("riskProfile") or ""}


def enrol_token() -> Response:
    body, user_id = _claim_body(claims.ENROL)
    users.ensure_not_enrolled(user_id)
    record = claims.issue(claims.ENROL, user_id, {"riskProfile": body.risk_profile})
    return jsonify(_claim_response(record))


def enrol_image() -> Response:
    if request.mimetype != "multipart/form-data":
        raise MockError("expected multipart/form-data", kind="unsupported_media_type")
    form = request.form
    check_credentials(form.get("api_key"), form.get("secret"))
    token = form.get("token")
    if not token:
        raise MissingDataError("token is required")
    source = form.get("source", "")
    if source not in SOURCES:
        raise InvalidSourceError("source must be one of oid, eid or selfie")
    if form.get("rotation", "0") != "0":
        raise InvalidEnrolImageError("only rotation 0 is supported")
    upload = request.files.get("image")
    if upload is None:
        raise InvalidEnrolImageError("missing image attachment in the multipart form")
    data = upload.stream.read(MAX_ENROL_IMAGE_BYTES + 1)
    claim = claims.get_claim(token, claims.ENROL)
    claims.require_fresh(claim)
    template = trusted_template(
        data, FaceMatcher(face_settings().match_threshold))
    claims.transition(token, claims.ENROL, claims.require_fresh, "used")
    users.enrol(claim["userId"], template, source)
    return jsonify({"success": True, "token": token, "user_id": claim["userId"]})


def verify_token() -> Response:
    body, user_id = _claim_body(claims.VERIFY)
    users.get_user(user_id)
    challenge = LivenessChallenge.generate(rng("liveness"))
    record = claims.issue(claims.VERIFY, user_id, {"riskProfile": body.risk_profile,
                                                   "challenge": challenge.to_json()})
    return jsonify({**_claim_response(record), "liveness_challenge": challenge.to_json()})


def upload_capture() -> Response:
    body = parse_body(CaptureUpload)
    frames = [decode_base64(f, field=f"frames[{i}]", max_bytes=MAX_FRAME_BYTES)
              for i, f in enumerate(body.frames)]
    claim = claims.transition(body.token, claims.VERIFY, claims.require_fresh, "processing")
    result = forced_result()
    if result is None:
        user = users.get_user(claim["userId"])
        result = computed_result(frames, LivenessChallenge.from_json(claim["challenge"]),
                                 users.template_of(user), face_settings().match_threshold)
    face = result["measurements"].get("face_frame", 0)
    result["frameJpeg"] = b64encode_text(frames[face]) if face < len(frames) else None
    claims.transition(body.token, claims.VERIFY, lambda _r: None, "captured", {"result": result})
    return jsonify({"token": body.token, "processed": True})


def _check_validatable(user_id: str) -> Callable[[dict[str, Any]], None]:
    def check(record: dict[str, Any]) -> None:
        if record["userId"] != user_id:
            raise InvalidTokenError("the token was issued for another user")
        status = record["status"]
        if status == "validated":
            raise TokenReusedError("the result of this claim has already been fetched")
        if status == "invalidated":
            raise InvalidTokenError("the claim was invalidated")
        if status in ("issued", "processing"):
            if status == "issued" and claims.is_expired(record):
                raise TokenExpiredError("the token expired before any capture was uploaded")
            raise InvalidValidationError("the capture has not finished yet")
    return check


def verify_validate() -> Response:
    body = parse_body(ClaimValidateRequest)
    check_credentials(body.api_key, body.secret)
    if not body.token:
        raise MissingDataError("token is required")
    user_id = users.check_user_id(body.user_id)
    record = claims.transition(body.token, claims.VERIFY, _check_validatable(user_id), "validated")
    result = record["result"]
    frame_jpeg = result.get("frameJpeg")
    response = {
        "passed": result["passed"], "token": body.token, "type": "verify",
        "frame_available": frame_jpeg is not None, "frame_jpeg": frame_jpeg,
        "assurance_type": "genuine_presence", "risk_profile": record.get("riskProfile") or "",
        "signals": {"anti_spoofing": {"passed": result["antiSpoofing"]},
                    "matching": {"passed": result["matching"]}, "multiple_faces_found": False},
        "forced": result["forced"], "measurements": result["measurements"],
    }
    if not result["passed"]:
        response["reason"] = result["reason"]
    return jsonify(response)


def invalidate(token: str) -> Response:
    body = parse_body(InvalidateClaimRequest)
    check_credentials(body.api_key, body.secret)
    if not body.reason:
        raise MissingDataError("reason is required")

    def check(record: dict[str, Any]) -> None:
        if record["status"] not in ("issued",):
            raise TokenReusedError("the claim is no longer open")

    for kind in (claims.VERIFY, claims.ENROL):
        try:
            claims.transition(token, kind, check, "invalidated", {"invalidReason": body.reason})
        except InvalidTokenError:
            continue
        return jsonify({"claim_aborted": True, "user_informed": False})
    raise InvalidTokenError("no claim with this token")


def get_user(user_id: str) -> Response:
    check_credentials(request.args.get("api_key"), request.args.get("secret"))
    return jsonify(users.public_view(users.get_user(users.check_user_id(user_id))))


def delete_user(user_id: str) -> Response:
    check_credentials(request.args.get("api_key"), request.args.get("secret"))
    users.delete_user(users.check_user_id(user_id))
    return jsonify({"user_id": user_id, "deleted": True})
