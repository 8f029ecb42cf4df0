"""The SDK over real HTTP against the Wultra mock running in a separate process.

Nothing here reaches into the mock's memory: the phone talks to the Enrollment Server by URL, and
the test plays the bank's front end through the PowerAuth Server REST API (init, commit, block,
unblock, signature verification), all in one isolation session per test.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from mocks.framework import AdminClient, RunningProcess, serve_in_subprocess
from mocks.wultra.powerauth_server.client import PowerAuthServerClient
from simulator.device.powerauth_sdk import (
    ActivationSignatureError,
    DeviceStorage,
    HttpAnswer,
    InvalidActivationCodeError,
    NetworkError,
    PowerAuthConfig,
    PowerAuthSDK,
    RequestsTransport,
    ServerError,
    ServerResponseError,
    UnreadableStatusError,
)
from simulator.powerauth.activation_code import sign_activation_code
from simulator.powerauth.ecies import EciesContext, EciesDecryptor, EciesRequest, EncryptorId
from simulator.powerauth.headers import AuthorizationHeader, EncryptionHeader, TokenHeader
from simulator.powerauth.keys import generate_private_key, public_key_from_bytes
from simulator.powerauth.signature import normalize_get_query, request_data
from simulator.powerauth.status_blob import ActivationStatus, CounterSync
from simulator.powerauth.versions import ProtocolVersion

PIN = "1234"
BODY = b'{"payment":{"amount":"100.00","iban":"CZ6508000000192000145399"}}'
URI_ID = "/pa/payment/confirm"


@pytest.fixture(scope="module")
def wultra() -> Iterator[RunningProcess]:
    with serve_in_subprocess("mocks.wultra.app:create_app", {"seed": 5}) as running:
        yield running


@dataclass
class World:
    """One test's view of the mock: its session, the REST client and the application config."""

    url: str
    session: str
    pas: PowerAuthServerClient
    detail: dict[str, Any]

    def config(self, version: str = "3.3") -> PowerAuthConfig:
        version_info = self.detail["versions"][0]
        return PowerAuthConfig.from_values(version_info["applicationKey"], version_info["applicationSecret"],
                                           self.detail["masterPublicKey"], version)

    def phone(self, version: str = "3.3", storage: DeviceStorage | None = None) -> PowerAuthSDK:
        return PowerAuthSDK(self.config(version), storage or DeviceStorage(), self.url, session=self.session)

    def init(self, user: str = "alice") -> dict[str, Any]:
        return self.pas.ok("/activation/init", {"userId": user, "applicationId": "app"})

    def verify(self, header_value: str, body: bytes = BODY, uri_id: str = URI_ID) -> dict[str, Any]:
        """What the bank's backend does with a signed request: ``/rest/v3/signature/verify``."""
        return self.pas.verify_signed_request(header_value, method="POST", uri_id=uri_id, body=body)

    def status(self, activation_id: str) -> str:
        return str(self.pas.ok("/activation/status", {"activationId": activation_id})["activationStatus"])


@pytest.fixture
def world(wultra: RunningProcess, request: pytest.FixtureRequest) -> Iterator[World]:
    session = re.sub(r"[^A-Za-z0-9._:-]", "-", f"dev-{request.node.name}")[:60]
    pas = PowerAuthServerClient(wultra.url, session=session)
    pas.ok("/application/create", {"applicationId": "app"})
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    yield World(wultra.url, session, pas, detail)
    AdminClient(wultra.url, session=session).reset(session)
    pas.close()


