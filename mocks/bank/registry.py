"""The client registry: customers as records in the framework store, one registry per session.

Records (per isolation session):

* ``client:{userId}`` - the :class:`~.models.Customer` (camelCase JSON);
* ``ix:{field}:{value}`` - ``userId`` of the client holding that client number, phone number or
  document number, so lookup is one or two reads whatever the size of the registry.

A client is added with ``put_if_absent`` on its record and then on each index entry; if any index
entry is taken already, what was created is rolled back and the add fails with 409, so two clients can
never share a client number, phone number or document number (lookup must be unambiguous).

The adapter reads clients through :func:`adapter_client` / :func:`adapter_lookup`: the session's own
registry, then - when the ``shared_registry`` setting is on - the default session's, so a load test
can load one population once and let thousands of isolated sessions use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from mocks.framework import DEFAULT_SESSION, store
from mocks.framework.store import SessionStore
from simulator.identity.people import generate_person

from .exceptions import ClientConflictError, ClientNotFoundError
from .models import ClientStatus, Customer, normalise_phone
from .settings import bank_settings

__all__ = [
    "IDENTIFIERS",
    "adapter_client",
    "adapter_lookup",
    "add_client",
    "clear_clients",
    "delete_client",
    "find_by_identification",
    "generate_clients",
    "get_client",
    "list_clients",
    "set_status",
]

CLIENT = "client:"
INDEX = "ix:"

#: Identification keys that name one client on their own (the app's ``identification`` map),
#: mapped to the index they are looked up in.
PRIMARY_KEYS: dict[str, str] = {
    "clientNumber": "clientNumber",
    "phoneNumber": "phoneNumber",
    "phone": "phoneNumber",
    "documentNumber": "documentNumber",
    "idCardNumber": "documentNumber",
    "passportNumber": "documentNumber",
}
#: Keys that must also match when given (never enough on their own).
SECONDARY_KEYS: tuple[str, ...] = ("birthDate", "dateOfBirth", "givenNames", "familyName")
IDENTIFIERS = (*PRIMARY_KEYS, *SECONDARY_KEYS)


def _index_entries(customer: Customer) -> list[tuple[str, str]]:
    entries = [("clientNumber", customer.client_number), ("phoneNumber", customer.phone_number)]
    entries += [("documentNumber", number) for number in customer.document_numbers()]
    return [(f"{INDEX}{name}:{value}", f"{name} {value}") for name, value in entries]


def _store(s: SessionStore | None) -> SessionStore:
    return s if s is not None else store()


def add_client(customer: Customer, s: SessionStore | None = None) -> Customer:
    """Store a new client (409 when its userId or any identifier is taken already)."""
    s = _store(s)
    if not s.put_if_absent(f"{CLIENT}{customer.user_id}", customer.to_record()):
        raise ClientConflictError(f"a client with userId {customer.user_id!r} exists already")
    created: list[str] = []
    for key, what in _index_entries(customer):
        if s.put_if_absent(key, customer.user_id):
            created.append(key)
            continue
        if s.get(key) == customer.user_id:  # its own passport and ID card share a number
            continue
        for done in created:
            s.compare_and_set(done, customer.user_id, None)
        s.compare_and_set(f"{CLIENT}{customer.user_id}", customer.to_record(), None)
        raise ClientConflictError(f"another client already has {what}")
    return customer


def get_client(user_id: str, s: SessionStore | None = None) -> Customer | None:
    record = _store(s).get(f"{CLIENT}{user_id}")
    return None if record is None else Customer.from_record(record)


def require_client(user_id: str, s: SessionStore | None = None) -> Customer:
    customer = get_client(user_id, s)
    if customer is None:
        raise ClientNotFoundError(user_id)
    return customer


def list_clients(s: SessionStore | None = None, *, status: ClientStatus | None = None) -> list[Customer]:
    """Every client of the session, ordered by userId."""
    customers = [Customer.from_record(r) for r in _store(s).scan(CLIENT).values()]
    return [c for c in customers if status is None or c.status == status]


def delete_client(user_id: str, s: SessionStore | None = None) -> Customer:
    s = _store(s)
    record = s.pop(f"{CLIENT}{user_id}")
    if record is None:
        raise ClientNotFoundError(user_id)
    customer = Customer.from_record(record)
    for key, _ in _index_entries(customer):
        s.compare_and_set(key, customer.user_id, None)
    return customer


def clear_clients(s: SessionStore | None = None) -> int:
    """Delete every client of the session; returns how many there were."""
    s = _store(s)
    removed = 0
    for key in s.scan(CLIENT):
        try:
            delete_client(key.removeprefix(CLIENT), s)
            removed += 1
        except ClientNotFoundError:  # deleted concurrently
            continue
    return removed


def set_status(user_id: str, status: ClientStatus, s: SessionStore | None = None) -> Customer:
    def change(record: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if record is None else {**record, "status": status.value}

    updated = _store(s).update(f"{CLIENT}{user_id}", change)
    if updated is None:
        raise ClientNotFoundError(user_id)
    return Customer.from_record(updated)


def generate_clients(seed: int, count: int, *, start: int = 0, locale: str | None = None,
                     s: SessionStore | None = None) -> tuple[list[Customer], list[str]]:
    """Add persons ``start .. start+count-1`` of the synthetic population ``seed``.

    Returns the clients added and the userIds skipped because they (or one of their identifiers)
    were present already, so loading the same population twice is harmless.
    """
    s = _store(s)
    added: list[Customer] = []
    skipped: list[str] = []
    for index in range(start, start + count):
        customer = Customer.from_person(generate_person(seed, index, locale))
        try:
            added.append(add_client(customer, s))
        except ClientConflictError:
            skipped.append(customer.user_id)
    return added, skipped


# --------------------------------------------------------------------------- lookup


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _same_date(given: str, actual: date) -> bool:
    try:
        return date.fromisoformat(given) == actual
    except ValueError:
        return False


def _secondary_matches(customer: Customer, identification: dict[str, Any]) -> bool:
    for key in SECONDARY_KEYS:
        if key not in identification:
            continue
        given = _text(identification[key])
        if given is None:
            return False
        if key in ("birthDate", "dateOfBirth"):
            if not _same_date(given, customer.date_of_birth):
                return False
        elif given.casefold() != getattr(customer, "given_names" if key == "givenNames"
                                         else "family_name").casefold():
            return False
    return True


def _primary_matches(customer: Customer, key: str, given: str) -> bool:
    field = PRIMARY_KEYS[key]
    if field == "clientNumber":
        return customer.client_number == given
    if field == "phoneNumber":
        return customer.phone_number == given
    if key == "idCardNumber":
        return customer.id_card_number == given
    if key == "passportNumber":
        return customer.passport_number == given
    return given in customer.document_numbers()


def find_by_identification(identification: dict[str, Any], *, required: Iterable[str] = (),
                           s: SessionStore | None = None) -> Customer | None:
    """The client the app's free-form ``identification`` names, or ``None``.

    At least one primary key (client number, phone or document number) must be given; every
    recognised key that is given must match the same client; keys listed in ``required`` must be
    present.  Unrecognised keys are ignored.  A CLOSED client is never found.  Values of the wrong
    type simply do not match - lookup never fails on what the app typed.
    """
    if any(_text(identification.get(key)) is None for key in required):
        return None
    primaries = [(k, v) for k in PRIMARY_KEYS if k in identification and (v := _text(identification[k]))]
    if len(primaries) < sum(1 for k in PRIMARY_KEYS if k in identification):
        return None  # a primary key with an empty or non-text value matches nobody
    if not primaries:
        return None
    try:  # the app may send a phone number as the user typed it: "+420 601 234 567"
        primaries = [(k, normalise_phone(v) if PRIMARY_KEYS[k] == "phoneNumber" else v) for k, v in primaries]
    except ValueError:
        return None
    s = _store(s)
    key, value = primaries[0]
    user_id = s.get(f"{INDEX}{PRIMARY_KEYS[key]}:{value}")
    if not isinstance(user_id, str):
        return None
    customer = get_client(user_id, s)
    if customer is None or customer.status == ClientStatus.CLOSED:
        return None
    if not all(_primary_matches(customer, k, v) for k, v in primaries):
        return None
    return customer if _secondary_matches(customer, identification) else None


# --------------------------------------------------------------------------- as the adapter sees it


def _adapter_stores() -> list[SessionStore]:
    own = store()
    if bank_settings().shared_registry and own.session != DEFAULT_SESSION:
        return [own, own.store.bind(DEFAULT_SESSION)]
    return [own]


def adapter_client(user_id: str) -> Customer | None:
    """The client named by a ``userId`` Wultra sends (own session first, then the shared one)."""
    for s in _adapter_stores():
        customer = get_client(user_id, s)
        if customer is not None:
            return customer
    return None


def adapter_lookup(identification: dict[str, Any]) -> Customer | None:
    """``/user/lookup``'s answer: :func:`find_by_identification` with the configured required keys,
    own session first, then the shared one."""
    required = bank_settings().lookup_required_keys
    for s in _adapter_stores():
        customer = find_by_identification(identification, required=required, s=s)
        if customer is not None:
            return customer
    return None
