"""Well-shaped but wrong ECIES fields (any Base64, any size, any timestamp) never cause a 5xx."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks.framework import RunningServer
from mocks.wultra.powerauth_server.client import PowerAuthServerClient as PasClient
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import ENVELOPE_KEY_LENGTH
from simulator.powerauth.keys import generate_private_key, public_key_from_bytes, public_key_to_bytes

SIZES = st.sampled_from([0, 1, 15, 16, 17, 32, 33, 48, 65])
B64 = SIZES.flatmap(lambda n: st.binary(min_size=n, max_size=n)).map(b64encode)
REAL_POINT = b64encode(public_key_to_bytes(generate_private_key().public_key(), compressed=True))
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "ephemeralPublicKey": B64 | st.sampled_from([REAL_POINT, b64encode(b"\x02" + bytes(32))]),
        "encryptedData": B64,
        "mac": B64,
        "nonce": B64,
        "timestamp": st.integers(min_value=-(2**70), max_value=2**70),
        "temporaryKeyId": st.text(max_size=40),
        "protocolVersion": st.sampled_from(["3.0", "3.1", "3.2", "3.3", "4.0", ""]),
        "activationCode": st.sampled_from(["AAAAA-AAAAA-AAAAA-AAAAA", "x"]),
        "userId": st.just("u"),
    },
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=FIELDS,
    target=st.sampled_from(["/activation/prepare", "/activation/create", "/ecies/decryptor", "ES"]),
)
def test_wrong_ecies_fields_get_a_4xx(
    server: RunningServer, pas: PasClient, fields: dict[str, Any], target: str
) -> None:
    if not pas.call("/application/list")[1]["responseObject"]["applications"]:
        pas.ok("/application/create", {"applicationId": "app"})
    key = pas.ok("/application/detail", {"applicationId": "app"})["versions"][0]["applicationKey"]
    session = {"X-Sim-Session": pas.http.headers["X-Sim-Session"]}
    if target == "ES":
        version = fields.pop("protocolVersion", "3.3") or "3.3"
        header = f'PowerAuth version="{version}", application_key="{key}"'
        response = requests.post(
            server.url + "/enrollment-server/pa/v3/activation/create",
            json=fields,
            timeout=10,
            headers={**session, "X-PowerAuth-Encryption": header},
        )
    else:
        status, body = pas.call(target, {**fields, "applicationKey": key})
        response = requests.Response()
        response.status_code = status
    if target == "/ecies/decryptor" and status == 200:
        # The decryptor never sees the payload: a point on P-256 (the random one, or x = 0, which is
        # on the curve too) and a version are a request it must serve, with the whole X9.63 envelope
        # key (KEY_ENC ‖ KEY_MAC ‖ KEY_IV) and the sharedInfo2 base.
        public_key_from_bytes(b64decode(fields["ephemeralPublicKey"]))
        answer = body["responseObject"]
        assert len(b64decode(answer["secretKey"])) == ENVELOPE_KEY_LENGTH
        assert len(b64decode(answer["sharedInfo2"])) == 32
        return
    assert 400 <= response.status_code < 500


def test_timestamp_beyond_a_java_long_is_a_format_error(pas: PasClient) -> None:
    pas.ok("/application/create", {"applicationId": "app"})
    version = pas.ok("/application/detail", {"applicationId": "app"})["versions"][0]
    fields = {
        "applicationKey": version["applicationKey"],
        "protocolVersion": "3.2",
        "ephemeralPublicKey": REAL_POINT,
        "encryptedData": b64encode(bytes(16)),
        "mac": b64encode(bytes(32)),
        "nonce": b64encode(bytes(16)),
        "activationCode": "AAAAA-AAAAA-AAAAA-AAAAA",
    }
    assert pas.error("/activation/prepare", {**fields, "timestamp": 2**63}) == "ERR0011"
    assert pas.error("/activation/prepare", {**fields, "timestamp": 1}) == "ERR0018"
