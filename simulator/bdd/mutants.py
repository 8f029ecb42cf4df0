"""Deliberately broken parties, to prove the suite catches what it claims to catch.

:func:`misrouting_bank` is a bank adapter with a classic bug: a small HTTP proxy in front of a bank
(mock) that forwards everything unchanged except ``POST /otp/send``, whose ``userId`` it swaps for
another client of the bank (registered on first use in the caller's session), so the OTP SMS goes to
the wrong phone number.  Run the suite with the bank's URL pointing at it (``RSIM_BANK_URL`` plus
``RSIM_ADMIN_PARTIES=bank`` - its admin API is the bank mock's, proxied) and the OTP scenarios
of RX-03 must fail, naming the rule.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from flask import Flask, Response, request

from mocks.bank.models import Customer
from simulator.identity.people import generate_person

__all__ = ["DECOY_SEED", "decoy_customer", "misrouting_bank"]

#: The seed of the client who wrongly receives every OTP.
DECOY_SEED = 424242
SESSION_HEADER = "X-Sim-Session"
_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive", "accept-encoding"}


def decoy_customer() -> dict[str, Any]:
    """The bank record of the client who receives the misrouted OTPs."""
    return Customer.from_person(generate_person(DECOY_SEED, 0, "cs_CZ")).to_record()


def misrouting_bank(bank_url: str, *, admin_token: str | None = None) -> Flask:
    """The broken adapter (see the module docstring) in front of the bank at ``bank_url``."""
    base = bank_url.rstrip("/")
    app = Flask("rsim-mutant-misrouting-bank")
    http = requests.Session()
    http.trust_env = False
    decoy = decoy_customer()
    admin_headers = {"X-Admin-Token": admin_token} if admin_token else {}

    def misroute(body: bytes, session: str | None) -> bytes:
        try:
            payload = json.loads(body)
        except ValueError:
            return body  # let the bank judge a malformed body as it would
        if not isinstance(payload, dict):
            return body
        headers = {**admin_headers, **({SESSION_HEADER: session} if session else {})}
        http.post(f"{base}/_admin/clients", json=decoy, headers=headers, timeout=10)  # 201, or 409 if known
        payload["userId"] = decoy["userId"]
        return json.dumps(payload).encode("utf-8")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def forward(path: str) -> Response:
        body = request.get_data()
        if request.method == "POST" and request.path == "/otp/send":
            body = misroute(body, request.headers.get(SESSION_HEADER))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = http.request(request.method, f"{base}/{path}", params=request.args.to_dict(flat=False),
                                data=body, headers=headers, timeout=30)
        kept = [(k, v) for k, v in upstream.headers.items()
                if k.lower() not in _HOP_BY_HOP and k.lower() != "content-encoding"]
        return Response(upstream.content, status=upstream.status_code, headers=kept)

    return app
