"""The parties' JSON provider writes and reads what Flask's own does."""

from __future__ import annotations

import base64
import datetime
import json
import uuid

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider

from mocks.framework.json_provider import FastJSONProvider

PAGE = base64.b64encode(bytes(range(256)) * 40).decode("ascii")
BODY = {"documentType": "ID_CARD", "image": PAGE, "at": datetime.date(2026, 12, 6), "id": uuid.UUID(int=7),
        "notes": ["é" * 2000, "\x7f" * 1500, 1.5, None, True]}


def _app(provider: type[DefaultJSONProvider]) -> Flask:
    app = Flask(__name__)
    app.json = provider(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.post("/echo")
    def echo() -> object:
        return jsonify(BODY | {"got": request.get_json()})

    return app


def test_responses_and_parsed_requests_are_flasks() -> None:
    sent = {"image": PAGE, "n": [1, 2.5, "x" * 3000]}
    answers = [_app(kind).test_client().post("/echo", json=sent).data
               for kind in (FastJSONProvider, DefaultJSONProvider)]
    assert answers[0] == answers[1]
    assert json.loads(answers[0])["got"] == sent


def test_options_it_does_not_take_go_to_flask() -> None:
    fast, plain = FastJSONProvider(Flask(__name__)), DefaultJSONProvider(Flask(__name__))
    plain.sort_keys = False  # type: ignore[attr-defined]
    for options in ({"indent": 2}, {"ensure_ascii": False}, {"sort_keys": True, "separators": (",", ":")}):
        assert fast.dumps(BODY, **options) == plain.dumps(BODY, **options)
    assert fast.loads('{"a": 1.5}', parse_float=str) == {"a": "1.5"}
