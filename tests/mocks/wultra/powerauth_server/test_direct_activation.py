"""REST ``activation/create`` (direct, layer 2 only), REST ``keystore/create`` and the in-process service."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mocks.framework import AdminClient
from mocks.wultra.app import create_app
from mocks.wultra.powerauth_server import models, service
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from mocks.wultra.powerauth_server.exceptions import IncorrectActivationStateError, InvalidRequestError
from simulator.powerauth.activation import activation_contexts
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EciesEncryptor, EciesResponse, dumps_compact
from simulator.powerauth.keys import generate_private_key, public_key_from_bytes, public_key_to_bytes
from simulator.powerauth.temporary_key import TemporaryKey, TemporaryKeyRequest


def _app(pas: PasClient) -> dict[str, Any]:
    pas.ok("/application/create", {"applicationId": "app"})
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    return {"master": detail["masterPublicKey"], **detail["versions"][0]}


def _layer2(
    app: dict[str, Any], version: str, recipient: bytes, key_id: str | None
) -> tuple[dict[str, Any], Any]:
    _, ctx2 = activation_contexts(version, app["applicationKey"], app["applicationSecret"], key_id)
    encryptor = EciesEncryptor(ctx2, recipient)
    device = generate_private_key()
    plain = {
        "devicePublicKey": b64encode(public_key_to_bytes(device.public_key(), compressed=True)),
        "platform": "iOS",
        "deviceInfo": "iPhone15,2",
    }
    return {
        "applicationKey": app["applicationKey"],
        "protocolVersion": version,
        **encryptor.encrypt_request(dumps_compact(plain)).to_json(),
    }, encryptor


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
def test_direct_activation_for_a_known_user(version: str, pas: PasClient) -> None:
    app = _app(pas)
    recipient, key_id = b64decode(app["master"]), None
    if version == "3.3":
        request = TemporaryKeyRequest.new(app["applicationKey"])
        jwt = pas.ok("/keystore/create", {"jwt": request.to_jwt(app["applicationSecret"])})["jwt"]
        key = TemporaryKey.verify(jwt, public_key_from_bytes(recipient), request)
        recipient, key_id = key.public_key, key.key_id
    body, encryptor = _layer2(app, version, recipient, key_id)
    created = pas.ok("/activation/create", {**body, "userId": "carol", "maxFailureCount": 3})
    assert created["activationStatus"] == "PENDING_COMMIT" and created["userId"] == "carol"
    answer = json.loads(encryptor.decrypt_response(EciesResponse.from_json(created, version)))
    assert answer["activationId"] == created["activationId"]
    pas.ok("/activation/commit", {"activationId": created["activationId"]})
    status = pas.ok("/activation/status", {"activationId": created["activationId"]})
    assert status["activationStatus"] == "ACTIVE" and status["maxFailedAttempts"] == 3
    assert status["platform"] == "ios" and status["deviceInfo"] == "iPhone15,2"
    if version != "3.1":  # 3.2+ requests carry a timestamp and are checked for replay; 3.1 ones are not
        assert pas.error("/activation/create", {**body, "userId": "carol"}) == "ERR0024"


def test_direct_activation_that_does_not_decrypt_leaves_nothing(pas: PasClient, admin: AdminClient) -> None:
    app = _app(pas)
    body, _ = _layer2(app, "3.2", b64decode(app["master"]), None)
    assert (
        pas.error("/activation/create", {**body, "userId": "dave", "mac": b64encode(bytes(32))}) == "ERR0018"
    )
    assert pas.error("/activation/create", {**body, "userId": "dave", "protocolVersion": "3.3"}) == "ERR0011"
    assert pas.error("/activation/create", {**body, "applicationId": "other", "userId": "dave"}) == "ERR0015"
    assert pas.ok("/activation/list", {"userId": "dave"})["activations"] == []
    assert not [k for k in admin.state()["records"] if k.startswith("act:")]


def test_rest_keystore_refuses_a_bad_jwt(pas: PasClient) -> None:
    app = _app(pas)
    assert pas.error("/keystore/create", {"jwt": "x.y.z"}) == "ERR0024"
    forged = TemporaryKeyRequest.new(app["applicationKey"]).to_jwt(b64encode(bytes(16)))
    assert pas.error("/keystore/create", {"jwt": forged}) == "ERR0024"
    assert pas.ok("/keystore/remove", {"id": "nope"})["removed"] is False


def test_in_process_service_functions() -> None:
    app = create_app({"seed": 9})
    with app.test_request_context(headers={"X-Sim-Session": "svc"}):
        models.create_application("bank")
        record = service.init_activation("erin", "bank")
        assert [r["activationId"] for r in service.list_activations("erin")] == [record["activationId"]]
        with pytest.raises(IncorrectActivationStateError):
            service.commit_activation(record["activationId"])
        service.remove_activation(record["activationId"])
        assert service.list_activations("erin", statuses=["ACTIVE"]) == []
        removed = service.get_activation(record["activationId"])
        assert removed is not None and removed["activationStatus"] == "REMOVED"
        with pytest.raises(InvalidRequestError):
            service.verify_signature_header("Bearer x", method="POST", uri_id="/x", body=b"")
