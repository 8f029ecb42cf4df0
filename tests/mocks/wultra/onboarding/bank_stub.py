"""A minimal stand-in for the bank's onboarding adapter, built on the mock framework, for these tests.

It knows the clients in ``extra.clients`` (``clientNumber`` → ``{"userId", "phone"}``), answers
``/user/lookup`` (404 for anyone else), and turns ``/otp/send`` into a Twilio-shaped SMS at
``extra.sms_url`` - the route the real bank's alert service takes.  ``/process/event`` and
``/client/evaluate`` record what they got.  Kept here so the Onboarding Server's tests exercise the
HTTP contract of §3.1 of the spec without depending on another package's progress.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, jsonify, request

from mocks.framework import MockError, PartySpec, create_mock_app, current_runtime, outbound, store
from mocks.sms_gateway.accounts import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

SENDER = "+15005550006"


def _clients() -> Mapping[str, Any]:
    return current_runtime().config.extra.get("clients", {})


def _blueprint() -> Blueprint:
    bp = Blueprint("bank_stub", __name__)

    @bp.post("/user/lookup")
    def lookup() -> Response | tuple[Response, int]:
        body = request.get_json(force=True)
        number = str(body.get("identification", {}).get("clientNumber", ""))
        client = _clients().get(number)
        if client is None:
            return jsonify({"error": "not found"}), 404
        return jsonify({"userId": client["userId"], "consentRequired": False})

    @bp.post("/otp/send")
    def send() -> Response:
        body = request.get_json(force=True)
        store().incr("otp-sends")
        phone = next((c["phone"] for c in _clients().values() if c["userId"] == body["userId"]), None)
        if phone is None:
            raise MockError("unknown user", status=404)
        sms_url = current_runtime().config.extra["sms_url"].rstrip("/")
        auth = base64.b64encode(f"{DEFAULT_ACCOUNT_SID}:{DEFAULT_AUTH_TOKEN}".encode()).decode()
        form = urlencode({"To": phone, "From": SENDER, "Body": f"Your activation code is {body['otpCode']}"})
        answer = outbound().post(f"{sms_url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/Messages.json",
                                 data=form, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                     "Authorization": f"Basic {auth}"})
        return jsonify({"otpSent": answer.status_code == 201})

    @bp.post("/process/event")
    def event() -> Response:
        body = request.get_json(force=True)
        store().put(f"event:{body['processId']}:{body['type']}", body)
        return jsonify({})

    @bp.post("/client/evaluate")
    def evaluate() -> Response:
        return jsonify({"result": "OK", "info": {}})

    return bp


def create_app(config: Mapping[str, Any]) -> Flask:
    return create_mock_app(PartySpec(name="bank-stub", blueprints=(_blueprint(),), import_name=__name__),
                           config)
