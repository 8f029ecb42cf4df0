"""The application factory every party's ``create_app`` is built on.

``create_mock_app(party, config)`` returns a Flask app with the pieces all mocks share, wired in a
fixed order for every request:

1. start the exchange (timer, journal id) unless it is an admin call;
2. resolve and validate the isolation key (400 on a bad ``X-Sim-Session``);
3. refuse an oversized body up front (413);
4. apply a matching fault rule (latency, error, connection reset);
5. the party's handler;
6. render any error in the party's envelope (the admin API uses the problem envelope);
7. record the exchange in the journal.

The party registers its own blueprints through :class:`PartySpec`; nothing here is global, so a test
can build as many independent apps as it needs.
"""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Request, Response, current_app, g, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.wrappers import Response as WerkzeugResponse

from .admin import ADMIN_PREFIX, create_admin_blueprint
from .config import MockConfig, PartySpec
from .errors import (
    JOURNAL_SECRETS_CONFIG_KEY,
    MAX_BODY_CONFIG_KEY,
    PARSED_BODY_KEY,
    MockError,
    journal_secrets,
    problem_envelope,
    read_body,
    validation_error_from,
)
from .faults import reset_connection_response
from .isolation import DEFAULT_SESSION, InvalidSessionError, resolve_session
from .journal import Exchange, capture_body
from .json_provider import FastJSONProvider
from .redact import redact_environ_headers, redact_pairs
from .runtime import EXTENSION_KEY, MockRuntime, current_runtime

__all__ = ["JOURNAL_SECRETS_CONFIG_KEY", "create_mock_app", "render_error"]

log = logging.getLogger(__name__)

