"""``rsim device`` through click's runner, against the Wultra mock in a separate process."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from mocks.framework import AdminClient, RunningProcess, serve_in_subprocess
from mocks.wultra.powerauth_server.client import PowerAuthServerClient
from simulator.cli import main
from simulator.powerauth.codec import b64encode
from simulator.powerauth.headers import AuthorizationHeader, TokenHeader
from simulator.powerauth.signature import request_data

PIN = "2468"


@pytest.fixture(scope="module")
def wultra() -> Iterator[RunningProcess]:
    with serve_in_subprocess("mocks.wultra.app:create_app", {"seed": 9}) as running:
        yield running


@pytest.fixture
def bank(wultra: RunningProcess, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The bank's side: an application in the test's own session, and its REST client."""
    session = re.sub(r"[^A-Za-z0-9._:-]", "-", f"cli-{request.node.name}")[:60]
    pas = PowerAuthServerClient(wultra.url, session=session)
    pas.ok("/application/create", {"applicationId": "app"})
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    yield {"pas": pas, "session": session, "detail": detail, "url": wultra.url}
    AdminClient(wultra.url, session=session).reset(session)
    pas.close()


def _rsim(*args: str) -> Result:
    return CliRunner().invoke(main, ["device", *args], catch_exceptions=False)


def _activate(bank: dict[str, Any], phone: Path, *extra: str) -> tuple[str, Result]:
    init = bank["pas"].ok("/activation/init", {"userId": "carol", "applicationId": "app"})
    version = bank["detail"]["versions"][0]
    result = _rsim(
        "activate", "--enrollment", bank["url"], "--app-key", version["applicationKey"],
        "--app-secret", version["applicationSecret"],
        "--master-public-key", bank["detail"]["masterPublicKey"],
        "--code", f"{init['activationCode']}#{init['activationSignature']}", "--pin", PIN,
        "--session", bank["session"], "--storage", str(phone), *extra,
    )
    return init["activationId"], result


@pytest.mark.parametrize("version", ["3.2", "3.3"])
def test_activate_status_sign_remove(bank: dict[str, Any], tmp_path: Path, version: str) -> None:
    phone = tmp_path / "phone.json"
    activation_id, result = _activate(bank, phone, "--version", version)
    assert result.exit_code == 0, result.output
    assert f"activation id: {activation_id}" in result.output
    fingerprint = re.search(r"fingerprint: (\d{8})", result.output)
    pas = bank["pas"]
    assert fingerprint and pas.ok("/activation/status", {"activationId": activation_id})[
        "devicePublicKeyFingerprint"] == fingerprint.group(1)

    assert _rsim("status", "--storage", str(phone)).output.strip() == "PENDING_COMMIT"
    pas.ok("/activation/commit", {"activationId": activation_id})
    assert _rsim("status", "--storage", str(phone)).output.strip() == "ACTIVE"

    body = tmp_path / "body.json"
    body.write_bytes(b'{"amount":"12.00"}')
    signed = _rsim("sign", "--storage", str(phone), "--pin", PIN, "--uri-id", "/pa/payment",
                   "--body", str(body))
    assert signed.exit_code == 0, signed.output
    header = AuthorizationHeader.parse(signed.output.strip())
    assert header.version == version and header.activation_id == activation_id
    verified = pas.verify_signed_request(signed.output.strip(), method="POST", uri_id="/pa/payment",
                                         body=body.read_bytes())
    assert verified["signatureValid"] is True

    details = json.loads(_rsim("status", "--storage", str(phone), "--json").output)
    assert details["status"] == "ACTIVE" and details["remainingAttempts"] == 5

    removed = _rsim("remove", "--storage", str(phone), "--pin", PIN)
    assert removed.exit_code == 0, removed.output
    assert pas.ok("/activation/status", {"activationId": activation_id})["activationStatus"] == "REMOVED"
    after = _rsim("status", "--storage", str(phone))
    assert after.exit_code == 1 and "NoActivationError" in after.output
    reused_id, reused = _activate(bank, phone, "--version", version)  # the emptied file takes a new one
    assert reused.exit_code == 0 and reused_id in reused.output


