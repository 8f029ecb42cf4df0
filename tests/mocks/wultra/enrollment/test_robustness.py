"""No input makes the Wultra mock answer 5xx; the token helper guards endpoints that use it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import jsonify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks.framework import RunningServer, serve_in_thread
from mocks.wultra.app import create_app
from mocks.wultra.enrollment.auth import require_token
from mocks.wultra.enrollment.urls import CONTEXT_PATH
from mocks.wultra.enrollment.urls import ROUTES as ENROLLMENT_ROUTES
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from mocks.wultra.powerauth_server.urls import ROUTES as REST_ROUTES
from mocks.wultra.powerauth_server.urls import URL_PREFIX
from simulator.powerauth.codec import b64decode

PATHS = sorted([URL_PREFIX + p for p in REST_ROUTES] + [CONTEXT_PATH + p for p in ENROLLMENT_ROUTES])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "requestObject",
        "activationId",
        "applicationKey",
        "ephemeralPublicKey",
        "encryptedData",
        "mac",
        "nonce",
        "timestamp",
        "temporaryKeyId",
        "jwt",
        "challenge",
        "signature",
    ]
)
BODIES = (
    JSON
    | st.dictionaries(FIELDS, JSON, max_size=5)
    | st.builds(lambda d: {"requestObject": d}, st.dictionaries(FIELDS, JSON, max_size=5))
)
HEADERS = st.sampled_from(
    [
        {},
        {"X-PowerAuth-Encryption": 'PowerAuth version="3.3", application_key="AAAAAAAAAAAAAAAAAAAAAA=="'},
        {"X-PowerAuth-Authorization": "PowerAuth pa_version=3.1 pa_signature=x"},
        {"X-PowerAuth-Token": 'PowerAuth version="3.2", token_id="x"'},
    ]
)


@pytest.fixture(scope="module")
def guarded() -> Iterator[RunningServer]:
    app = create_app({"seed": 21})

    def protected() -> Any:
        who = require_token()
        return jsonify({"status": "OK", "responseObject": {"userId": who.user_id}})

    app.add_url_rule(CONTEXT_PATH + "/pa/v3/test/protected", view_func=protected, methods=["POST"])
    with serve_in_thread(app) as running:
        yield running


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), body=BODIES, headers=HEADERS)
def test_arbitrary_bodies_never_get_a_5xx(
    server: RunningServer, path: str, body: Any, headers: dict[str, str]
) -> None:
    response = requests.post(
        server.url + path, json=body, headers={"X-Sim-Session": "fuzz", **headers}, timeout=10
    )
    assert response.status_code < 500, (path, body, response.text)
    assert response.json()["status"] in ("OK", "ERROR")


#: Methods without input read no body, so they answer whatever is sent.
NO_INPUT = {URL_PREFIX + "/status", URL_PREFIX + "/application/list", CONTEXT_PATH + "/pa/v3/status"}

#: Signed endpoints check the signature header before they read the body.
SIGNED = {
    CONTEXT_PATH + p
    for p in (
        "/pa/v3/activation/remove",
        "/pa/v3/signature/validate",
        "/pa/v3/token/create",
        "/pa/v3/token/remove",
        "/pa/v3/vault/unlock",
    )
}


@pytest.mark.parametrize("path", PATHS)
def test_non_json_is_a_4xx(server: RunningServer, path: str) -> None:
    response = requests.post(
        server.url + path, data=b"\xff{", headers={"Content-Type": "application/json"}, timeout=10
    )
    expected = 200 if path in NO_INPUT else 401 if path in SIGNED else 400
    assert response.status_code == expected, response.text
    assert response.json()["status"] == ("OK" if path in NO_INPUT else "ERROR")


def test_token_guarded_endpoint(guarded: RunningServer, phone_module: Any) -> None:
    session = "token-guard"
    pas = PasClient(guarded.url, session=session)
    pas.ok("/application/create", {"applicationId": "app"})
    detail = pas.ok("/application/detail", {"applicationId": "app"})
    version = detail["versions"][0]
    phone = phone_module.Phone(
        guarded.url,
        session,
        version["applicationKey"],
        version["applicationSecret"],
        b64decode(detail["masterPublicKey"]),
        version="3.3",
    )
    init = pas.ok("/activation/init", {"userId": "frank", "applicationId": "app"})
    phone.activate(init["activationCode"])
    pas.ok("/activation/commit", {"activationId": init["activationId"]})
    token_id, secret = phone.create_token()
    now = int(time.time() * 1000)
    good = phone.post(
        "/pa/v3/test/protected", json_body={}, headers=phone.token_headers(token_id, secret, now)
    )
    assert good.status_code == 200 and good.json()["responseObject"]["userId"] == "frank"
    replay = phone.post(
        "/pa/v3/test/protected",
        json_body={},
        headers={"X-PowerAuth-Token": good.request.headers["X-PowerAuth-Token"]},
    )
    assert replay.status_code == 401 and replay.json()["responseObject"]["code"] == "ERR_AUTHENTICATION"
    wrong = phone.post(
        "/pa/v3/test/protected", json_body={}, headers=phone.token_headers(token_id, bytes(16), now)
    )
    assert wrong.status_code == 401
    stale = phone.post(
        "/pa/v3/test/protected", json_body={}, headers=phone.token_headers(token_id, secret, now - 8_000_000)
    )
    assert stale.status_code == 401
    assert phone.post("/pa/v3/test/protected", json_body={}).status_code == 401