def _activated(world: World, version: str) -> tuple[PowerAuthSDK, str]:
    init = world.init()
    phone = world.phone(version)
    result = phone.create_activation(f"{init['activationCode']}#{init['activationSignature']}",
                                     name="Virtual phone")
    assert result.activation_id == init["activationId"]
    detail = world.pas.ok("/activation/status", {"activationId": result.activation_id})
    assert detail["activationStatus"] == "PENDING_COMMIT"
    assert detail["devicePublicKeyFingerprint"] == result.fingerprint
    phone.persist_activation(PIN)
    world.pas.ok("/activation/commit", {"activationId": result.activation_id})
    return phone, result.activation_id


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
def test_activation_signature_block_unblock_remove(world: World, version: str) -> None:
    phone, activation_id = _activated(world, version)
    status = phone.fetch_activation_status()
    assert status.status is ActivationStatus.ACTIVE and status.remaining_attempts == 5

    verified = world.verify(phone.sign("POST", URI_ID, BODY, "possession_knowledge", pin=PIN))
    assert verified["signatureValid"] is True and verified["activationStatus"] == "ACTIVE"

    for attempt in range(1, 6):
        verified = world.verify(phone.sign("POST", URI_ID, BODY, "possession_knowledge", pin="0000"))
        assert verified["signatureValid"] is False
        if attempt < 5:
            assert phone.fetch_activation_status().failed_attempts == attempt
    status = phone.fetch_activation_status()
    assert status.status is ActivationStatus.BLOCKED and status.remaining_attempts == 0
    assert world.status(activation_id) == "BLOCKED"

    world.pas.ok("/activation/unblock", {"activationId": activation_id})
    assert phone.fetch_activation_status().status is ActivationStatus.ACTIVE
    assert world.verify(phone.sign("POST", URI_ID, BODY, "possession_knowledge", pin=PIN))["signatureValid"]

    before_removal = phone.storage.clone()
    phone.remove_activation(PIN)
    assert not phone.has_valid_activation()
    assert world.status(activation_id) == "REMOVED"
    old_phone = world.phone(version, before_removal)
    assert old_phone.fetch_activation_status().status is ActivationStatus.REMOVED


def test_restarted_and_cloned_phones(world: World) -> None:
    phone, _ = _activated(world, "3.3")
    restarted = world.phone("3.3", DeviceStorage.loads(phone.storage.dumps()))
    assert world.verify(restarted.sign("POST", URI_ID, BODY, "possession"))["signatureValid"]
    clone = world.phone("3.3", restarted.storage.clone())
    for _ in range(3):
        assert world.verify(restarted.sign("POST", URI_ID, BODY, "possession"))["signatureValid"]
    assert clone.fetch_activation_status().counter.value == "updated"
    assert world.verify(clone.sign("POST", URI_ID, BODY, "possession"))["signatureValid"]


def test_tampered_code_and_foreign_signature_never_reach_the_server(world: World) -> None:
    init = world.init()
    code = init["activationCode"]
    tampered = ("B" if code[0] == "A" else "A") + code[1:]
    phone = world.phone()
    with pytest.raises(InvalidActivationCodeError):
        phone.create_activation(tampered)
    with pytest.raises(ActivationSignatureError):
        phone.create_activation(code, signature=sign_activation_code(code, generate_private_key()))
    journal = AdminClient(world.url, session=world.session).journal(session=world.session)
    paths = [entry["path"] for entry in journal]
    assert "/powerauth-java-server/rest/v3/activation/init" in paths
    assert not [path for path in paths if path.startswith("/enrollment-server/")]
    assert world.status(init["activationId"]) == "CREATED"


def test_server_refusals_are_typed(world: World) -> None:
    init = world.init()
    phone = world.phone("3.2")
    phone.create_activation(init["activationCode"])
    phone.persist_activation(PIN)
    with pytest.raises(ServerError) as info:
        phone.remove_activation(PIN)  # not committed yet: the signature cannot verify
    assert (info.value.code, info.value.http_status) == ("ERR_AUTHENTICATION", 401)
    again = world.phone("3.2")
    with pytest.raises(ServerError) as info:
        again.create_activation(init["activationCode"])  # a code is single-use
    assert info.value.http_status == 400 and info.value.code == "ERR_ACTIVATION"


def test_custom_activation_without_a_provider_is_refused(world: World) -> None:
    """The mock registers no CUSTOM provider by default: the request is understood, then refused."""
    phone = world.phone()
    with pytest.raises(ServerError) as info:
        phone.create_activation(identity_attributes={"username": "nobody"})
    assert (info.value.code, info.value.http_status) == ("ERR_ACTIVATION", 400)
    assert not phone.has_pending_activation()


@pytest.mark.parametrize("version", ["3.2", "3.3"])
def test_phone_follows_the_mocks_virtual_clock(world: World, version: str) -> None:
    """With the server's clock two hours behind, unsynchronised timestamps would be 'from the future'."""
    admin = AdminClient(world.url, session=world.session)
    admin.set_clock(time.time() - 7200)
    phone, _ = _activated(world, version)
    assert abs(phone.clock.offset_ms + 7_200_000) < 60_000
    assert phone.fetch_activation_status().status is ActivationStatus.ACTIVE


