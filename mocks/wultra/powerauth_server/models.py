"""PowerAuth Server state: applications (master key pair, versions with app key/secret).

Records are JSON-able dicts in the framework's store so a shared backend can replace memory:

* ``app:<applicationId>`` - the application with its master key pair and ``versions`` list;
* ``appkey:<applicationKey>`` - index from an application key to its application and version.

Private keys are kept as Base64 of the raw scalar; only this module turns them back into keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mocks.framework import now, rng, store
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.keys import (
    private_key_from_bytes,
    private_key_to_bytes,
    public_key_to_bytes,
)
from simulator.powerauth.sdk_config import SdkConfig

from .exceptions import InvalidApplicationError
from .keygen import seeded_private_key

Record = dict[str, Any]

DEFAULT_VERSION = "default"


def _app_key(application_id: str) -> str:
    return f"app:{application_id}"


def _new_version(name: str) -> Record:
    """A version with fresh 16-byte application key and secret, kept as Base64 text.

    Drawn from the session's seeded stream so a seeded run hands out the same keys every time.
    """
    return {
        "applicationVersionId": name,
        "applicationKey": b64encode(rng("app-keys").randbytes(16)),
        "applicationSecret": b64encode(rng("app-keys").randbytes(16)),
        "supported": True,
    }


def create_application(application_id: str) -> Record:
    """Create an application with its master key pair and the ``default`` version."""
    master = seeded_private_key("master-keys")
    version = _new_version(DEFAULT_VERSION)
    record: Record = {
        "applicationId": application_id,
        "applicationRoles": [],
        "masterPrivateKey": b64encode(private_key_to_bytes(master)),
        "masterPublicKey": b64encode(public_key_to_bytes(master.public_key())),
        "versions": [version],
        "timestampCreated": now().isoformat(),
    }
    if not store().put_if_absent(_app_key(application_id), record):
        raise InvalidApplicationError(f"application {application_id!r} already exists")
    _index_version(application_id, version)
    return record


def _index_version(application_id: str, version: Record) -> None:
    store().put(
        f"appkey:{version['applicationKey']}",
        {"applicationId": application_id, "applicationVersionId": version["applicationVersionId"]},
    )


def get_application(application_id: str) -> Record:
    """The application record, or ERR0015 when there is none."""
    record = store().get(_app_key(application_id))
    if not isinstance(record, dict):
        raise InvalidApplicationError(f"application {application_id!r} does not exist")
    return record


def list_applications() -> list[Record]:
    """Every application of the session, ordered by ID."""
    records = store().scan("app:")
    return [records[key] for key in sorted(records)]


def mobile_sdk_config(application: Mapping[str, Any], version: Mapping[str, Any]) -> str:
    """The single Base64 configuration string a mobile app is set up with."""
    return SdkConfig(
        version["applicationKey"], version["applicationSecret"], b64decode(application["masterPublicKey"])
    ).encode()


def master_private_key(application: Record) -> Any:
    """The application's master private key (for activation signatures and ECIES decryption)."""
    return private_key_from_bytes(b64decode(application["masterPrivateKey"]))


def create_version(application_id: str, version_id: str) -> Record:
    """Add a version with fresh key and secret; a duplicate name is ERR0015."""
    version = _new_version(version_id)

    def add(record: Any) -> Any:
        if record is None:
            raise InvalidApplicationError(f"application {application_id!r} does not exist")
        if any(v["applicationVersionId"] == version_id for v in record["versions"]):
            raise InvalidApplicationError(
                f"version {version_id!r} already exists in application {application_id!r}"
            )
        record["versions"].append(version)
        return record

    store().update(_app_key(application_id), add)
    _index_version(application_id, version)
    return version


def set_version_supported(application_id: str, version_id: str, supported: bool) -> Record:
    """Mark a version (un)supported; an unsupported version's key is refused by the activation flow."""
    result: Record = {}

    def flip(record: Any) -> Any:
        if record is None:
            raise InvalidApplicationError(f"application {application_id!r} does not exist")
        for version in record["versions"]:
            if version["applicationVersionId"] == version_id:
                version["supported"] = supported
                result.update(version)
                return record
        raise InvalidApplicationError(
            f"version {version_id!r} does not exist in application {application_id!r}"
        )

    store().update(_app_key(application_id), flip)
    return result


def find_version_by_key(application_key: str) -> tuple[Record, Record]:
    """(application, version) owning an application key; unknown key is ERR0015."""
    entry = store().get(f"appkey:{application_key}")
    if not isinstance(entry, dict):
        raise InvalidApplicationError("application key is not known")
    application = get_application(entry["applicationId"])
    for version in application["versions"]:
        if version["applicationVersionId"] == entry["applicationVersionId"]:
            return application, version
    raise InvalidApplicationError("application key is not known")


def change_roles(application_id: str, roles: list[str], mode: str) -> list[str]:
    """Add (``create``), replace (``update``) or drop (``remove``) application roles; returns them."""
    def apply(record: Any) -> Any:
        if record is None:
            raise InvalidApplicationError(f"application {application_id!r} does not exist")
        existing: list[str] = record["applicationRoles"]
        wanted = list(dict.fromkeys(roles))
        if mode == "create":
            record["applicationRoles"] = existing + [r for r in wanted if r not in existing]
        elif mode == "update":
            record["applicationRoles"] = wanted
        else:
            record["applicationRoles"] = [r for r in existing if r not in wanted]
        return record

    return list(store().update(_app_key(application_id), apply)["applicationRoles"])


def set_config(application_id: str, key: str, values: list[Any] | None) -> dict[str, list[Any]]:
    """Create/replace (``values``) or remove (``None``) one configuration entry; returns all entries."""
    def apply(record: Any) -> Any:
        if record is None:
            raise InvalidApplicationError(f"application {application_id!r} does not exist")
        configs = record.setdefault("configs", {})
        if values is None:
            configs.pop(key, None)
        else:
            configs[key] = values
        return record

    return dict(store().update(_app_key(application_id), apply)["configs"])