_HTTP_KINDS: Mapping[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def _is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def render_error(error: MockError) -> Response:
    """Render ``error`` in the envelope of the route's owner (party, or admin API)."""
    runtime = current_runtime()
    envelope = problem_envelope if _is_admin_path(request.path) else runtime.party.envelope
    try:
        body, status = envelope(error)
    except Exception:
        log.exception("error envelope of %s failed; answering with the problem envelope", runtime.party.name)
        body, status = problem_envelope(MockError("error envelope failed", kind="internal"))
    response = jsonify(body)
    response.status_code = status
    for name, value in error.headers.items():
        response.headers[name] = value
    g.mock_error = error.kind
    return response


def _near_misses(path: str, limit: int = 3) -> list[str]:
    """The closest known routes to an unknown path, so a failing step says what was probably meant."""
    routes: dict[str, str] = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint == "static" or _is_admin_path(rule.rule):
            continue
        methods = sorted(m for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS"))
        routes[rule.rule] = f"{'|'.join(methods)} {rule.rule}"
    matches = difflib.get_close_matches(path, list(routes), n=limit, cutoff=0.6)
    return [routes[m] for m in matches]


def _from_http_exception(exc: HTTPException) -> MockError:
    code = exc.code or 500
    kind = _HTTP_KINDS.get(code, "internal" if code >= 500 else "bad_request")
    headers: dict[str, str] = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    if code == 413:
        # The unread body is still on the wire: close rather than parse it as the next request.
        headers["Connection"] = "close"
    if code == 404:
        message = f"no such endpoint: {request.method} {request.path}"
        near = _near_misses(request.path)
        if near:
            message += f" (did you mean {' or '.join(near)}?)"
    elif code == 405:
        message = f"method {request.method} not allowed for {request.path}"
    elif code == 413:
        message = f"request body exceeds the limit of {current_runtime().config.max_request_bytes} bytes"
    else:
        message = exc.description or exc.name
    return MockError(message, status=code if 400 <= code <= 599 else 500, kind=kind, headers=headers)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(MockError)
    def _mock_error(exc: MockError) -> Response:
        return render_error(exc)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        return render_error(validation_error_from(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return render_error(_from_http_exception(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # A 5xx from a mock is a bug: log the traceback for whoever reads the test output.
        log.error("unhandled %s in %s %s", type(exc).__name__, request.method, request.path, exc_info=exc)
        return render_error(
            MockError(f"internal error ({type(exc).__name__}) while handling {request.method} {request.path}",
                      kind="internal", status=500)
        )


def _begin_request() -> WerkzeugResponse | None:
    # The request and g objects are bound once: every access through Flask's proxies costs a
    # context lookup, and this hook runs for every request.
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    ctx = g._get_current_object()  # type: ignore[attr-defined]
    runtime = current_runtime()
    ctx.mock_started = time.perf_counter()
    path = req.path
    admin = _is_admin_path(path)
    environ = req.environ
    exchange: Exchange | None = None
    if not admin:
        real = datetime.fromtimestamp(runtime.clock.real_timestamp(), tz=UTC).isoformat()
        exchange = ctx.mock_exchange = Exchange(
            id=runtime.journal.allocate_id(),
            party=runtime.party.name,
            session="?",
            timestamp=real,
            real_timestamp=real,
            method=req.method,
            path=path,
            query=redact_pairs(req.args.items(multi=True)) if environ.get("QUERY_STRING") else {},
            request_headers=redact_environ_headers(environ),
        )
    try:
        session = resolve_session()
    except InvalidSessionError:
        ctx.sim_session = DEFAULT_SESSION  # so error rendering never re-reads the bad header
        raise
    ctx.sim_session = session
    if runtime.sessions is not None:
        runtime.sessions.touch(session)  # keeps the session from the idle sweep (see .sessions)
    if exchange is not None:
        exchange.session = session
        exchange.timestamp = runtime.clock.now(session).isoformat()
    length = req.content_length
    if length is not None and length > runtime.config.max_request_bytes:
        raise RequestEntityTooLarge()
    if exchange is None:
        return None
    # Read (and cache) the body before any handler parses a form from the stream, which would leave
    # nothing for the journal.
    read_body()
    decision = runtime.faults.decide(req.method, path, session)
    if decision is None:
        return None
    exchange.fault = decision.label()
    if decision.delay > 0:
        time.sleep(decision.delay)
    if decision.reset:
        ctx.mock_reset = True
        return reset_connection_response(environ)
    if decision.error is not None:
        fault = decision.error
        if fault.body is None:
            raise MockError(fault.message, status=fault.status, kind="injected_fault", headers=fault.headers)
        ctx.mock_error = "injected_fault"
        response = jsonify(fault.body)
        response.status_code = fault.status
        response.headers.update(fault.headers)
        return response
    return None


def _request_body_for_journal(req: Request, ctx: Any, limit: int, max_bytes: int,
                              secrets: frozenset[str]) -> Any:
    length = req.content_length
    if length is not None and length > max_bytes:
        return f"<{length} bytes: over the {max_bytes}-byte limit, not read>"
    try:
        raw = req.get_data(cache=True)  # read_body's bytes and check, without its context lookups
    except RequestEntityTooLarge:
        raw = None
    if raw is None or len(raw) > max_bytes:
        return f"<body over the {max_bytes}-byte limit, not read>"
    parsed = getattr(ctx, PARSED_BODY_KEY, None)  # what parse_body made of these very bytes, if it ran
    if parsed is not None and parsed[0] is raw:
        return capture_body(raw, req.mimetype, limit, extra_secrets=secrets, redacted=parsed[1])
    return capture_body(raw, req.mimetype, limit, extra_secrets=secrets)


def _finish_request(response: Response) -> Response:
    ctx = g._get_current_object()  # type: ignore[attr-defined]
    exchange = getattr(ctx, "mock_exchange", None)
    if not isinstance(exchange, Exchange):
        return response
    runtime = current_runtime()
    limit = runtime.journal.body_limit
    secrets = journal_secrets()
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    exchange.request_body = _request_body_for_journal(req, ctx, limit, runtime.config.max_request_bytes,
                                                      secrets)
    if getattr(ctx, "mock_reset", None):
        exchange.status = None  # the connection is dropped before any status line is sent
    elif response.is_streamed:
        exchange.status = response.status_code
        exchange.response_body = "<streamed>"
    else:
        exchange.status = response.status_code
        exchange.response_body = capture_body(response.get_data(), response.mimetype, limit,
                                              extra_secrets=secrets)
    exchange.error = getattr(ctx, "mock_error", None)
    exchange.duration_ms = round((time.perf_counter() - ctx.mock_started) * 1000, 3)
    runtime.journal.record(exchange)
    ctx.mock_exchange = None
    return response


def create_mock_app(party: PartySpec, config: MockConfig | Mapping[str, Any] | None = None) -> Flask:
    """Build a mock application for ``party`` (the shared pieces plus the party's blueprints)."""
    cfg = MockConfig.coerce(config)
    app = Flask(party.import_name)
    app.json = FastJSONProvider(app)
    app.config[MAX_BODY_CONFIG_KEY] = cfg.max_request_bytes
    app.config["MAX_CONTENT_LENGTH"] = cfg.max_request_bytes + 1  # see read_body
    app.config["MAX_FORM_MEMORY_SIZE"] = cfg.max_request_bytes
    runtime = MockRuntime.build(party, cfg)
    app.extensions[EXTENSION_KEY] = runtime

    app.before_request(_begin_request)
    app.after_request(_finish_request)
    _register_error_handlers(app)
    app.register_blueprint(create_admin_blueprint())
    for blueprint in party.blueprints:
        app.register_blueprint(blueprint)
    if party.setup is not None:
        party.setup(app, runtime)
    return app
