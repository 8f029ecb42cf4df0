"""``POST /otp/send`` over HTTP with the SMS gateway: the SMS reaches the registered handset, failures
are retried, ``otpSent`` tells the truth, delivery reports come back, and the OTP stays out of the
journals of the bank."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from mocks.bank.client import BankClient
from mocks.framework import AdminClient, RunningServer
from mocks.sms_gateway.client import SmsGatewayClient

from .conftest import SESSION

Clients = list[dict[str, Any]]
OTP = "40719264"
MESSAGES = "/2010-04-01/Accounts/*/Messages.json"


def _inbox(gateway: SmsGatewayClient, gateway_admin: AdminClient, number: str) -> list[dict[str, Any]]:
    gateway_admin.advance_clock(5)  # queued → sent → delivered on the gateway's clock
    return list(gateway.inbox(number)["messages"])


def test_otp_reaches_the_registered_handset(bank: BankClient, clients: Clients, gateway: SmsGatewayClient,
                                            gateway_admin: AdminClient) -> None:
    client = clients[0]
    response = bank.send_otp(client["userId"], OTP, language="en")
    assert response.status_code == 200
    assert response.json() == {"otpSent": True}
    messages = _inbox(gateway, gateway_admin, client["phoneNumber"])
    assert len(messages) == 1
    assert OTP in messages[0]["body"]
    assert "activate mobile banking" in messages[0]["body"]
    for other in clients[1:]:  # nobody else got it
        assert _inbox(gateway, gateway_admin, other["phoneNumber"]) == []


@pytest.mark.parametrize("language,phrase", [
    ("cs", "váš kód pro aktivaci"), ("de", "Ihr Code zur Aktivierung"), ("en", "your code to activate")])
def test_sms_is_in_the_apps_language(bank: BankClient, clients: Clients, gateway: SmsGatewayClient,
                                     gateway_admin: AdminClient, language: str, phrase: str) -> None:
    assert bank.send_otp(clients[0]["userId"], OTP, language=language).json() == {"otpSent": True}
    body = _inbox(gateway, gateway_admin, clients[0]["phoneNumber"])[0]["body"]
    assert phrase in body and OTP in body


def test_unsupported_language_falls_back_to_the_clients_locale(bank: BankClient, gateway: SmsGatewayClient,
                                                               gateway_admin: AdminClient) -> None:
    bank.add_client({"userId": "jana", "clientNumber": "42", "givenNames": "Jana", "familyName": "Nová",
                     "dateOfBirth": "1980-01-01", "phoneNumber": "+420601111222", "locale": "cs_CZ"})
    assert bank.send_otp("jana", OTP, language="fr", otp_type="USER_VERIFICATION").json()["otpSent"] is True
    body = _inbox(gateway, gateway_admin, "+420601111222")[0]["body"]
    assert "ověření totožnosti" in body
    alert = bank.alerts()[-1]
    assert alert["language"] == "cs" and alert["requestedLanguage"] == "fr"


def test_the_alert_keeps_wultras_correlation_id(bank: BankClient, clients: Clients) -> None:
    body = {"processId": "p-9", "userId": clients[0]["userId"], "otpCode": OTP, "otpType": "ACTIVATION"}
    bank.http.post(f"{bank.url}/otp/send", json=body, headers={"X-Correlation-Id": "corr-42"}, timeout=5)
    alert = bank.alerts()[-1]
    assert (alert["correlationId"], alert["processId"], alert["otpSent"]) == ("corr-42", "p-9", True)
    assert OTP not in str(alert)


def test_resend_says_it_is_a_new_code(bank: BankClient, clients: Clients, gateway: SmsGatewayClient,
                                      gateway_admin: AdminClient) -> None:
    bank.send_otp(clients[0]["userId"], OTP, language="de", resend=True)
    assert _inbox(gateway, gateway_admin, clients[0]["phoneNumber"])[0]["body"].startswith("Neuer Code.")


def test_unknown_user_gets_no_sms(bank: BankClient, clients: Clients, gateway: SmsGatewayClient) -> None:
    assert bank.send_otp("user-000", OTP).json() == {"otpSent": False}
    assert gateway.list().json()["messages"] == []
    assert bank.alerts()[-1]["outcome"] == "UNKNOWN_USER"


def test_gateway_failure_is_retried_until_it_succeeds(bank: BankClient, clients: Clients,
                                                      gateway: SmsGatewayClient,
                                                      gateway_admin: AdminClient) -> None:
    gateway_admin.add_fault(route=MESSAGES, session=SESSION, times=1, error={"status": 503})
    gateway_admin.add_fault(route=MESSAGES, session=SESSION, times=1, reset=True)
    assert bank.send_otp(clients[0]["userId"], OTP).json() == {"otpSent": True}
    attempts = bank.alerts()[-1]["attempts"]
    assert [a.get("status") for a in attempts] == [503, None, 201]
    assert attempts[1]["error"] == "connection"
    assert len(_inbox(gateway, gateway_admin, clients[0]["phoneNumber"])) == 1


def test_gateway_down_gives_an_honest_otp_sent_false(bank: BankClient, clients: Clients,
                                                     gateway: SmsGatewayClient,
                                                     gateway_admin: AdminClient) -> None:
    gateway_admin.add_fault(route=MESSAGES, session=SESSION, error={"status": 500})
    assert bank.send_otp(clients[0]["userId"], OTP).json() == {"otpSent": False}
    alert = bank.alerts()[-1]
    assert alert["outcome"] == "GATEWAY_UNAVAILABLE"
    assert [a["status"] for a in alert["attempts"]] == [500, 500, 500]
    gateway_admin.remove_faults()
    assert _inbox(gateway, gateway_admin, clients[0]["phoneNumber"]) == []


def test_unreachable_gateway_gives_otp_sent_false(make_bank: Callable[..., RunningServer]) -> None:
    server = make_bank(sms_gateway_url="http://127.0.0.1:9", sms_max_attempts=2)
    with BankClient(server.url, session=SESSION) as bank:
        user_id = bank.generate_clients(1, 1)["clients"][0]["userId"]
        assert bank.send_otp(user_id, OTP).json() == {"otpSent": False}
        assert [a["error"] for a in bank.alerts()[-1]["attempts"]] == ["connection", "connection"]


def test_a_refusal_by_the_gateway_is_not_retried(make_bank: Callable[..., RunningServer],
                                                 gateway: SmsGatewayClient) -> None:
    server = make_bank(sms_auth_token="not-the-gateways-token")
    with BankClient(server.url, session=SESSION) as bank:
        user_id = bank.generate_clients(1, 1)["clients"][0]["userId"]
        assert bank.send_otp(user_id, OTP).json() == {"otpSent": False}
        alert = bank.alerts()[-1]
        assert alert["outcome"] == "GATEWAY_REJECTED"
        assert [a["status"] for a in alert["attempts"]] == [401]
        assert "20003" in alert["attempts"][0]["error"]


def test_delivery_reports_reach_the_banks_callback(bank: BankClient, clients: Clients,
                                                   gateway: SmsGatewayClient, gateway_admin: AdminClient,
                                                   bank_admin: AdminClient) -> None:
    bank.send_otp(clients[0]["userId"], OTP)
    _inbox(gateway, gateway_admin, clients[0]["phoneNumber"])  # the gateway reports as states advance
    alert = _latest_alert(bank, reports=2)
    assert alert["deliveryStatus"] == "delivered"
    assert [r["status"] for r in alert["deliveryReports"]] == ["sent", "delivered"]
    assert all(r["messageSid"] == alert["messageSid"] for r in alert["deliveryReports"])
    callbacks = bank_admin.journal(path="/alerts/sms-status")
    assert [c["status"] for c in callbacks] == [204, 204]


def test_undelivered_sms_is_reported_as_such(bank: BankClient, clients: Clients, gateway: SmsGatewayClient,
                                             gateway_admin: AdminClient) -> None:
    gateway.set_faults(undelivered=1.0)
    assert bank.send_otp(clients[0]["userId"], OTP).json() == {"otpSent": True}  # accepted by the gateway
    _inbox(gateway, gateway_admin, clients[0]["phoneNumber"])
    report = _latest_alert(bank, reports=2)["deliveryReports"][-1]
    assert report["status"] == "undelivered" and report["errorCode"] == "30003"


def test_forged_delivery_report_is_refused(bank_server: RunningServer, bank: BankClient,
                                           clients: Clients) -> None:
    bank.send_otp(clients[0]["userId"], OTP)
    alert = bank.alerts()[-1]
    form = {"MessageSid": alert["messageSid"], "MessageStatus": "delivered"}
    url = f"{bank_server.url}/alerts/sms-status?alert={alert['id']}"
    for signature in (None, "AAAA", "not base64!"):
        headers = {"X-Twilio-Signature": signature} if signature else {}
        response = bank.http.post(url, data=form, headers=headers)
        assert response.status_code == 401
        assert response.json()["errorCode"] == "ERROR_UNAUTHORIZED"
    assert bank.alert(alert["id"])["deliveryReports"] == []


def test_journals_show_the_chain_without_the_otp(bank: BankClient, clients: Clients,
                                                 gateway: SmsGatewayClient, gateway_admin: AdminClient,
                                                 bank_admin: AdminClient) -> None:
    bank.send_otp(clients[0]["userId"], OTP)
    _inbox(gateway, gateway_admin, clients[0]["phoneNumber"])
    (exchange,) = bank_admin.journal(path="/otp/send")
    assert exchange["requestBody"]["otpCode"] == "***"
    assert exchange["responseBody"] == {"otpSent": True}
    (call,) = exchange["outbound"]
    assert call["url"].endswith("/Messages.json") and call["status"] == 201
    assert call["requestBody"]["To"] == clients[0]["phoneNumber"]
    assert "***" in call["requestBody"]["Body"]
    assert bank_admin.journal(text=OTP) == []
    sends = gateway_admin.journal(path="/Messages.json", method="POST")
    assert len(sends) == 1 and sends[0]["status"] == 201
    assert sends[0]["session"] == SESSION  # the bank propagated the scenario's session
    assert sends[0]["responseBody"]["to"] == clients[0]["phoneNumber"]


def _attempt_pattern(bank: BankClient, user_id: str) -> list[list[int | None]]:
    for index in range(8):
        bank.send_otp(user_id, f"{index:08d}")
    return [[a.get("status") for a in alert["attempts"]] for alert in bank.alerts()]


def test_gateway_faults_are_reproducible_from_their_seed(bank: BankClient, clients: Clients,
                                                         bank_admin: AdminClient,
                                                         gateway_admin: AdminClient) -> None:
    rule = {"id": "flaky-sms", "route": MESSAGES, "session": SESSION, "probability": 0.5, "seed": 99,
            "error": {"status": 503}}
    gateway_admin.add_fault(**rule)
    first = _attempt_pattern(bank, clients[0]["userId"])
    gateway_admin.reset()
    bank_admin.reset()
    bank.generate_clients(21, 1)
    gateway_admin.add_fault(**rule)
    assert _attempt_pattern(bank, clients[0]["userId"]) == first
    assert any(len(p) > 1 for p in first) and any(p == [201] for p in first)  # the faults did bite


def test_alert_service_faults_refuse_and_drop(bank: BankClient, clients: Clients, gateway: SmsGatewayClient,
                                              gateway_admin: AdminClient) -> None:
    bank.set_alert_faults(refuse=1.0)
    assert bank.send_otp(clients[0]["userId"], OTP).json() == {"otpSent": False}
    bank.set_alert_faults(drop=1.0)
    assert bank.send_otp(clients[0]["userId"], OTP).json() == {"otpSent": True}  # the bank lies
    assert [a["outcome"] for a in bank.alerts()] == ["FAULT_REFUSED", "FAULT_DROPPED"]
    assert gateway.list().json()["messages"] == []  # neither reached the gateway
    bank.clear_alert_faults()
    assert bank.send_otp(clients[0]["userId"], OTP).json() == {"otpSent": True}
    assert len(_inbox(gateway, gateway_admin, clients[0]["phoneNumber"])) == 1


def _fault_outcomes(bank: BankClient, user_id: str) -> list[str]:
    bank.set_alert_faults(seed=5, refuse=0.3, drop=0.3)
    for index in range(12):
        bank.send_otp(user_id, f"{index:08d}")
    return [a["outcome"] for a in bank.alerts()]


def test_alert_service_faults_are_reproducible_from_their_seed(bank: BankClient, clients: Clients,
                                                               bank_admin: AdminClient) -> None:
    first = _fault_outcomes(bank, clients[0]["userId"])
    bank_admin.reset()
    bank.generate_clients(21, 1)
    assert _fault_outcomes(bank, clients[0]["userId"]) == first
    assert {"FAULT_REFUSED", "FAULT_DROPPED", "SENT"} <= set(first)


def test_bad_alert_faults_are_refused(bank: BankClient) -> None:
    response = bank.http.put(f"{bank.url}/_admin/alert-faults", json={"refuse": 2}, timeout=5)
    assert response.status_code == 400


def test_framework_faults_on_adapter_routes_use_the_banks_envelope(bank: BankClient, clients: Clients,
                                                                   bank_admin: AdminClient) -> None:
    bank_admin.add_fault(route="/user/lookup", session=SESSION, times=1, error={"status": 503})
    first = bank.lookup({"clientNumber": clients[0]["clientNumber"]})
    assert first.status_code == 503 and first.json()["errorCode"] == "ERROR_UNAVAILABLE"
    assert bank.lookup({"clientNumber": clients[0]["clientNumber"]}).json()["userId"] == clients[0]["userId"]


def test_reports_arriving_while_the_bank_is_still_sending_are_kept(bank: BankClient, clients: Clients,
                                                                   gateway: SmsGatewayClient) -> None:
    gateway.set_faults(sendSeconds=0, deliverSeconds=0)  # reports may come before the send's answer
    assert bank.send_otp(clients[0]["userId"], OTP).json() == {"otpSent": True}
    alert = _latest_alert(bank, reports=2)
    assert alert["outcome"] == "SENT" and alert["deliveryStatus"] == "delivered"
    assert [r["status"] for r in alert["deliveryReports"]] == ["sent", "delivered"]
    assert all(r["messageSid"] == alert["messageSid"] for r in alert["deliveryReports"])


def _latest_alert(bank: BankClient, *, reports: int, within: float = 10.0) -> dict[str, Any]:
    """The newest alert once ``reports`` delivery reports reached it (the gateway posts them in the
    background, as Twilio does), or as it stands after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        alert = bank.alerts()[-1]
        if len(alert["deliveryReports"]) >= reports or time.monotonic() > deadline:
            return dict(alert)
        time.sleep(0.01)


