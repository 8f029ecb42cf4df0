"""What every mock shares: application factory, admin API, journal, virtual clock, faults,
isolation by session header, state store and error envelopes.

How a party is built on it
==========================

A party package (``mocks/<party>/``) follows moto's split; the framework supplies everything else::

    mocks/sms/
        errors.py     # the party's envelope and its own MockError subclasses
        models.py     # domain state machines; state lives in the store, time comes from the clock
        responses.py  # one thin handler per endpoint: parse, call the model, render
        urls.py       # the Blueprint (routes only)
        app.py        # create_app(config) -> create_mock_app(PARTY, config)

**Errors.**  Raise :class:`MockError` (or a subclass with its own ``kind``/``code``) from anywhere;
never build an error body by hand.  The party's envelope renders every error - its own and the
framework's (malformed JSON, wrong content type, validation, bad Base64, 404, 405, 413, a bug → 500)::

    ENVELOPE = MappedEnvelope(
        build=lambda code, message, err: {"status": "ERROR",
                                          "responseObject": {"code": code, "message": message}},
        codes={"validation": "ERR0024", "malformed_json": "ERR0024", "not_found": "ERR0024",
               "internal": "ERR0000"},
    )

Extra fields a party's body needs (Onboarding's top-level ``remainingAttempts``) travel in
``MockError(..., details={...})`` and the ``build`` function copies them from ``err.details``.

**Handlers** stay thin: ``body = parse_body(RequestModel)`` (415/400 on bad input),
``decode_base64(body.data, field="data")`` for binary fields (or the :data:`Base64Str` field type),
then a model call, then ``jsonify``.

**Models** hold state only in the store, keyed by collection prefix, and take time and randomness
only from the runtime, so sessions stay isolated and runs reproducible::

    s = store()                                    # bound to the request's X-Sim-Session
    otp = random_digits(rng("otp"), 8)             # seeded per session
    s.put(f"otp:{pid}", {"code": otp, "attempts": 0}, ttl=300)   # expires on the virtual clock
    s.incr(f"otp:{pid}", "attempts")               # atomic read-modify-write
    token = s.pop(f"token:{t}")                    # single use, even under contention
    forced = pop_verdict("face-match")             # a test's queued outcome, else compute
    due = transition_policy("biometry.verify").is_due(   # pending → done: now, after T s or N polls
        started_at=job["startedAt"], now=now().timestamp(), reads=job["reads"])

**Sessions expire**: a session nobody sent a request for during ``session_idle_timeout`` real
seconds (default 600, ``0`` = never; ``default`` is kept) is swept entirely, as by an admin reset
with the journal (:mod:`.sessions`), so state that must outlive a scenario belongs in ``default``.

Read-modify-write goes through ``incr``, ``compare_and_set``, ``put_if_absent``, ``pop`` or
``update`` (CAS loop), never ``get`` then ``put``.  State that is an object graph rather than records
can live in a :class:`BackendRegistry` registered as a reset hook in ``PartySpec.setup``.

**Calls to other parties** go through ``outbound().post(url, json=...)``: the session header is
propagated, timeouts applied, the call journaled under the current exchange, and a failure raised as
:class:`UpstreamError` (map its ``upstream`` kind to the party's code/status in the envelope).

**Configuration** is one :class:`MockConfig` (seed, body limit, journal sizes, admin token, delay
cap, outbound timeouts, store backend, session idle timeout); party settings such as other
parties' URLs go in its ``extra`` mapping and are read with ``current_runtime().config.extra``.

**The app**::

    PARTY = PartySpec(name="sms-gateway", envelope=ENVELOPE, blueprints=(bp,), setup=setup)

    def create_app(config=None):
        return create_mock_app(PARTY, config)

Tests serve it for real with ``serve_in_thread(create_app({"seed": 7}))`` (or
``serve_in_subprocess("mocks.sms.app:create_app", {...})``) and steer it over ``/_admin/``:
``reset``, ``journal``, ``state``, ``clock``, ``faults``, ``verdicts``, ``transitions``, ``seed`` -
most easily through :class:`AdminClient`::

    admin = AdminClient(server.url, session="scenario-17")
    admin.advance_clock(301)                       # the OTP has expired
    admin.add_fault(route="/sms/send", probability=0.2, error={"status": 503})
    admin.push_verdict("face-match", {"match": False, "score": 0.12})
    assert not admin.journal(text="98765432")      # no OTP in the journal
"""

from .admin_client import AdminClient, AdminError
from .app import create_mock_app, render_error
from .clock import VirtualClock
from .config import MockConfig, PartySpec
from .errors import (
    Base64Str,
    ErrorEnvelope,
    InvalidBase64Error,
    MalformedJsonError,
    MappedEnvelope,
    MockError,
    RequestValidationError,
    UnsupportedMediaTypeError,
    decode_base64,
    parse_body,
    problem_envelope,
)
from .faults import FaultInjector, FaultRule
from .isolation import DEFAULT_SESSION, SESSION_HEADER, current_session
from .journal import Exchange, Journal, JournalQuery, OutboundCall
from .outbound import OutboundClient, UpstreamError
from .random import RandomSource, random_digits, random_token, random_uuid
from .registry import BackendRegistry
from .runtime import (
    MockRuntime,
    current_runtime,
    now,
    outbound,
    pop_verdict,
    rng,
    store,
    transition_policy,
    transition_released,
)
from .serving import RunningProcess, RunningServer, serve_in_subprocess, serve_in_thread
from .store import KEEP_TTL, InMemoryStore, SessionStore, StateStore, update
from .transitions import TransitionPolicy, Transitions
from .verdicts import VerdictQueue

__all__ = [
    "DEFAULT_SESSION",
    "KEEP_TTL",
    "SESSION_HEADER",
    "AdminClient",
    "AdminError",
    "BackendRegistry",
    "Base64Str",
    "ErrorEnvelope",
    "Exchange",
    "FaultInjector",
    "FaultRule",
    "InMemoryStore",
    "InvalidBase64Error",
    "Journal",
    "JournalQuery",
    "MalformedJsonError",
    "MappedEnvelope",
    "MockConfig",
    "MockError",
    "MockRuntime",
    "OutboundCall",
    "OutboundClient",
    "PartySpec",
    "RandomSource",
    "RequestValidationError",
    "RunningProcess",
    "RunningServer",
    "SessionStore",
    "StateStore",
    "TransitionPolicy",
    "Transitions",
    "UnsupportedMediaTypeError",
    "UpstreamError",
    "VerdictQueue",
    "VirtualClock",
    "create_mock_app",
    "current_runtime",
    "current_session",
    "decode_base64",
    "now",
    "outbound",
    "parse_body",
    "pop_verdict",
    "problem_envelope",
    "random_digits",
    "random_token",
    "random_uuid",
    "render_error",
    "rng",
    "serve_in_subprocess",
    "serve_in_thread",
    "store",
    "transition_policy",
    "transition_released",
    "update",
]
