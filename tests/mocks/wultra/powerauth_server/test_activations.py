"""Activation lifecycle over real HTTP: init, layer-2 prepare, commit, status blob, negatives."""

from __future__ import annotations

import json
from typing import Any

from mocks.framework import AdminClient
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.activation import activation_contexts
from simulator.powerauth.activation_code import is_valid_activation_code, verify_activation_signature
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EciesEncryptor, EciesResponse, dumps_compact
from simulator.powerauth.keys import (
    DerivedKeys,
    generate_private_key,
    public_key_from_bytes,
    public_key_to_bytes,
)
from simulator.powerauth.status_blob import ActivationStatus, decrypt_status_blob


def _app(pas: PasClient) -> dict[str, Any]:
    pas.ok("/application/create", {"applicationId": "app"})
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    return {"master": detail["masterPublicKey"], **detail["versions"][0]}


def _prepare_body(app: dict[str, Any], code: str, otp: str | None = None) -> tuple[dict[str, Any], Any, Any]:
    _, ctx2 = activation_contexts("3.2", app["applicationKey"], app["applicationSecret"], None)
    encryptor = EciesEncryptor(ctx2, b64decode(app["master"]))
    device = generate_private_key()
    device_public = public_key_to_bytes(device.public_key(), compressed=True)
    plain: dict[str, Any] = {"devicePublicKey": b64encode(device_public),
                             "activationName": "Phone", "platform": "Android"}
    if otp is not None:
        plain["activationOtp"] = otp
    request = encryptor.encrypt_request(dumps_compact(plain))
    body = {"activationCode": code, "applicationKey": app["applicationKey"], "protocolVersion": "3.2",
            **request.to_json()}
    return body, encryptor, device


def _status(pas: PasClient, activation_id: str) -> str:
    return str(pas.ok("/activation/status", {"activationId": activation_id})["activationStatus"])


def test_full_activation_with_status_blob(pas: PasClient) -> None:
    app = _app(pas)
    init = pas.ok("/activation/init", {"userId": "alice", "applicationId": "app"})
    assert is_valid_activation_code(init["activationCode"])
    verify_activation_signature(init["activationCode"], init["activationSignature"],
                                public_key_from_bytes(b64decode(app["master"])))
    created = pas.ok("/activation/status", {"activationId": init["activationId"]})
    assert created["activationStatus"] == "CREATED" and created["activationCode"] == init["activationCode"]

    body, encryptor, device = _prepare_body(app, init["activationCode"])
    prepared = pas.ok("/activation/prepare", body)
    assert prepared["activationStatus"] == "PENDING_COMMIT" and prepared["userId"] == "alice"
    layer2 = json.loads(encryptor.decrypt_response(EciesResponse.from_json(prepared, "3.2")))
    assert layer2["activationId"] == init["activationId"] and len(b64decode(layer2["ctrData"])) == 16

    assert pas.ok("/activation/commit", {"activationId": init["activationId"]})["activated"] is True
    challenge = bytes(range(16))
    status = pas.ok("/activation/status", {"activationId": init["activationId"],
                                           "challenge": b64encode(challenge)})
    assert status["activationStatus"] == "ACTIVE" and status["platform"] == "android"
    keys = DerivedKeys.from_key_pair(device, public_key_from_bytes(b64decode(layer2["serverPublicKey"])))
    blob = decrypt_status_blob(status["encryptedStatusBlob"], keys.transport, challenge,
                               b64decode(status["encryptedStatusBlobNonce"]))
    assert blob.status is ActivationStatus.ACTIVE and blob.ctr_look_ahead == 20
    assert blob.max_failed_attempts == 5 and blob.failed_attempts == 0


def test_block_unblock_remove_and_wrong_states(pas: PasClient) -> None:
    app = _app(pas)
    init = pas.ok("/activation/init", {"userId": "bob", "applicationId": "app",
                                       "commitPhase": "ON_KEY_EXCHANGE"})
    aid = init["activationId"]
    assert pas.error("/activation/block", {"activationId": aid}) == "ERR0008"
    pas.ok("/activation/prepare", _prepare_body(app, init["activationCode"])[0])
    assert _status(pas, aid) == "ACTIVE"
    assert pas.ok("/activation/block", {"activationId": aid})["blockedReason"] == "NOT_SPECIFIED"
    assert pas.error("/activation/block", {"activationId": aid}) == "ERR0008"
    assert pas.ok("/activation/unblock", {"activationId": aid})["activationStatus"] == "ACTIVE"
    assert pas.ok("/activation/flags/create", {"activationId": aid, "activationFlags": ["A", "B"]})[
        "activationFlags"] == ["A", "B"]
    assert pas.ok("/activation/flags/remove", {"activationId": aid, "activationFlags": ["A"]})[
        "activationFlags"] == ["B"]
    listed = pas.ok("/activation/list", {"userId": "bob"})["activations"]
    assert [a["activationId"] for a in listed] == [aid]
    assert pas.ok("/activation/lookup", {"userIds": ["bob"], "activationFlags": ["B"]})["activations"]
    assert pas.ok("/activation/remove", {"activationId": aid})["removed"] is True
    assert _status(pas, aid) == "REMOVED"


