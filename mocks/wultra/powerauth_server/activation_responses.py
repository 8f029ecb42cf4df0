"""Thin handlers of the activation methods (init, prepare, commit, status, lifecycle, flags)."""

from __future__ import annotations

from typing import Any

from flask import Response

from mocks.framework import decode_base64

from . import activations, models
from .activations import iso
from .responses import ok, request_object
from .schemas import (
    ActivationIdRequest,
    ActivationListRequest,
    BlockActivationRequest,
    CommitActivationRequest,
    CreateActivationRequest,
    FlagsListRequest,
    FlagsRequest,
    InitActivationRequest,
    LookupActivationsRequest,
    PrepareActivationRequest,
    RemoveActivationRequest,
    StatusRequest,
    UpdateOtpRequest,
)

ECIES_FIELDS = ("ephemeralPublicKey", "encryptedData", "mac", "nonce", "timestamp", "temporaryKeyId",
                "applicationKey")


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    """The activation as listed by ``activation/list`` and ``activation/lookup``."""
    return {
        "activationId": record["activationId"],
        "activationStatus": record["activationStatus"],
        "blockedReason": record["blockedReason"],
        "activationName": record["activationName"],
        "extras": record["extras"],
        "platform": record["platform"],
        "deviceInfo": record["deviceInfo"],
        "activationFlags": record["activationFlags"],
        "timestampCreated": iso(record["timestampCreated"]),
        "timestampLastUsed": iso(record["timestampLastUsed"]),
        "timestampLastChange": iso(record["timestampLastChange"]),
        "userId": record["userId"],
        "applicationId": record["applicationId"],
        "version": record["version"],
    }


def activation_init() -> Response:
    body = request_object(InitActivationRequest)
    record = activations.init_activation(
        user_id=body.userId, application_id=body.applicationId, expire_at=body.timestampActivationExpire,
        max_failure_count=body.maxFailureCount, commit_phase=body.commitPhase,
        activation_otp=body.activationOtp,
    )
    return ok({key: record[key] for key in
               ("activationId", "activationCode", "activationSignature", "userId", "applicationId")})


def activation_prepare() -> Response:
    body = request_object(PrepareActivationRequest)
    fields = {k: v for k, v in body.model_dump().items() if k in ECIES_FIELDS and v is not None}
    record, response = activations.prepare_activation(body.activationCode, fields, body.protocolVersion)
    return ok({
        "activationId": record["activationId"],
        "userId": record["userId"],
        "applicationId": record["applicationId"],
        **response,
        "activationStatus": record["activationStatus"],
    })


def activation_create() -> Response:
    """Direct activation for a user the caller already identified (layer 2 only)."""
    body = request_object(CreateActivationRequest)
    fields = {k: v for k, v in body.model_dump().items() if k in ECIES_FIELDS and v is not None}
    record, response = activations.create_activation(
        user_id=body.userId, application_id=body.applicationId, ecies_fields=fields,
        protocol_version=body.protocolVersion, max_failure_count=body.maxFailureCount,
        expire_at=body.timestampActivationExpire, activation_otp=body.activationOtp,
    )
    return ok({
        "activationId": record["activationId"],
        "userId": record["userId"],
        "applicationId": record["applicationId"],
        **response,
        "activationStatus": record["activationStatus"],
    })


def activation_commit() -> Response:
    body = request_object(CommitActivationRequest)
    record = activations.commit_activation(body.activationId, body.activationOtp)
    return ok({"activationId": record["activationId"], "activated": record["activationStatus"] == "ACTIVE"})


def activation_status() -> Response:
    body = request_object(StatusRequest)
    challenge = (decode_base64(body.challenge, field="challenge", max_bytes=16)
                 if body.challenge is not None else None)
    if challenge is not None and len(challenge) != 16:
        challenge = None
    record, blob, nonce = activations.status_check(body.activationId, challenge)
    if record is None:
        return ok({"activationId": body.activationId, "activationStatus": "REMOVED",
                   "encryptedStatusBlob": blob, "encryptedStatusBlobNonce": nonce,
                   "activationFlags": [], "applicationRoles": []})
    application = models.get_application(record["applicationId"])
    created = record["activationStatus"] == "CREATED"
    return ok({
        **_summary(record),
        "activationOtpValidation": record["activationOtpValidation"],
        "commitPhase": record["commitPhase"],
        "protocol": "powerauth",
        "externalId": record["externalId"],
        "failedAttempts": record["failedAttempts"],
        "maxFailedAttempts": record["maxFailedAttempts"],
        "encryptedStatusBlob": blob,
        "encryptedStatusBlobNonce": nonce,
        "activationCode": record["activationCode"] if created else None,
        "activationSignature": record["activationSignature"] if created else None,
        "devicePublicKeyFingerprint": activations.fingerprint_of(record),
        "applicationRoles": application["applicationRoles"],
    })


def activation_remove() -> Response:
    body = request_object(RemoveActivationRequest)
    record = activations.remove_activation(body.activationId)
    return ok({"activationId": record["activationId"], "removed": True})


def activation_block() -> Response:
    body = request_object(BlockActivationRequest)
    record = activations.block_activation(body.activationId, body.reason)
    return ok({"activationId": record["activationId"], "activationStatus": record["activationStatus"],
               "blockedReason": record["blockedReason"]})


def activation_unblock() -> Response:
    body = request_object(ActivationIdRequest)
    record = activations.unblock_activation(body.activationId)
    return ok({"activationId": record["activationId"], "activationStatus": record["activationStatus"]})


def activation_otp_update() -> Response:
    body = request_object(UpdateOtpRequest)
    record = activations.update_otp(body.activationId, body.activationOtp)
    return ok({"activationId": record["activationId"], "updated": True})


def activation_list() -> Response:
    body = request_object(ActivationListRequest)
    records = [r for r in activations.all_activations() if r["userId"] == body.userId
               and (body.applicationId is None or r["applicationId"] == body.applicationId)
               and (body.activationStatuses is None or r["activationStatus"] in body.activationStatuses)]
    start = body.pageNumber * body.pageSize
    page = records[start:start + body.pageSize]
    return ok({"userId": body.userId, "activations": [_summary(r) for r in page]})


def activation_lookup() -> Response:
    body = request_object(LookupActivationsRequest)
    before = body.timestampLastUsedBefore.timestamp() if body.timestampLastUsedBefore else None
    after = body.timestampLastUsedAfter.timestamp() if body.timestampLastUsedAfter else None
    found = [
        r for r in activations.all_activations()
        if r["userId"] in body.userIds
        and (body.applicationIds is None or r["applicationId"] in body.applicationIds)
        and (body.activationStatus is None or r["activationStatus"] == body.activationStatus)
        and (before is None or r["timestampLastUsed"] < before)
        and (after is None or r["timestampLastUsed"] >= after)
        and (not body.activationFlags or set(body.activationFlags) <= set(r["activationFlags"]))
    ]
    return ok({"activations": [_summary(r) for r in found]})


def flags_list() -> Response:
    body = request_object(FlagsListRequest)
    record = activations.get(body.activationId)
    return ok({"activationId": record["activationId"], "activationFlags": record["activationFlags"]})


def _flags(mode: str) -> Response:
    body = request_object(FlagsRequest)
    record = activations.change_flags(body.activationId, body.activationFlags, mode)
    return ok({"activationId": record["activationId"], "activationFlags": record["activationFlags"]})


def flags_create() -> Response:
    return _flags("create")


def flags_update() -> Response:
    return _flags("update")


def flags_remove() -> Response:
    return _flags("remove")
