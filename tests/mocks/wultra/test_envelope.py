"""Each Wultra server answers errors in its own dialect, chosen by context path."""

from __future__ import annotations

import pytest
import requests

from mocks.framework import RunningServer


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/enrollment-server/pa/v3/no-such", "ERR_GENERIC"),
        ("/enrollment-server-onboarding/api/no-such", "ERROR_NOT_FOUND"),
        ("/powerauth-java-server/rest/v3/no-such", "ERR0024"),
        ("/no-such", "ERR0024"),
    ],
)
def test_unknown_path_is_a_404_in_the_servers_envelope(server: RunningServer, path: str, code: str) -> None:
    response = requests.post(server.url + path, json={}, timeout=5)
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == "ERROR"
    assert body["responseObject"]["code"] == code