@pytest.mark.parametrize("version", ["3.1", "3.3"])
def test_token_round_trip(world: World, version: str) -> None:
    phone, activation_id = _activated(world, version)
    token = phone.create_token("possession_knowledge", pin=PIN)
    for _ in range(2):  # a token authenticates many calls, each with a fresh nonce
        header = TokenHeader.parse(phone.token_header(token))
        checked = world.pas.ok("/token/validate", {
            "tokenId": header.token_id, "tokenDigest": header.token_digest, "nonce": header.nonce,
            "timestamp": int(header.timestamp), "protocolVersion": header.version,
        })
        assert checked["tokenValid"] is True and checked["activationId"] == activation_id
        assert checked["signatureType"].lower() == "possession_knowledge"
    replayed = world.pas.ok("/token/validate", {
        "tokenId": header.token_id, "tokenDigest": header.token_digest, "nonce": header.nonce,
        "timestamp": int(header.timestamp), "protocolVersion": header.version,
    })
    assert replayed["tokenValid"] is False
    phone.remove_token(token)
    header = TokenHeader.parse(phone.token_header(token))
    gone = world.pas.ok("/token/validate", {
        "tokenId": header.token_id, "tokenDigest": header.token_digest, "nonce": header.nonce,
        "timestamp": int(header.timestamp), "protocolVersion": header.version,
    })
    assert gone["tokenValid"] is False


@pytest.mark.parametrize("version", ["3.2", "3.3"])
def test_vault_unlock_and_signature_validate(world: World, version: str) -> None:
    phone, _ = _activated(world, version)
    vault_key = phone.unlock_vault(PIN, "FETCH_ENCRYPTION_KEY")
    assert len(vault_key) == 16
    signature = phone.sign_with_device_private_key(PIN, b"payload")
    assert phone.storage.activation is not None
    device_key = public_key_from_bytes(phone.storage.activation.device_public_key)
    device_key.verify(signature, b"payload", ec.ECDSA(hashes.SHA256()))
    checked = world.pas.ok("/signature/ecdsa/verify", {
        "activationId": phone.activation_id, "data": base64.b64encode(b"payload").decode(),
        "signature": base64.b64encode(signature).decode(), "signatureFormat": "DER",
    })
    assert checked["signatureValid"] is True

    phone.validate_signature(pin=PIN)
    with pytest.raises(ServerError) as info:
        phone.validate_signature(pin="0000")
    assert (info.value.code, info.value.http_status) == ("ERR_AUTHENTICATION", 401)
    with pytest.raises(ServerError) as info:
        phone.unlock_vault("0000")
    assert info.value.http_status == 401
    assert phone.fetch_activation_status().failed_attempts == 2


