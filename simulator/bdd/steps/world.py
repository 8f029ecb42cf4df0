"""Given steps: who the client is, what they carry, which protocol their phone speaks."""

from __future__ import annotations

from dataclasses import replace

from pytest_bdd import given, parsers

from mocks.bank.models import Customer
from simulator.journey.personas import DocumentChoice, persona
from simulator.journey.world import person_for

from ..context import ScenarioContext

DOCUMENTS = {
    "an ID card": DocumentChoice.ID_CARD,
    "a passport": DocumentChoice.PASSPORT,
    "a passport chip": DocumentChoice.PASSPORT_CHIP,
}


@given(parsers.parse('the persona "{name}"'))
def given_persona(ctx: ScenarioContext, name: str) -> None:
    """Any persona of ``simulator/journey/personas.py`` (honest-id-card, impostor, otp-typo …)."""
    ctx.persona = persona(name)


@given("a bank client")
def given_client(ctx: ScenarioContext) -> None:
    ctx.persona = persona("honest-id-card")


@given(parsers.parse("a bank client with {document}"))
def given_client_with(ctx: ScenarioContext, document: str) -> None:
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}; say one of: {', '.join(DOCUMENTS)}")
    ctx.persona = replace(persona("honest-id-card"), name=f"client-with-{DOCUMENTS[document].value}",
                          document=DOCUMENTS[document])


@given(parsers.parse("a bank client whose old activation is {status}"))
def given_old_activation(ctx: ScenarioContext, status: str) -> None:
    """BLOCKED (the default world), ACTIVE, or REMOVED (removed by the back office)."""
    if status not in ("BLOCKED", "ACTIVE", "REMOVED"):
        raise ValueError(f"an old activation is BLOCKED, ACTIVE or REMOVED, not {status!r}")
    ctx.persona = persona("already-active" if status == "ACTIVE" else "honest-id-card")
    phone = ctx.phone()
    if status == "REMOVED":
        code, body = ctx.rest("/activation/remove", {"activationId": phone.world.old_activation_id})
        assert code == 200, f"the back office could not remove the old activation: {body}"


@given("a bank client whose phone has no activation")
def given_no_activation(ctx: ScenarioContext) -> None:
    ctx.persona = persona("honest-id-card")
    ctx.phone().forget_local_activation()


@given("someone the bank does not know")
def given_unknown(ctx: ScenarioContext) -> None:
    ctx.persona = persona("unknown-client")


@given(parsers.parse("the phone speaks PowerAuth protocol {version}"))
def given_version(ctx: ScenarioContext, version: str) -> None:
    if version not in ("3.1", "3.2", "3.3"):
        raise ValueError(f"the phone speaks 3.1, 3.2 or 3.3, not {version!r}")
    ctx.version = version


@given(parsers.parse("a bank client whose bank record has another {field}"))
def given_record_mismatch(ctx: ScenarioContext, field: str) -> None:
    """The bank holds the client with one datum different from their document (registered before the
    phone is set up, so the set-up finds the client already known)."""
    fields = {"family name": "familyName", "given name": "givenNames", "ID card number": "idCardNumber"}
    if field not in fields:
        raise ValueError(f"say one of: {', '.join(fields)}")
    ctx.persona = persona("honest-id-card")
    record = Customer.from_person(person_for(ctx.persona, ctx.seed)).to_record()
    key = fields[field]
    record[key] = "Novák" if key == "familyName" else "Jana" if key == "givenNames" else "123456789"
    ctx.admin("bank")
    response = ctx.http.post(ctx.urls["bank"] + "/_admin/clients", json=record, timeout=10)
    assert response.status_code == 201, f"the bank refused the record: {response.text[:200]}"
