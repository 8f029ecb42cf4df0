"""Configuration parsing and the HTTP envelope rules (against a real loopback server)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator

import pytest
from flask import Flask, Response, request

from mocks.framework import RunningServer, serve_in_thread
from simulator.device.powerauth_sdk import (
    EnrollmentClient,
    InvalidConfigError,
    NetworkError,
    PowerAuthConfig,
    RequestsTransport,
    ServerError,
    ServerResponseError,
    enrollment_base_url,
)
from simulator.powerauth.keys import generate_private_key, public_key_to_bytes

KEY = base64.b64encode(os.urandom(16)).decode()
SECRET = base64.b64encode(os.urandom(16)).decode()
MASTER = public_key_to_bytes(generate_private_key().public_key())
MASTER_B64 = base64.b64encode(MASTER).decode()


def test_config_from_values_sdk_string_and_json() -> None:
    config = PowerAuthConfig.from_values(KEY, SECRET, MASTER_B64)
    assert config.version.value == "3.3"
    assert PowerAuthConfig.from_sdk_config(config.to_sdk_config()) == config
    assert PowerAuthConfig.from_sdk_config(config.to_sdk_config(), "3.1").version.value == "3.1"
    assert PowerAuthConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((KEY, SECRET, MASTER_B64, "3.0"), "not supported"),
        ((KEY, SECRET, MASTER_B64, "4.0"), "not supported"),
        (("short", SECRET, MASTER_B64, "3.3"), "application key"),
        ((KEY, "@@@", MASTER_B64, "3.3"), "application secret"),
        ((KEY, SECRET, base64.b64encode(b"\x04" + bytes(64)).decode(), "3.3"), "master public key"),
        ((KEY, SECRET, "not base64!", "3.3"), "master public key"),
    ],
)
def test_config_rejects_bad_values(args: tuple[str, str, str, str], message: str) -> None:
    with pytest.raises(InvalidConfigError, match=message):
        PowerAuthConfig.from_values(*args)


def test_config_rejects_bad_sdk_string_and_json() -> None:
    with pytest.raises(InvalidConfigError, match="mobile SDK config"):
        PowerAuthConfig.from_sdk_config(base64.b64encode(b"\x01\x10").decode())
    with pytest.raises(InvalidConfigError):
        PowerAuthConfig.from_json({"applicationKey": KEY})
    with pytest.raises(InvalidConfigError):
        PowerAuthConfig.from_json([])


def test_enrollment_base_url() -> None:
    assert enrollment_base_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/enrollment-server"
    assert enrollment_base_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/enrollment-server"
    assert enrollment_base_url("https://bank.example/es/") == "https://bank.example/es"
    with pytest.raises(InvalidConfigError, match="http"):
        enrollment_base_url("ftp://x")


def _echo_app() -> Flask:
    app = Flask(__name__)

    @app.post("/enrollment-server/<path:name>")
    def answer(name: str) -> Response:
        seen = request.headers.get("X-Sim-Session", "")
        bodies = {
            "ok": (json.dumps({"status": "OK", "responseObject": {"session": seen}}), 200),
            "error": ('{"status":"ERROR","responseObject":{"code":"ERR_ACTIVATION","message":"no"}}', 400),
            "html": ("<html>bad gateway</html>", 502),
            "notobject": ("[1,2]", 200),
            "noenvelope": ('{"status":"OK"}', 200),
        }
        text, status = bodies[name]
        return Response(text, status=status, content_type="application/json")

    return app


@pytest.fixture(scope="module")
def echo() -> Iterator[RunningServer]:
    with serve_in_thread(_echo_app()) as running:
        yield running


def test_envelopes_over_http(echo: RunningServer) -> None:
    client = EnrollmentClient(RequestsTransport(echo.url, session="s-1"))
    assert client.post_object("/ok", {}) == {"session": "s-1"}
    with pytest.raises(ServerError) as info:
        client.post_object("/error", {})
    assert (info.value.code, info.value.http_status, info.value.message) == ("ERR_ACTIVATION", 400, "no")
    with pytest.raises(ServerError) as info:
        client.post_object("/html", {})
    assert (info.value.code, info.value.http_status) == ("HTTP_ERROR", 502)
    with pytest.raises(ServerResponseError):
        client.post_object("/notobject", {})
    with pytest.raises(ServerResponseError):
        client.post_object("/noenvelope", {})


def test_unreachable_server_is_a_network_error() -> None:
    with serve_in_thread(_echo_app()) as running:
        url = running.url
    client = EnrollmentClient(RequestsTransport(url, timeout=(0.5, 0.5)))
    with pytest.raises(NetworkError):
        client.post_object("/ok", {})