class TamperingProxy:
    """A man in the middle on the phone's side of the wire: real HTTP, one bit of the answer flipped."""

    def __init__(self, inner: RequestsTransport, field: str, path: str, index: int = -1) -> None:
        self.inner, self.field, self.path, self.index = inner, field, path, index

    def post(self, path: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        answer = self.inner.post(path, body, headers)
        if path != self.path or answer.status != 200:
            return answer
        obj = json.loads(answer.body)
        target = obj.get("responseObject", obj) if isinstance(obj.get("responseObject"), dict) else obj
        raw = bytearray(base64.b64decode(target[self.field]))
        raw[self.index] ^= 0x80
        target[self.field] = base64.b64encode(bytes(raw)).decode()
        return HttpAnswer(answer.status, json.dumps(obj).encode())


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
def test_answers_tampered_in_transit_are_refused(world: World, version: str) -> None:
    inner = RequestsTransport(world.url, session=world.session)
    for field in ("mac", "encryptedData"):
        init = world.init()  # the server used up the code before the answer was tampered with
        proxy = TamperingProxy(inner, field, "/pa/v3/activation/create")
        phone = PowerAuthSDK(world.config(version), DeviceStorage(), proxy)
        with pytest.raises(ServerResponseError, match="MAC"):
            phone.create_activation(init["activationCode"])
        assert not phone.has_pending_activation()
    phone, _ = _activated(world, version)
    proxy = TamperingProxy(inner, "encryptedStatusBlob", "/pa/v3/activation/status", index=0)
    tampered = PowerAuthSDK(phone.config, phone.storage, proxy)
    with pytest.raises(ServerResponseError, match="status blob"):
        tampered.fetch_activation_status()
    # The blob carries no MAC: a flip in its second CBC block garbles only ctrDataHash, which the
    # phone cannot reconcile with its counter - the SDK's "deadlock" state, not a silent success.
    proxy.index = -1
    assert tampered.fetch_activation_status().is_deadlocked
    assert phone.fetch_activation_status().counter is CounterSync.OK


def test_injected_server_failures_are_typed(world: World, wultra: RunningProcess) -> None:
    phone, _ = _activated(world, "3.3")
    admin = AdminClient(world.url, session=world.session)
    route = "/enrollment-server/pa/v3/activation/status"
    admin.add_fault(route=route, session=world.session, error={"status": 503}, times=1)
    with pytest.raises(ServerError) as info:
        phone.fetch_activation_status()
    assert info.value.http_status == 503
    admin.add_fault(route=route, session=world.session, reset=True, times=1)
    with pytest.raises(NetworkError):
        phone.fetch_activation_status()
    admin.remove_faults()
    assert phone.fetch_activation_status().status is ActivationStatus.ACTIVE


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
@pytest.mark.parametrize("scope", ["application", "activation"])
def test_generic_encryptors_agree_with_the_servers_keys(world: World, version: str, scope: str) -> None:
    """The test plays an endpoint behind the Enrollment Server: it asks ``/rest/v3/ecies/decryptor``
    for the envelope key of the phone's request, decrypts it and answers through the same envelope."""
    phone, activation_id = _activated(world, version)
    encryptor = phone.application_encryptor() if scope == "application" else phone.activation_encryptor()
    sent = encryptor.encrypt({"question": "ping"})
    header = EncryptionHeader.parse(sent.headers["X-PowerAuth-Encryption"])
    assert header.version == version
    assert header.activation_id == (activation_id if scope == "activation" else None)
    request = EciesRequest.from_json(sent.payload, version)
    lookup: dict[str, Any] = {
        "applicationKey": phone.config.application_key, "protocolVersion": version,
        "ephemeralPublicKey": sent.payload["ephemeralPublicKey"], "nonce": sent.payload.get("nonce"),
        "timestamp": sent.payload.get("timestamp"), "temporaryKeyId": sent.payload.get("temporaryKeyId"),
        "activationId": activation_id if scope == "activation" else None,
    }
    keys = world.pas.ok("/ecies/decryptor", {k: v for k, v in lookup.items() if v is not None})
    assert phone.storage.activation is not None
    generic = {"application": EncryptorId.APPLICATION_SCOPE_GENERIC,
               "activation": EncryptorId.ACTIVATION_SCOPE_GENERIC}
    context = EciesContext(
        ProtocolVersion(version),
        generic[scope],
        phone.config.application_key, phone.config.application_secret,
        activation_id=activation_id if scope == "activation" else None,
        transport_key=phone.storage.activation.transport_key if scope == "activation" else None,
        temporary_key_id=request.temporary_key_id,
    )
    assert base64.b64decode(keys["sharedInfo2"]) == context.shared_info2_base()
    endpoint = EciesDecryptor.with_envelope_key(context, base64.b64decode(keys["secretKey"]))
    assert json.loads(endpoint.decrypt_request(request)) == {"question": "ping"}
    answer = endpoint.encrypt_response(b'{"answer":"pong"}', timestamp=int(time.time() * 1000))
    assert encryptor.decrypt_json(answer.to_json()) == {"answer": "pong"}


def test_activation_otp_on_key_exchange_and_biometry_factor(world: World) -> None:
    init = world.pas.ok("/activation/init", {"userId": "erin", "applicationId": "app",
                                             "commitPhase": "ON_KEY_EXCHANGE", "activationOtp": "55667788"})
    phone = world.phone()
    phone.create_activation(init["activationCode"], activation_otp="55667788")
    phone.persist_activation(PIN, enable_biometry=True)
    assert world.status(init["activationId"]) == "ACTIVE"  # no commit needed
    verified = world.verify(phone.sign("POST", URI_ID, BODY, "possession_biometry"))
    assert verified["signatureValid"] is True
    phone.change_pin(PIN, "8642")
    header = phone.sign("POST", URI_ID, BODY, "possession_knowledge", pin="8642")
    assert world.verify(header)["signatureValid"] is True


@pytest.mark.parametrize("resync", [True, False])
def test_temporary_key_after_the_server_clock_jumps(world: World, resync: bool) -> None:
    """A test moving the virtual clock past a cached key's expiry: the phone notices (or, with the
    re-sync turned off, reuses a key the server no longer has)."""
    phone = PowerAuthSDK(world.config("3.3"), DeviceStorage(), world.url, session=world.session,
                         resync_before_key_reuse=resync)
    first = phone.application_encryptor().encrypt({"n": 1}).payload["temporaryKeyId"]
    assert phone.application_encryptor().encrypt({"n": 2}).payload["temporaryKeyId"] == first
    AdminClient(world.url, session=world.session).advance_clock(600)
    sent = phone.application_encryptor().encrypt({"n": 3}).payload
    lookup = {"applicationKey": phone.config.application_key, "protocolVersion": "3.3",
              "ephemeralPublicKey": sent["ephemeralPublicKey"], "nonce": sent["nonce"],
              "timestamp": sent["timestamp"], "temporaryKeyId": sent["temporaryKeyId"]}
    if resync:
        assert sent["temporaryKeyId"] != first
        assert world.pas.ok("/ecies/decryptor", lookup)["secretKey"]
    else:
        assert sent["temporaryKeyId"] == first
        assert world.pas.error("/ecies/decryptor", lookup) == "ERR0045"


def test_offline_qr_signatures(world: World) -> None:
    phone, activation_id = _activated(world, "3.3")
    operation = "A1*A100CZK*Q238400856/0300**D20260101*NPayment"
    personal = world.pas.ok("/signature/offline/personalized/create",
                            {"activationId": activation_id, "data": operation})["offlineData"]
    shared = world.pas.ok("/signature/offline/non-personalized/create",
                          {"applicationId": "app", "data": operation})["offlineData"]
    uri_id = "/operation/authorize/offline"
    for qr, pin, valid in ((personal, PIN, True), (shared, PIN, True), (personal, "0000", False)):
        payload = phone.verify_offline_data(qr)
        assert payload.data == operation and payload.personalized is (qr is personal)
        digits = phone.sign_offline(qr, uri_id, pin=pin)
        assert re.fullmatch(r"\d{8}-\d{8}", digits)
        checked = world.pas.ok("/signature/offline/verify", {
            "activationId": activation_id, "signature": digits, "biometryAllowed": False,
            "data": request_data("POST", uri_id, payload.nonce, operation.encode()).decode(),
        })
        assert checked["signatureValid"] is valid
    forged = personal.replace("Payment", "Pay-out")
    with pytest.raises(ServerResponseError, match="does not verify"):
        phone.sign_offline(forged, pin=PIN)
    with pytest.raises(ServerResponseError, match="indicator"):
        phone.verify_offline_data("data\nnonce\n7xyz")


def test_signed_get_request_over_the_canonical_query(world: World) -> None:
    phone, _ = _activated(world, "3.2")
    query = "to=2026-12-31&from=2026-01-01&q=caf%C3%A9+latte"
    header_value = phone.sign_query("GET", "/pa/statements", query, pin=PIN)
    header = AuthorizationHeader.parse(header_value)
    canonical = normalize_get_query(query)
    assert canonical.startswith(b"from=2026-01-01&q=caf%C3%A9%20latte&to=")
    checked = world.pas.ok("/signature/verify", {
        "activationId": header.activation_id, "applicationKey": header.application_key,
        "data": request_data("GET", "/pa/statements", header.nonce, canonical).decode(),
        "signature": header.signature, "signatureType": "POSSESSION_KNOWLEDGE", "signatureVersion": "3.2",
    })
    assert checked["signatureValid"] is True


def test_status_of_an_activation_the_server_forgot(world: World) -> None:
    phone, _ = _activated(world, "3.3")
    AdminClient(world.url, session=world.session).reset(world.session)
    with pytest.raises(UnreadableStatusError, match="unknown activation"):
        phone.fetch_activation_status()
