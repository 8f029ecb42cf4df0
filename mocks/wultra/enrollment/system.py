"""Unauthenticated device endpoints: server status (time sync) and 3.3 ``keystore/create``."""

from __future__ import annotations

from flask import Response, jsonify
from pydantic import Field

from mocks.framework import parse_body
from mocks.wultra.powerauth_server import keystore
from mocks.wultra.powerauth_server.keygen import now_ms
from mocks.wultra.powerauth_server.schemas import _Wire, envelope

from .bridge import pas_call
from .exceptions import TemporaryKeyFailedError

SERVER_NAME = "enrollment-server"
SERVER_VERSION = "1.9.0"


def server_status() -> Response:
    """``serverTime`` (virtual clock, ms): the SDK synchronises its ECIES timestamps with it."""
    return jsonify({"status": "OK", "responseObject": {
        "serverTime": now_ms(),
        "application": {"name": SERVER_NAME, "version": SERVER_VERSION},
    }})


class KeystoreRequest(_Wire):
    jwt: str = Field(min_length=1, max_length=8192)


def keystore_create() -> Response:
    """Device JWT (HS256) in, signed JWT (ES256) with the temporary public key out."""
    body = parse_body(envelope(KeystoreRequest)).requestObject
    with pas_call(TemporaryKeyFailedError):
        jwt = keystore.create_temporary_key(body.jwt)
    return jsonify({"status": "OK", "responseObject": {"jwt": jwt}})
