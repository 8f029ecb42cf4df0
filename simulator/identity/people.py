"""Synthetic bank clients: names, dates, phone numbers and document numbers, reproducible from a seed.

Every person is a pure function of ``(seed, index, locale, reference_date)``: a private
``random.Random`` and a re-seeded Faker instance are derived from a SHA-256 of those values, so the
person at index 7 is the same whether or not indexes 0–6 were generated first, in another process, or
in another order. Nothing here touches the global ``random`` state.

Phone numbers are mobile numbers valid for the locale's country (checked with ``phonenumbers``,
Google's numbering-plan data), because the SMS gateway mock and the bank's client registry both
reject numbers a real operator could not deliver to.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import Any

import phonenumbers
from faker import Faker

#: Locales a person can be drawn from, with the ISO 3166 alpha-2 region and alpha-3 nationality.
LOCALES: dict[str, tuple[str, str]] = {
    "cs_CZ": ("CZ", "CZE"),
    "sk_SK": ("SK", "SVK"),
    "de_DE": ("DE", "DEU"),
    "en_GB": ("GB", "GBR"),
}

#: Documents issued up to this date; the default keeps every generated person identical across days.
DEFAULT_REFERENCE_DATE = date(2026, 1, 1)

# Mobile national-number prefixes per region (ITU plans); the draw is then validated by phonenumbers.
_MOBILE_PLANS: dict[str, tuple[tuple[str, int], ...]] = {
    "CZ": (("60", 9), ("70", 9), ("72", 9), ("73", 9), ("77", 9), ("79", 9)),
    "SK": (("90", 9), ("91", 9), ("94", 9), ("95", 9)),
    "DE": (("151", 11), ("152", 11), ("160", 11), ("170", 11), ("171", 11), ("176", 11)),
    "GB": (("74", 10), ("75", 10), ("77", 10), ("78", 10), ("79", 10)),
}

_ID_ALNUM = "CFGHJKLMNPRTVWXYZ0123456789"  # the German ID alphabet: no vowels, no look-alikes


class PersonError(ValueError):
    """Raised for an unknown locale or a JSON document that is not a serialised :class:`Person`."""


@dataclass(frozen=True)
class Person:
    """A synthetic bank client and the two identity documents they hold."""

    seed: int
    index: int
    locale: str
    given_names: str
    family_name: str
    sex: str
    date_of_birth: date
    nationality: str
    phone_number: str
    client_number: str
    id_card_number: str
    id_card_issue_date: date
    id_card_expiry_date: date
    passport_number: str
    passport_issue_date: date
    passport_expiry_date: date

    def to_json(self) -> str:
        """Serialise with ISO-8601 dates; :meth:`from_json` is the exact inverse."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, date):
                data[key] = value.isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Person:
        try:
            data: dict[str, Any] = json.loads(text)
            kwargs: dict[str, Any] = {}
            for f in fields(cls):
                value = data[f.name]
                if f.type == "date":
                    value = date.fromisoformat(value)
                elif f.type == "int":
                    value = int(value)
                elif not isinstance(value, str):
                    raise TypeError(f"{f.name} must be a string")
                kwargs[f.name] = value
        except (ValueError, KeyError, TypeError) as exc:
            raise PersonError(f"not a serialised Person: {exc}") from exc
        return cls(**kwargs)


_FAKERS: dict[str, Faker] = {}
_FAKER_LOCK = threading.Lock()  # a shared Faker is re-seeded per person: one person at a time


def _faker(locale: str) -> Faker:
    """One Faker per locale (construction costs ~20 ms); re-seeded per person, so sharing is safe."""
    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


def _derive_seed(*parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def mobile_number(rng: random.Random, region: str) -> str:
    """A mobile number in E.164 that ``phonenumbers`` accepts as valid for ``region``."""
    plans = _MOBILE_PLANS.get(region)
    if plans is None:
        raise PersonError(f"no mobile numbering plan for region {region!r}")
    country_code = phonenumbers.country_code_for_region(region)
    for _ in range(200):
        prefix, length = rng.choice(plans)
        national = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
        number = phonenumbers.parse(f"+{country_code}{national}")
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise PersonError(f"could not draw a valid mobile number for {region}")  # pragma: no cover


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def _document_numbers(rng: random.Random, region: str) -> tuple[str, str]:
    """(ID card number, passport number) shaped like the region's real documents (9 chars at most)."""
    if region == "CZ":
        return _digits(rng, 9), _digits(rng, 8)
    if region == "SK":
        return _letters(rng, 2) + _digits(rng, 6), _letters(rng, 2) + _digits(rng, 7)
    if region == "DE":
        id_no = rng.choice("LMNPRTVWXY") + "".join(rng.choice(_ID_ALNUM) for _ in range(8))
        return id_no, "C" + "".join(rng.choice(_ID_ALNUM) for _ in range(8))
    return _letters(rng, 2) + _digits(rng, 7), _digits(rng, 9)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _issue_and_expiry(rng: random.Random, reference: date, validity_years: int) -> tuple[date, date]:
    issue = reference - timedelta(days=rng.randint(30, 365 * (validity_years - 1)))
    return issue, _add_years(issue, validity_years) - timedelta(days=1)


def generate_person(
    seed: int,
    index: int,
    locale: str | None = None,
    reference_date: date = DEFAULT_REFERENCE_DATE,
) -> Person:
    """The person number ``index`` of the population ``seed``; ``locale`` None draws one of :data:`LOCALES`.

    Documents are valid at ``reference_date`` (issued before it, expiring after it).
    """
    rng = random.Random(_derive_seed("person", seed, index, locale, reference_date.isoformat()))
    chosen = locale if locale is not None else rng.choice(sorted(LOCALES))
    if chosen not in LOCALES:
        raise PersonError(f"unsupported locale {chosen!r}; choose one of {sorted(LOCALES)}")
    region, nationality = LOCALES[chosen]
    with _FAKER_LOCK:
        fake = _faker(chosen)
        fake.seed_instance(rng.getrandbits(63))
        sex = rng.choice("MF")
        if sex == "M":
            given = [fake.first_name_male()]
            family = fake.last_name_male()
            second = fake.first_name_male
        else:
            given = [fake.first_name_female()]
            family = fake.last_name_female()
            second = fake.first_name_female
        if rng.random() < 0.2:
            extra = second()
            if extra not in given:
                given.append(extra)
    age_days = rng.randint(18 * 365 + 5, 85 * 365)
    dob = reference_date - timedelta(days=age_days)
    id_no, passport_no = _document_numbers(rng, region)
    id_issue, id_expiry = _issue_and_expiry(rng, reference_date, 10)
    pass_issue, pass_expiry = _issue_and_expiry(rng, reference_date, 10)
    client = _digits(rng, 9)
    return Person(
        seed=seed,
        index=index,
        locale=chosen,
        given_names=" ".join(given),
        family_name=family,
        sex=sex,
        date_of_birth=dob,
        nationality=nationality,
        phone_number=mobile_number(rng, region),
        client_number=client + _luhn_digit(client),
        id_card_number=id_no,
        id_card_issue_date=id_issue,
        id_card_expiry_date=id_expiry,
        passport_number=passport_no,
        passport_issue_date=pass_issue,
        passport_expiry_date=pass_expiry,
    )


def generate_people(
    seed: int, count: int, locale: str | None = None, reference_date: date = DEFAULT_REFERENCE_DATE
) -> list[Person]:
    """Persons ``0 .. count-1`` of population ``seed``."""
    return [generate_person(seed, i, locale, reference_date) for i in range(count)]