def test_commit_otp_mismatch_is_err0031_and_state_kept(pas: PasClient) -> None:
    app = _app(pas)
    init = pas.ok("/activation/init", {"userId": "c", "applicationId": "app", "activationOtp": "1234"})
    pas.ok("/activation/prepare", _prepare_body(app, init["activationCode"])[0])
    assert pas.error("/activation/commit", {"activationId": init["activationId"],
                                            "activationOtp": "9999"}) == "ERR0031"
    assert _status(pas, init["activationId"]) == "PENDING_COMMIT"
    assert pas.ok("/activation/commit", {"activationId": init["activationId"],
                                         "activationOtp": "1234"})["activated"] is True


def test_expired_code_reused_code_tampered_mac_wrong_key(pas: PasClient, admin: AdminClient) -> None:
    app = _app(pas)
    init = pas.ok("/activation/init", {"userId": "d", "applicationId": "app"})
    body, _, _ = _prepare_body(app, init["activationCode"])
    tampered = dict(body, mac=b64encode(bytes(32)))
    assert pas.error("/activation/prepare", tampered) == "ERR0018"
    wrong_key = dict(body, applicationKey="AAAAAAAAAAAAAAAAAAAAAA==")
    assert pas.error("/activation/prepare", wrong_key) == "ERR0015"
    assert _status(pas, init["activationId"]) == "CREATED"
    pas.ok("/activation/prepare", body)
    again, _, _ = _prepare_body(app, init["activationCode"])
    assert pas.error("/activation/prepare", again) == "ERR0008"

    late = pas.ok("/activation/init", {"userId": "d", "applicationId": "app"})
    admin.advance_clock(301)
    late_body, _, _ = _prepare_body(app, late["activationCode"])
    assert pas.error("/activation/prepare", late_body) == "ERR0007"
    assert _status(pas, late["activationId"]) == "REMOVED"


def test_unknown_activation_and_bad_init(pas: PasClient) -> None:
    _app(pas)
    unknown = pas.ok("/activation/status", {"activationId": "00000000-0000-4000-8000-000000000000"})
    assert unknown["activationStatus"] == "REMOVED" and len(b64decode(unknown["encryptedStatusBlob"])) == 32
    assert pas.error("/activation/commit", {"activationId": "nope"}) == "ERR0009"
    assert pas.error("/activation/init", {"applicationId": "app"}) == "ERR0001"
    assert pas.error("/activation/init", {"userId": "u"}) == "ERR0002"
    assert pas.error("/activation/init", {"userId": "u", "applicationId": "zzz"}) == "ERR0015"
    bad_phase = {"userId": "u", "applicationId": "app", "commitPhase": "X"}
    assert pas.error("/activation/init", bad_phase) == "ERR0024"
    assert pas.ok("/activation/list", {"userId": "u"})["activations"] == []


def test_key_exchange_otp_and_otp_update(pas: PasClient) -> None:
    app = _app(pas)
    init = pas.ok("/activation/init", {"userId": "e", "applicationId": "app",
                                       "commitPhase": "ON_KEY_EXCHANGE", "activationOtp": "5555"})
    wrong, _, _ = _prepare_body(app, init["activationCode"], otp="0000")
    assert pas.error("/activation/prepare", wrong) == "ERR0031"
    after = pas.ok("/activation/status", {"activationId": init["activationId"]})
    assert after["activationStatus"] == "CREATED" and after["failedAttempts"] == 1
    right, _, _ = _prepare_body(app, init["activationCode"], otp="5555")
    assert pas.ok("/activation/prepare", right)["activationStatus"] == "ACTIVE"

    pending = pas.ok("/activation/init", {"userId": "e", "applicationId": "app", "activationOtp": "1111"})
    pas.ok("/activation/prepare", _prepare_body(app, pending["activationCode"])[0])
    assert pas.ok("/activation/otp/update", {"activationId": pending["activationId"],
                                             "activationOtp": "2222"})["updated"] is True
    assert pas.error("/activation/commit", {"activationId": pending["activationId"],
                                            "activationOtp": "1111"}) == "ERR0031"
    assert pas.ok("/activation/commit", {"activationId": pending["activationId"],
                                         "activationOtp": "2222"})["activated"] is True
    assert pas.error("/activation/otp/update", {"activationId": pending["activationId"],
                                                "activationOtp": "3333"}) == "ERR0008"


def test_commit_otp_failures_up_to_the_limit_remove_the_activation(pas: PasClient) -> None:
    app = _app(pas)
    init = pas.ok("/activation/init", {"userId": "f", "applicationId": "app", "activationOtp": "1111",
                                       "maxFailureCount": 2})
    pas.ok("/activation/prepare", _prepare_body(app, init["activationCode"])[0])
    wrong = {"activationId": init["activationId"], "activationOtp": "0"}
    assert pas.error("/activation/commit", wrong) == "ERR0031"
    assert _status(pas, init["activationId"]) == "PENDING_COMMIT"
    assert pas.error("/activation/commit", wrong) == "ERR0031"
    assert _status(pas, init["activationId"]) == "REMOVED"
    assert pas.error("/activation/commit", {**wrong, "activationOtp": "1111"}) == "ERR0008"
