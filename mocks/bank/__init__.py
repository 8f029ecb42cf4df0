"""Bank mock (default ``http://127.0.0.1:8090``): client registry, onboarding adapter, alert service.

The bank side of the reactivation flow.  Wultra's onboarding server calls the bank's *onboarding
adapter* ("External Onboarding Services"); the bank's *alert service* turns the OTP Wultra generated
into an SMS through the SMS gateway; the *client registry* is the bank's record of its customers.

Adapter contract (plain JSON both ways, no ``requestObject`` wrapper; unknown members are ignored,
a missing or mistyped required member is a 400; optional HTTP Basic when ``adapter_username`` is set)
================================================================================================

``POST /user/lookup``
    ``{processId, processType?, identification: {...}}`` → 200 ``{userId, consent, consentRequired}``.
    ``identification`` is the app's free-form map.  Identifying keys: ``clientNumber``,
    ``phoneNumber``/``phone``, ``documentNumber``/``idCardNumber``/``passportNumber``; they and the
    checks ``birthDate``/``dateOfBirth``, ``givenNames``, ``familyName`` must all match one client
    when given.  Unknown, CLOSED or not-matching → the *same* 200 body with ``userId: null`` (consent
    fields do not depend on the client), so the answer reveals nothing beyond what Wultra's own
    "lookup failed → userId null" path would.  A BLOCKED client is found (it fails evaluation).
``POST /otp/send``
    ``{processId, processType?, userId, language?, otpCode, otpType: ACTIVATION|USER_VERIFICATION,
    resend?}`` → 200 ``{otpSent}``.  ``otpCode``: 4-12 digits.  The SMS goes to the phone the
    registry holds for ``userId``; ``otpSent`` is false for an unknown user (no SMS) and when the
    gateway refused or stayed down after the configured retries.
``POST /consent/text``
    ``{processId, processType?, userId?, language?, consentType}`` → 200 ``{consentText}`` (HTML in the
    app's language, else the client's, else English).
``POST /consent/storage``
    ``{processId, processType?, userId, consentType, approved}`` → 204; kept per user, process and
    type (a later answer replaces the earlier); an unknown ``userId`` → 400.
``POST /client/evaluate`` (alias ``/client/evaluation``, the 2.x documentation's name)
    ``{processId, processType?, userId, identityVerificationId?, verificationId?, investigationId?,
    provider?, extractedData?, verificationResult?}`` → 200 ``{result: OK|NOK|WAIT, resultReason,
    info: {aggregationResult, mdcCheck, documentsAccepted}}``, computed from the registry (unknown or
    closed → ``unknownUser``, blocked → ``clientBlocked``, document data vs record →
    ``dataMismatch:<fields>``, expired document → ``documentExpired``) or forced by a queued verdict
    ``client-evaluation``.
``POST /client/approval`` (2.x)
    ``{processId, processType?, userId, identityVerificationId?, provider?, result 0-10, biometryData?}``
    → 200 ``{result, resultReason}`` (score below ``approval_min_score`` → NOK); verdict
    ``client-approval`` forces it.
``POST /process/event``
    1.x ``{processId, identityVerificationId, userId, type, data}`` or 2.2 ``{id, timestamp, type,
    userId, externalUserId, processId, processType, identityVerificationId, eventData}`` → 200 ``{}``;
    recorded as received.
``POST /alerts/sms-status?alert={id}``
    The SMS gateway's delivery reports (Twilio status callback, form-encoded, ``X-Twilio-Signature``
    checked with the account's auth token) → 204; 401 unsigned, 404 unknown alert.

Errors: ``{"errorCode": "ERROR_GENERIC" | "ERROR_UNAUTHORIZED" | ..., "message": ...}`` (Wultra's
documented adapter error body) with 400/401/404/409/415; an injected fault answers in it too.

Admin (guarded by the admin token when one is configured; session from ``?session=`` or the
``X-Sim-Session`` header), beside the framework's ``/_admin/`` API:

* ``GET /_admin/clients[?status=]`` list · ``POST /_admin/clients`` add one (camelCase
  :class:`~.models.Customer`) · ``POST /_admin/clients/generate`` ``{seed, count, start?, locale?}``
  load synthetic people · ``GET|PATCH {status}|DELETE /_admin/clients/{userId}`` ·
  ``DELETE /_admin/clients`` clear;
* ``GET /_admin/alerts``, ``GET /_admin/alerts/{id}``: each OTP delivery job (tries, message SID,
  delivery reports) - never the OTP itself;
* ``GET /_admin/consents[?userId=]``, ``/_admin/evaluations``, ``/_admin/approvals``,
  ``/_admin/events[?processId=&type=]``: what the adapter was told and answered.

* ``GET|PUT|DELETE /_admin/alert-faults`` ``{seed?, refuse, drop}``: seeded faults of the alert
  service behind a normal answer (``otpSent: false`` without trying; ``otpSent: true`` without
  sending) - see :mod:`.faults`.

Latency, error answers and connection resets on any route come from the framework's seeded
``/_admin/faults`` (rendered in the envelope above); ``client-evaluation`` / ``client-approval``
verdicts force those results.  Settings are read from ``MockConfig.extra`` (see :mod:`.settings`);
``clients`` preloads a population into the default session and ``shared_registry`` lets every
session's adapter calls find it (load tests).

Secrets: the OTP is never stored, logged or journaled by the bank - the journal masks ``otpCode`` by
name and the alert service masks the OTP inside the journaled SMS body (:mod:`.alert`).
"""
