"""The client registry through the bank's admin API: load, add, list, get, change, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mocks.bank.client import BankClient, BankClientError
from mocks.bank.models import user_id_for
from mocks.framework import AdminClient, RunningServer
from simulator.identity.people import generate_person

from .conftest import POPULATION_SEED


def test_generated_clients_are_the_identity_worlds_people(bank: BankClient,
                                                          clients: list[dict[str, Any]]) -> None:
    for index, client in enumerate(clients):
        person = generate_person(POPULATION_SEED, index)
        assert client["userId"] == user_id_for(person.client_number)
        assert client["clientNumber"] == person.client_number
        assert client["familyName"] == person.family_name
        assert client["dateOfBirth"] == person.date_of_birth.isoformat()
        assert client["phoneNumber"] == person.phone_number
        assert client["idCardNumber"] == person.id_card_number
        assert client["passportNumber"] == person.passport_number
        assert client["status"] == "ACTIVE"
    assert [c["userId"] for c in bank.clients()] == sorted(c["userId"] for c in clients)
    assert bank.client(clients[1]["userId"]) == clients[1]


def test_loading_the_same_population_twice_skips_the_known_clients(bank: BankClient,
                                                                   clients: list[dict[str, Any]]) -> None:
    again = bank.generate_clients(POPULATION_SEED, 4)
    assert again["added"] == 1
    assert again["skipped"] == [c["userId"] for c in clients]
    assert len(bank.clients()) == 4


def _explicit(**overrides: Any) -> dict[str, Any]:
    client = {"userId": "anna-1", "clientNumber": "555000111", "givenNames": "Anna",
              "familyName": "Nováková", "dateOfBirth": "1990-02-03", "phoneNumber": "+420 601 234 567",
              "locale": "cs_CZ", "idCardNumber": "123456789"}
    return {**client, **overrides}


def test_an_explicit_client_is_added_with_its_phone_normalised(bank: BankClient) -> None:
    added = bank.add_client(_explicit())
    assert added["phoneNumber"] == "+420601234567"
    assert added["status"] == "ACTIVE"
    assert bank.client("anna-1") == added


@pytest.mark.parametrize("field", ["userId", "clientNumber", "phoneNumber", "idCardNumber"])
def test_identifiers_are_unique(bank: BankClient, field: str) -> None:
    bank.add_client(_explicit())
    fresh = {"userId": "other-2", "clientNumber": "999", "phoneNumber": "+420777123456",
             "idCardNumber": "987654321"}
    fresh[field] = _explicit()[field]
    with pytest.raises(BankClientError) as err:
        bank.add_client(_explicit(**fresh))
    assert err.value.status == 409
    assert [c["userId"] for c in bank.clients()] == ["anna-1"]
    # the refused add left no index behind: the other identifiers are still free
    other = {"userId": "other-3", "clientNumber": "999", "phoneNumber": "+420777123456",
             "idCardNumber": "987654321"}
    assert bank.add_client(_explicit(**other))["userId"] == "other-3"


@pytest.mark.parametrize("bad", [{"phoneNumber": "+42060"}, {"phoneNumber": "601234567"},
                                 {"dateOfBirth": "1990-13-01"}, {"status": "SLEEPING"},
                                 {"userId": ""}, {"unknownField": 1}])
def test_invalid_clients_are_refused(bank: BankClient, bad: dict[str, Any]) -> None:
    with pytest.raises(BankClientError) as err:
        bank.add_client(_explicit(**bad))
    assert err.value.status == 400
    assert bank.clients() == []


def test_status_change_filter_and_delete(bank: BankClient, clients: list[dict[str, Any]]) -> None:
    blocked = bank.set_client_status(clients[0]["userId"], "BLOCKED")
    assert blocked["status"] == "BLOCKED"
    assert [c["userId"] for c in bank.clients(status="BLOCKED")] == [clients[0]["userId"]]
    bank.delete_client(clients[0]["userId"])
    with pytest.raises(BankClientError) as err:
        bank.client(clients[0]["userId"])
    assert err.value.status == 404
    # its identifiers are free again
    assert bank.generate_clients(POPULATION_SEED, 1)["added"] == 1
    assert bank.clear_clients() == 3
    assert bank.clients() == []


def test_registries_are_isolated_per_session(bank_server: RunningServer, bank: BankClient,
                                             clients: list[dict[str, Any]]) -> None:
    with BankClient(bank_server.url, session="someone-else") as other:
        assert other.clients() == []
        other.generate_clients(POPULATION_SEED, 1)
        assert len(other.clients()) == 1
    assert len(bank.clients()) == 3


def test_reset_of_a_session_forgets_its_clients(bank: BankClient, bank_admin: AdminClient,
                                                clients: list[dict[str, Any]]) -> None:
    bank_admin.reset()
    assert bank.clients() == []


def test_configured_population_is_loaded_into_the_default_session(
        make_bank: Callable[..., RunningServer]) -> None:
    server = make_bank(clients={"seed": 4, "count": 2})
    with BankClient(server.url) as default, AdminClient(server.url) as admin:
        numbers = {c["clientNumber"] for c in default.clients()}
        assert numbers == {generate_person(4, i).client_number for i in range(2)}
        default.clear_clients()
        admin.reset(everything=True)
        assert {c["clientNumber"] for c in default.clients()} == numbers


def test_admin_routes_need_the_admin_token_when_one_is_set(
        make_bank: Callable[..., RunningServer]) -> None:
    server = make_bank({"admin_token": "s3cret-admin-token"})
    with BankClient(server.url) as anonymous, pytest.raises(BankClientError) as err:
        anonymous.clients()
    assert err.value.status == 401
    with BankClient(server.url, admin_token="s3cret-admin-token") as admin:
        assert admin.generate_clients(1, 1)["added"] == 1
