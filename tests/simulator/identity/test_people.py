"""Synthetic people: determinism, locales, valid phone numbers and document data."""

from __future__ import annotations

import json
import random
from datetime import date

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.identity.mrz import parse_mrz
from simulator.identity.people import (
    DEFAULT_REFERENCE_DATE,
    LOCALES,
    Person,
    PersonError,
    generate_people,
    generate_person,
    mobile_number,
)


def test_same_seed_and_index_give_the_same_person_whatever_came_before() -> None:
    alone = generate_person(42, 17)
    random.seed(1)  # the global random state must not matter
    batch = generate_people(42, 20)
    assert batch[17] == alone
    assert generate_person(42, 17) == alone


def test_different_index_or_seed_gives_a_different_person() -> None:
    people = generate_people(5, 40)
    assert len({(p.family_name, p.given_names, p.date_of_birth) for p in people}) == 40
    assert generate_person(6, 0) != generate_person(5, 0)


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_locale_shapes_the_person(locale: str) -> None:
    region, nationality = LOCALES[locale]
    for index in range(15):
        p = generate_person(3, index, locale)
        assert p.locale == locale
        assert p.nationality == nationality
        number = phonenumbers.parse(p.phone_number)
        assert p.phone_number.startswith("+")
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.region_code_for_number(number) == region
        assert p.sex in ("M", "F")
        assert 18 <= (DEFAULT_REFERENCE_DATE - p.date_of_birth).days / 365.25 <= 86
        for issue, expiry in (
            (p.id_card_issue_date, p.id_card_expiry_date),
            (p.passport_issue_date, p.passport_expiry_date),
        ):
            assert issue < DEFAULT_REFERENCE_DATE < expiry
        assert 1 <= len(p.id_card_number) <= 9 and p.id_card_number.isalnum()
        assert 1 <= len(p.passport_number) <= 9 and p.passport_number.isalnum()
        assert len(p.client_number) == 10 and p.client_number.isdigit()


def test_czech_women_get_feminine_surnames() -> None:
    women = [p for p in generate_people(9, 60, "cs_CZ") if p.sex == "F"]
    assert women
    assert sum(p.family_name.endswith(("á", "ová")) for p in women) >= 0.8 * len(women)


def test_random_locale_covers_all_locales() -> None:
    assert {p.locale for p in generate_people(11, 80)} == set(LOCALES)


def test_json_round_trip_uses_iso_dates() -> None:
    p = generate_person(1, 2, "cs_CZ")
    text = p.to_json()
    raw = json.loads(text)
    assert raw["date_of_birth"] == p.date_of_birth.isoformat()
    assert Person.from_json(text) == p


@pytest.mark.parametrize("text", ["", "{}", "[1]", '{"seed": 1}', "not json"])
def test_from_json_rejects_garbage(text: str) -> None:
    with pytest.raises(PersonError):
        Person.from_json(text)


def test_from_json_rejects_wrong_types() -> None:
    raw = json.loads(generate_person(1, 1).to_json())
    raw["date_of_birth"] = "yesterday"
    with pytest.raises(PersonError):
        Person.from_json(json.dumps(raw))
    raw = json.loads(generate_person(1, 1).to_json())
    raw["family_name"] = 7
    with pytest.raises(PersonError):
        Person.from_json(json.dumps(raw))


def test_unknown_locale_and_region_are_typed_errors() -> None:
    with pytest.raises(PersonError):
        generate_person(1, 1, "xx_XX")
    with pytest.raises(PersonError):
        mobile_number(random.Random(1), "FR")


def test_reference_date_moves_documents() -> None:
    later = date(2030, 6, 1)
    p = generate_person(2, 3, reference_date=later)
    assert p.id_card_issue_date < later < p.id_card_expiry_date


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=10_000))
def test_every_person_makes_valid_documents(seed: int, index: int) -> None:
    from simulator.identity.documents.render import id_card_data, passport_data
    from simulator.identity.mrz import td1_lines, td3_lines

    p = generate_person(seed, index)
    assert Person.from_json(p.to_json()) == p
    assert parse_mrz(td1_lines(id_card_data(p).mrz), DEFAULT_REFERENCE_DATE).valid
    assert parse_mrz(td3_lines(passport_data(p).mrz), DEFAULT_REFERENCE_DATE).valid


def test_generation_is_thread_safe() -> None:
    from concurrent.futures import ThreadPoolExecutor

    expected = [generate_person(13, i) for i in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda i: generate_person(13, i), range(40)))
    assert got == expected
