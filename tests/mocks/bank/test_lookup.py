"""``POST /user/lookup`` over HTTP: who is found, and that an unknown client looks the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from mocks.bank.client import BankClient
from mocks.framework import RunningServer

Clients = list[dict[str, Any]]


def _found(response: requests.Response) -> Any:
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"userId", "consent", "consentRequired"}
    return body["userId"]


def test_known_client_by_client_number_and_birth_date(bank: BankClient, clients: Clients) -> None:
    client = clients[0]
    response = bank.lookup({"clientNumber": client["clientNumber"], "birthDate": client["dateOfBirth"]})
    assert _found(response) == client["userId"]
    assert response.json()["consent"] == "REQUIRED"
    assert response.json()["consentRequired"] is True


def test_unknown_client_gets_the_same_shape_and_status(bank: BankClient,
                                                       clients: Clients) -> None:
    known = bank.lookup({"clientNumber": clients[0]["clientNumber"], "birthDate": clients[0]["dateOfBirth"]})
    unknown = bank.lookup({"clientNumber": "000000000", "birthDate": "1970-01-01"})
    assert unknown.status_code == known.status_code == 200
    assert unknown.headers["Content-Type"] == known.headers["Content-Type"]
    assert unknown.json() == {**known.json(), "userId": None}


@pytest.mark.parametrize("identification", [
    {"clientNumber": "{client[clientNumber]}", "birthDate": "1900-01-01"},     # wrong birth date
    {"clientNumber": "{client[clientNumber]}", "birthDate": "not a date"},
    {"clientNumber": "{client[clientNumber]}", "phoneNumber": "+420601000000"},  # another's phone
    {"birthDate": "{client[dateOfBirth]}"},                                      # no identifying key
    {"clientNumber": ""},
    {"clientNumber": 12345},
    {"clientNumber": ["{client[clientNumber]}"]},
    {"clientNumber": None},
    {},
])
def test_partial_or_wrong_identification_finds_nobody(bank: BankClient, clients: Clients,
                                                      identification: dict[str, Any]) -> None:
    filled = {k: v.format(client=clients[0]) if isinstance(v, str) else v for k, v in identification.items()}
    if isinstance(identification.get("clientNumber"), list):
        filled["clientNumber"] = [clients[0]["clientNumber"]]
    assert _found(bank.lookup(filled)) is None


@pytest.mark.parametrize("key,field", [
    ("phoneNumber", "phoneNumber"), ("documentNumber", "idCardNumber"), ("documentNumber", "passportNumber"),
    ("passportNumber", "passportNumber"), ("idCardNumber", "idCardNumber")])
def test_other_identifying_keys(bank: BankClient, clients: Clients, key: str, field: str) -> None:
    client = clients[1]
    assert _found(bank.lookup({key: client[field], "dateOfBirth": client["dateOfBirth"]})) == client["userId"]


def test_blocked_client_is_found_closed_client_is_not(bank: BankClient, clients: Clients) -> None:
    blocked, closed = clients[0], clients[1]
    bank.set_client_status(blocked["userId"], "BLOCKED")
    bank.set_client_status(closed["userId"], "CLOSED")
    assert _found(bank.lookup({"clientNumber": blocked["clientNumber"]})) == blocked["userId"]
    assert _found(bank.lookup({"clientNumber": closed["clientNumber"]})) is None


def test_unrecognised_keys_are_ignored(bank: BankClient, clients: Clients) -> None:
    identification = {"clientNumber": clients[2]["clientNumber"], "channel": "app", "shouldFail": False}
    assert _found(bank.lookup(identification)) == clients[2]["userId"]


def test_required_keys_are_enforced_when_configured(make_bank: Callable[..., RunningServer]) -> None:
    server = make_bank(lookup_required_keys=["clientNumber", "birthDate"], consent_required=False)
    with BankClient(server.url, session="strict") as bank:
        client = bank.generate_clients(3, 1)["clients"][0]
        assert _found(bank.lookup({"clientNumber": client["clientNumber"]})) is None
        found = bank.lookup({"clientNumber": client["clientNumber"], "birthDate": client["dateOfBirth"]})
        assert _found(found) == client["userId"]
        assert found.json()["consent"] == "NOT_REQUIRED"


def test_clients_of_another_session_are_not_found(bank_server: RunningServer,
                                                  clients: Clients) -> None:
    with BankClient(bank_server.url, session="elsewhere") as other:
        assert _found(other.lookup({"clientNumber": clients[0]["clientNumber"]})) is None


def test_phone_number_as_typed_is_normalised(bank: BankClient) -> None:
    bank.add_client({"userId": "eva", "clientNumber": "77", "givenNames": "Eva", "familyName": "Malá",
                     "dateOfBirth": "1985-05-05", "phoneNumber": "+420601234567"})
    assert _found(bank.lookup({"phone": "+420 601 234 567"})) == "eva"
    assert _found(bank.lookup({"phone": "601 234 567"})) is None  # no country: ambiguous


def test_shared_registry_lets_every_session_use_the_default_population(
        make_bank: Callable[..., RunningServer], gateway_server: RunningServer) -> None:
    server = make_bank(clients={"seed": 8, "count": 2}, shared_registry=True)
    with BankClient(server.url) as default, BankClient(server.url, session="load-user-17") as user:
        client = default.clients()[0]
        assert _found(user.lookup({"clientNumber": client["clientNumber"]})) == client["userId"]
        assert user.send_otp(client["userId"], "12345678").json() == {"otpSent": True}
        assert len(user.alerts()) == 1 and default.alerts() == []  # the job stays in the caller's world
        assert user.clients() == []  # the admin view is still per session


def test_without_shared_registry_other_sessions_see_nothing(make_bank: Callable[..., RunningServer]) -> None:
    server = make_bank(clients={"seed": 8, "count": 1})
    with BankClient(server.url) as default, BankClient(server.url, session="isolated") as user:
        client = default.clients()[0]
        assert _found(user.lookup({"clientNumber": client["clientNumber"]})) is None
        assert user.send_otp(client["userId"], "12345678").json() == {"otpSent": False}