def test_sdk_config_string_and_clean_errors(bank: dict[str, Any], tmp_path: Path) -> None:
    version = bank["detail"]["versions"][0]
    init = bank["pas"].ok("/activation/init", {"userId": "dan", "applicationId": "app"})
    code = init["activationCode"]
    tampered = ("B" if code[0] == "A" else "A") + code[1:]
    bad = _rsim("activate", "--enrollment", bank["url"], "--sdk-config", version["mobileSdkConfig"],
                "--code", tampered, "--pin", PIN, "--storage", str(tmp_path / "p.json"))
    assert bad.exit_code == 1 and "InvalidActivationCodeError" in bad.output
    assert not (tmp_path / "p.json").exists()
    good = _rsim("activate", "--enrollment", bank["url"], "--sdk-config", version["mobileSdkConfig"],
                 "--code", code, "--pin", PIN, "--session", bank["session"],
                 "--storage", str(tmp_path / "p.json"))
    assert good.exit_code == 0, good.output
    again = _rsim("activate", "--enrollment", bank["url"], "--sdk-config", version["mobileSdkConfig"],
                  "--code", code, "--pin", PIN, "--storage", str(tmp_path / "p.json"))
    assert again.exit_code == 1 and "already holds an activated phone" in again.output
    missing = _rsim("activate", "--enrollment", bank["url"], "--code", code, "--pin", PIN,
                    "--storage", str(tmp_path / "q.json"))
    assert missing.exit_code == 2 and "--app-key" in missing.output
    wrong_key = _rsim("activate", "--enrollment", bank["url"], "--app-key", "x", "--app-secret", "y",
                      "--master-public-key", b64encode(b"z"), "--code", code, "--pin", PIN,
                      "--storage", str(tmp_path / "q.json"))
    assert wrong_key.exit_code == 2 and "application key" in wrong_key.output
    bad_url = _rsim("activate", "--enrollment", "ftp://x", "--sdk-config", version["mobileSdkConfig"],
                    "--code", code, "--pin", PIN, "--storage", str(tmp_path / "q.json"))
    assert bad_url.exit_code == 2 and "--enrollment" in bad_url.output


def test_wrong_pin_signature_still_moves_the_saved_counter(bank: dict[str, Any], tmp_path: Path) -> None:
    phone = tmp_path / "phone.json"
    activation_id, result = _activate(bank, phone)
    assert result.exit_code == 0, result.output
    bank["pas"].ok("/activation/commit", {"activationId": activation_id})
    before = json.loads(phone.read_text())["storage"]["activation"]["ctrByte"]
    body = tmp_path / "b"
    body.write_bytes(b"{}")
    signed = _rsim("sign", "--storage", str(phone), "--pin", "0000", "--uri-id", "/x", "--body", str(body))
    assert signed.exit_code == 0
    assert json.loads(phone.read_text())["storage"]["activation"]["ctrByte"] == before + 1


def test_token_and_vault_commands(bank: dict[str, Any], tmp_path: Path) -> None:
    phone = tmp_path / "phone.json"
    activation_id, result = _activate(bank, phone)
    assert result.exit_code == 0, result.output
    bank["pas"].ok("/activation/commit", {"activationId": activation_id})
    first = _rsim("token", "--storage", str(phone), "--pin", PIN)
    second = _rsim("token", "--storage", str(phone))  # the kept token is reused, no PIN needed
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    headers = [TokenHeader.parse(r.output.strip()) for r in (first, second)]
    assert headers[0].token_id == headers[1].token_id and headers[0].nonce != headers[1].nonce
    for header in headers:
        checked = bank["pas"].ok("/token/validate", {
            "tokenId": header.token_id, "tokenDigest": header.token_digest, "nonce": header.nonce,
            "timestamp": int(header.timestamp), "protocolVersion": header.version,
        })
        assert checked["tokenValid"] is True
    unlocked = _rsim("unlock-vault", "--storage", str(phone), "--pin", PIN)
    assert unlocked.exit_code == 0 and activation_id in unlocked.output
    refused = _rsim("unlock-vault", "--storage", str(phone), "--pin", "0000")
    assert refused.exit_code == 1 and "ERR_AUTHENTICATION" in refused.output


def test_sign_offline_command(bank: dict[str, Any], tmp_path: Path) -> None:
    phone = tmp_path / "phone.json"
    activation_id, result = _activate(bank, phone)
    assert result.exit_code == 0, result.output
    bank["pas"].ok("/activation/commit", {"activationId": activation_id})
    payload = bank["pas"].ok("/signature/offline/personalized/create",
                             {"activationId": activation_id, "data": "A1*A100CZK"})
    qr = tmp_path / "qr.txt"
    qr.write_text(payload["offlineData"] + "\n")
    signed = _rsim("sign-offline", "--storage", str(phone), "--pin", PIN, "--qr", str(qr))
    assert signed.exit_code == 0, signed.output
    digits = signed.output.strip()
    data = request_data("POST", "/operation/authorize/offline", payload["nonce"], b"A1*A100CZK")
    checked = bank["pas"].ok("/signature/offline/verify", {
        "activationId": activation_id, "signature": digits, "biometryAllowed": False, "data": data.decode(),
    })
    assert checked["signatureValid"] is True
    qr.write_text(payload["offlineData"].replace("100", "999"))
    forged = _rsim("sign-offline", "--storage", str(phone), "--pin", PIN, "--qr", str(qr))
    assert forged.exit_code == 1 and "ServerResponseError" in forged.output
