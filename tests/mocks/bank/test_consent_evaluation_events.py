"""``/consent/text``, ``/consent/storage``, ``/client/evaluate``, ``/client/approval``,
``/process/event`` over HTTP: answers computed from the registry, state kept and inspectable."""

from __future__ import annotations

from typing import Any

import pytest

from mocks.bank.client import BankClient
from mocks.framework import AdminClient

Clients = list[dict[str, Any]]


@pytest.mark.parametrize("language,title", [("en", "Consent to the processing"), ("cs", "Souhlas se"),
                                            ("de", "Einwilligung in"), ("sk", "Súhlas so")])
def test_consent_text_is_localised_html(bank: BankClient, language: str, title: str) -> None:
    response = bank.consent_text("GDPR", language=language)
    assert response.status_code == 200
    text = response.json()["consentText"]
    assert text.startswith(f'<html lang="{language}">') and title in text and "GDPR" in text


def test_consent_text_falls_back_to_the_clients_language_and_escapes(bank: BankClient,
                                                                      clients: Clients) -> None:
    german = next((c for c in clients if c["locale"] == "de_DE"), None)
    user = german or bank.add_client({"userId": "max", "clientNumber": "1", "givenNames": "Max",
                                      "familyName": "Muster", "dateOfBirth": "1970-01-01",
                                      "phoneNumber": "+4915112345678", "locale": "de_DE"})
    text = bank.consent_text("<b>x</b>", user_id=user["userId"], language="ja").json()["consentText"]
    assert 'lang="de"' in text and "&lt;b&gt;x&lt;/b&gt;" in text and "<b>" not in text


def test_consents_are_stored_per_process_and_type(bank: BankClient, clients: Clients) -> None:
    user = clients[0]["userId"]
    assert bank.store_consent(user, True).status_code == 204
    assert bank.store_consent(user, False, consent_type="MARKETING").status_code == 204
    assert bank.store_consent(user, False).status_code == 204  # the later answer wins
    consents = {c["consentType"]: c["approved"] for c in bank.consents(user)}
    assert consents == {"GDPR": False, "MARKETING": False}
    assert bank.consents(clients[1]["userId"]) == []


def test_consent_of_an_unknown_user_is_refused(bank: BankClient, clients: Clients) -> None:
    response = bank.store_consent("user-nobody", True)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "ERROR_GENERIC"
    assert bank.consents() == []


def _matching(client: dict[str, Any]) -> dict[str, Any]:
    return {"givenNames": client["givenNames"].upper(), "familyName": client["familyName"].upper(),
            "dateOfBirth": client["dateOfBirth"], "documentNumber": client["idCardNumber"],
            "dateOfExpiry": client["idCardExpiryDate"]}


def test_evaluation_of_a_known_client_with_matching_documents_is_ok(bank: BankClient,
                                                                   clients: Clients) -> None:
    client = clients[0]
    response = bank.evaluate(client["userId"], extracted_data=[_matching(client)])
    assert response.status_code == 200
    flags = {"aggregationResult": True, "mdcCheck": True, "documentsAccepted": True}
    assert response.json() == {"result": "OK", "resultReason": None, "info": flags}
    assert bank.evaluate(client["userId"]).json()["result"] == "OK"  # nothing extracted: nothing disagrees


def test_evaluation_ignores_accents_and_icao_transliteration(bank: BankClient) -> None:
    bank.add_client({"userId": "jurgen", "clientNumber": "5", "givenNames": "Jürgen",
                     "familyName": "Groß-Müller", "dateOfBirth": "1961-07-08",
                     "phoneNumber": "+4915112345670", "locale": "de_DE"})
    for family in ("GROSS<MUELLER", "Gross-Muller", "groß müller"):
        extracted = {"givenNames": "JUERGEN", "familyName": family, "birthDate": "1961-07-08"}
        assert bank.evaluate("jurgen", extracted_data=extracted).json()["result"] == "OK", family


