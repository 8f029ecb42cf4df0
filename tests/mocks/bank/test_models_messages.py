"""In-process properties: customer records round-trip, every identifier finds its client, language
choice, and SMS texts that always carry the OTP."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.bank.app import create_app
from mocks.bank.messages import SUPPORTED_LANGUAGES, choose_language, otp_sms_text
from mocks.bank.models import Customer, OtpType
from simulator.identity.people import generate_person

_people = st.builds(generate_person, st.integers(0, 10**6), st.integers(0, 10**4))


@settings(max_examples=30, deadline=None)
@given(person=_people)
def test_customer_record_round_trips(person: object) -> None:
    customer = Customer.from_person(person)  # type: ignore[arg-type]
    assert Customer.from_record(customer.to_record()) == customer
    assert Customer.model_validate_json(customer.model_dump_json(by_alias=True)) == customer


_APP = create_app({"seed": 1})


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_every_identifier_finds_its_client(seed: int) -> None:
    client = _APP.test_client()
    session = {"X-Sim-Session": f"prop-{seed}"}
    client.post("/_admin/reset", json={"session": f"prop-{seed}"})
    loaded = client.post("/_admin/clients/generate", json={"seed": seed, "count": 3}, headers=session).json
    for record in loaded["clients"]:
        for key in ("clientNumber", "phoneNumber", "idCardNumber", "passportNumber"):
            identification = {key: record[key], "birthDate": record["dateOfBirth"]}
            answer = client.post("/user/lookup", json={"processId": "p", "identification": identification},
                                 headers=session).json
            assert answer["userId"] == record["userId"], key


@given(requested=st.one_of(st.none(), st.text(max_size=6)), locale=st.one_of(st.none(), st.text(max_size=6)))
def test_language_is_always_supported(requested: str | None, locale: str | None) -> None:
    assert choose_language(requested, locale) in SUPPORTED_LANGUAGES


def test_language_preference_order() -> None:
    assert choose_language("de-AT", "cs_CZ") == "de"
    assert choose_language("ja", "cs_CZ") == "cs"
    assert choose_language(None, "sk_SK") == "sk"
    assert choose_language("ja", "fr_FR") == "en"


@given(otp=st.from_regex(r"[0-9]{4,12}", fullmatch=True), otp_type=st.sampled_from(list(OtpType)),
       language=st.sampled_from(SUPPORTED_LANGUAGES), resend=st.booleans())
def test_sms_text_carries_the_otp_and_stays_short(otp: str, otp_type: OtpType, language: str,
                                                                   resend: bool) -> None:
    text = otp_sms_text(otp, otp_type, language, bank="RSIM Bank", resend=resend)
    assert text.count(otp) >= 1 and len(text) <= 320
    assert text.startswith(("New", "Nový", "Neuer")) == resend
