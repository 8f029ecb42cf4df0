"""PowerAuth settings from ``MockConfig.extra``: limits, look-ahead, code validity, vault biometry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.wultra.app import create_app
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.codec import b64decode
from simulator.powerauth.ecies import EncryptorId
from simulator.powerauth.vault import unwrap_vault_key

EXTRA = {
    "powerauth_max_failed_attempts": 3,
    "powerauth_signature_lookahead": 3,
    "powerauth_activation_validity": 60,
    "powerauth_vault_biometry": True,
}
VALIDATE = ("/pa/v3/signature/validate", "/pa/signature/validate")


@pytest.fixture(scope="module")
def configured() -> Iterator[RunningServer]:
    with serve_in_thread(create_app({"seed": 4, "extra": EXTRA})) as running:
        yield running


@pytest.fixture
def world(
    configured: RunningServer, phone_module: Any, request: pytest.FixtureRequest
) -> Iterator[tuple[Any, ...]]:
    session = f"settings-{request.node.name}"[:60]
    pas = PasClient(configured.url, session=session)
    pas.ok("/application/create", {"applicationId": "app"})
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    version = detail["versions"][0]
    phone = phone_module.Phone(
        configured.url,
        session,
        version["applicationKey"],
        version["applicationSecret"],
        b64decode(detail["masterPublicKey"]),
        version="3.3",
    )
    admin = AdminClient(configured.url, session=session)
    yield pas, phone, admin
    admin.reset()


def test_limits_and_look_ahead(world: tuple[Any, ...]) -> None:
    pas, phone, _ = world
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    phone.activate(init["activationCode"])
    pas.ok("/activation/commit", {"activationId": init["activationId"]})
    blob = phone.status()
    assert (blob.max_failed_attempts, blob.ctr_look_ahead) == (3, 3)
    for _ in range(3):
        phone.counter.advance()  # the phone signed three times without reaching the server
    assert phone.post_signed(*VALIDATE, {}, "possession").status_code == 401  # beyond the window of 3
    for _ in range(3):
        phone.post_signed(*VALIDATE, {}, wrong_knowledge=True)
    assert (
        pas.ok("/activation/status", {"activationId": init["activationId"]})["activationStatus"] == "BLOCKED"
    )


def test_code_validity_and_vault_biometry(world: tuple[Any, ...]) -> None:
    pas, phone, admin = world
    late = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    admin.advance_clock(61)
    assert (
        pas.ok("/activation/status", {"activationId": late["activationId"]})["activationStatus"] == "REMOVED"
    )
    init = pas.ok("/activation/init", {"userId": "u", "applicationId": "app"})
    phone.activate(init["activationCode"])
    pas.ok("/activation/commit", {"activationId": init["activationId"]})
    response, encryptor = phone.signed_encrypted(
        "/pa/v3/vault/unlock",
        "/pa/vault/unlock",
        EncryptorId.VAULT_UNLOCK,
        {"reason": "ADD_BIOMETRY"},
        "possession_biometry",
    )
    plain = phone.decrypt(encryptor, response)
    assert (
        unwrap_vault_key(phone.result.keys.transport, plain["encryptedVaultEncryptionKey"])
        == phone.result.keys.vault
    )