def _lookup_statuses(bank: BankClient, client_number: str) -> list[int]:
    return [bank.lookup({"clientNumber": client_number}).status_code for _ in range(10)]


def test_faults_on_the_banks_own_routes_are_reproducible_from_their_seed(bank: BankClient, clients: Clients,
                                                                         bank_admin: AdminClient) -> None:
    rule = {"id": "flaky-lookup", "route": "/user/lookup", "session": SESSION, "probability": 0.5, "seed": 3,
            "error": {"status": 502}}
    bank_admin.add_fault(**rule)
    first = _lookup_statuses(bank, clients[0]["clientNumber"])
    bank_admin.reset()
    bank_admin.add_fault(**rule)
    assert _lookup_statuses(bank, clients[0]["clientNumber"]) == first
    assert set(first) == {200, 502}


def test_a_slow_gateway_counts_as_down_after_the_timeout(make_bank: Callable[..., RunningServer],
                                                         gateway: SmsGatewayClient,
                                                         gateway_admin: AdminClient) -> None:
    server = make_bank(sms_timeout=0.2, sms_max_attempts=2)
    gateway_admin.add_fault(route=MESSAGES, session=SESSION, times=1, latency={"ms": 1000})
    with BankClient(server.url, session=SESSION) as bank:
        user_id = bank.generate_clients(1, 1)["clients"][0]["userId"]
        assert bank.send_otp(user_id, OTP).json() == {"otpSent": True}  # the second try is fast
        assert [a.get("error", a.get("status")) for a in bank.alerts()[-1]["attempts"]] == ["timeout", 201]
    # the timed-out try is still accepted once the gateway gets to it: two SMS, one OTP
    deadline = time.monotonic() + 5
    while len(gateway.list().json()["messages"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(gateway.list().json()["messages"]) == 2