@pytest.mark.parametrize("change,reason", [
    ({"familyName": "SOMEONE ELSE"}, "dataMismatch:familyName"),
    ({"dateOfBirth": "1901-01-01"}, "dataMismatch:dateOfBirth"),
    ({"documentNumber": "X0000000"}, "dataMismatch:documentNumber"),
    ({"givenNames": 42}, "dataMismatch:givenNames"),
    ({"dateOfExpiry": "2020-01-01"}, "documentExpired"),
])
def test_evaluation_fails_when_documents_disagree(bank: BankClient, clients: Clients,
                                                  change: dict[str, Any], reason: str) -> None:
    extracted = {**_matching(clients[0]), **change}
    body = bank.evaluate(clients[0]["userId"], extracted_data=extracted).json()
    assert (body["result"], body["resultReason"]) == ("NOK", reason)
    assert body["info"]["aggregationResult"] is False


@pytest.mark.parametrize("status,reason", [("BLOCKED", "clientBlocked"), ("CLOSED", "unknownUser")])
def test_blocked_or_closed_clients_fail_evaluation(bank: BankClient, clients: Clients, status: str,
                                                   reason: str) -> None:
    bank.set_client_status(clients[0]["userId"], status)
    body = bank.evaluate(clients[0]["userId"], extracted_data=_matching(clients[0])).json()
    assert (body["result"], body["resultReason"]) == ("NOK", reason)


def test_unknown_user_fails_evaluation_and_results_are_recorded(bank: BankClient, clients: Clients) -> None:
    assert bank.evaluate("user-nobody").json()["resultReason"] == "unknownUser"
    bank.evaluate(clients[0]["userId"])
    assert [(e["userId"], e["result"]) for e in bank.evaluations()] == [("user-nobody", "NOK"),
                                                                       (clients[0]["userId"], "OK")]


def test_a_queued_verdict_forces_the_evaluation(bank: BankClient, bank_admin: AdminClient,
                                                clients: Clients) -> None:
    bank_admin.push_verdict("client-evaluation", {"result": "WAIT", "resultReason": "manualReview"})
    bank_admin.push_verdict("client-evaluation", "NOK")
    assert bank.evaluate(clients[0]["userId"]).json()["result"] == "WAIT"
    assert bank.evaluate(clients[0]["userId"]).json()["result"] == "NOK"
    assert bank.evaluate(clients[0]["userId"]).json()["result"] == "OK"  # queue drained: computed again
    assert [e["forced"] for e in bank.evaluations()] == [True, True, False]


def test_evaluation_alias_of_the_2x_documentation(bank: BankClient, clients: Clients) -> None:
    response = bank.post("/client/evaluation", {"processId": "p", "userId": clients[0]["userId"]})
    assert response.json()["result"] == "OK"


def test_approval_needs_a_good_score_and_a_good_client(bank: BankClient, clients: Clients) -> None:
    user = clients[0]["userId"]
    assert bank.approve(user, result=9).json() == {"result": "OK", "resultReason": None}
    assert bank.approve(user, result=2).json() == {"result": "NOK", "resultReason": "verificationScoreTooLow"}
    assert bank.approve("user-nobody").json()["resultReason"] == "unknownUser"
    assert bank.approve(user, result=11).status_code == 400
    assert [a["result"] for a in bank.approvals()] == ["OK", "NOK", "NOK"]


def test_process_events_of_both_generations_are_recorded(bank: BankClient, clients: Clients) -> None:
    user = clients[0]["userId"]
    assert bank.process_event("FINISHED", user_id=user, data={"language": "cs"}).json() == {}
    second = {"id": "e-2", "timestamp": "2026-01-01T10:00:00Z", "type": "PRESENCE_CHECK_FINISHED",
              "userId": user, "processId": "process-2", "processType": "reactivation",
              "eventData": {"result": "ACCEPTED"}}
    assert bank.post("/process/event", second).status_code == 200
    events = bank.events()
    assert [(e["seq"], e["type"], e["processId"]) for e in events] == [
        (1, "FINISHED", "process-1"), (2, "PRESENCE_CHECK_FINISHED", "process-2")]
    assert events[0]["data"] == {"language": "cs"} and events[1]["eventData"] == {"result": "ACCEPTED"}
    assert [e["type"] for e in bank.events(processId="process-2")] == ["PRESENCE_CHECK_FINISHED"]
