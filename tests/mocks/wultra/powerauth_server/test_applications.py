"""Applications and versions over real HTTP: create, list, detail, versions, lookup by key."""

from __future__ import annotations

from mocks.framework import RunningServer
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.codec import b64decode
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.sdk_config import SdkConfig


def test_system_status(pas: PasClient) -> None:
    body = pas.ok("/status")
    assert body["status"] == "OK"
    assert body["applicationName"] and body["version"] and body["timestamp"]


def test_create_application_makes_master_key_and_default_version(pas: PasClient) -> None:
    assert pas.ok("/application/create", {"applicationId": "bank-app"}) == {
        "applicationId": "bank-app", "applicationRoles": []}
    detail = pas.ok("/application/detail", {"applicationId": "bank-app"})
    master = b64decode(detail["masterPublicKey"])
    assert len(master) == 65 and master[0] == 4
    public_key_from_bytes(master)
    [version] = detail["versions"]
    assert version["applicationVersionId"] == "default" and version["supported"] is True
    assert len(b64decode(version["applicationKey"])) == 16
    assert len(b64decode(version["applicationSecret"])) == 16
    config = SdkConfig.decode(version["mobileSdkConfig"])
    assert config.application_key == version["applicationKey"]
    assert config.application_secret == version["applicationSecret"]
    assert config.master_public_key == master


def test_list_contains_created_applications(pas: PasClient) -> None:
    for name in ("b-app", "a-app"):
        pas.ok("/application/create", {"applicationId": name})
    listed = pas.ok("/application/list")["applications"]
    assert [a["applicationId"] for a in listed] == ["a-app", "b-app"]


def test_duplicate_application_is_err0015_and_keeps_keys(pas: PasClient) -> None:
    pas.ok("/application/create", {"applicationId": "dup"})
    before = pas.ok("/application/detail", {"applicationId": "dup"})
    assert pas.error("/application/create", {"applicationId": "dup"}) == "ERR0015"
    assert pas.ok("/application/detail", {"applicationId": "dup"}) == before


def test_unknown_application_is_err0015(pas: PasClient) -> None:
    assert pas.error("/application/detail", {"applicationId": "nope"}) == "ERR0015"
    assert pas.error("/application/version/create",
                     {"applicationId": "nope", "applicationVersionId": "v2"}) == "ERR0015"


def test_version_create_support_unsupport_and_lookup(pas: PasClient) -> None:
    pas.ok("/application/create", {"applicationId": "app"})
    v2 = pas.ok("/application/version/create", {"applicationId": "app", "applicationVersionId": "v2"})
    assert v2["applicationVersionId"] == "v2" and v2["supported"] is True
    default = pas.ok("/application/detail", {"applicationId": "app"})["versions"][0]
    assert v2["applicationKey"] != default["applicationKey"]
    assert pas.error("/application/version/create",
                     {"applicationId": "app", "applicationVersionId": "v2"}) == "ERR0015"

    ids = {"applicationId": "app", "applicationVersionId": "v2"}
    assert pas.ok("/application/version/unsupport", ids) == {"applicationVersionId": "v2", "supported": False}
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    versions = {v["applicationVersionId"]: v for v in detail["versions"]}
    assert versions["v2"]["supported"] is False and versions["default"]["supported"] is True
    assert pas.ok("/application/version/support", {"applicationId": "app", "applicationVersionId": "v2"})[
        "supported"] is True
    assert pas.error("/application/version/support",
                     {"applicationId": "app", "applicationVersionId": "v9"}) == "ERR0015"

    for key in (v2["applicationKey"], default["applicationKey"]):
        assert pas.ok("/application/detail/version", {"applicationKey": key}) == {"applicationId": "app"}
    unknown = {"applicationKey": "AAAAAAAAAAAAAAAAAAAAAA=="}
    assert pas.error("/application/detail/version", unknown) == "ERR0015"


def test_sessions_do_not_see_each_other(pas: PasClient, server: RunningServer) -> None:
    pas.ok("/application/create", {"applicationId": "mine"})
    other = PasClient(server.url, session="someone-else")
    assert other.ok("/application/list")["applications"] == []


def test_malformed_bodies_are_err0024(pas: PasClient) -> None:
    bad_json = pas.raw("/application/create", data=b"{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["responseObject"]["code"] == "ERR0024"
    assert pas.error("/application/create", {}) == "ERR0024"
    assert pas.error("/application/create", {"applicationId": 7}) == "ERR0024"
    no_wrapper = pas.raw("/application/create", json={"applicationId": "x"})
    assert no_wrapper.status_code == 400 and no_wrapper.json()["responseObject"]["code"] == "ERR0024"
    assert pas.ok("/application/list")["applications"] == []


def test_get_is_not_allowed(pas: PasClient) -> None:
    response = pas.http.get(pas.base + "/status", timeout=10)
    assert response.status_code == 405
    assert response.json()["status"] == "ERROR"


def test_roles_and_config(pas: PasClient) -> None:
    pas.ok("/application/create", {"applicationId": "r-app"})

    def roles(action: str, names: list[str]) -> list[str]:
        answer = pas.ok(f"/application/roles/{action}", {"applicationId": "r-app", "applicationRoles": names})
        return list(answer["applicationRoles"])

    assert roles("create", ["A", "B", "A"]) == ["A", "B"]
    assert roles("remove", ["A"]) == ["B"]
    assert roles("update", ["C"]) == ["C"]
    assert roles("list", []) == ["C"]
    assert pas.ok("/application/detail", {"applicationId": "r-app"})["applicationRoles"] == ["C"]
    entry = {"applicationId": "r-app", "key": "fido2_aaguids_allowed"}
    pas.ok("/application/config/create", {**entry, "values": ["x"]})
    detail = pas.ok("/application/config/detail", {"applicationId": "r-app"})
    assert detail["applicationConfigs"] == [{"key": "fido2_aaguids_allowed", "values": ["x"]}]
    pas.ok("/application/config/remove", entry)
    assert pas.ok("/application/config/detail", {"applicationId": "r-app"})["applicationConfigs"] == []
    unknown = {"applicationId": "none", "applicationRoles": ["A"]}
    assert pas.error("/application/roles/create", unknown) == "ERR0015"
    assert pas.error("/application/config/detail", {"applicationId": "none"}) == "ERR0015"
