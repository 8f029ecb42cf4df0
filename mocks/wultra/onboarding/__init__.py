"""Onboarding Server (``/enrollment-server-onboarding/api/...``): the ``reactivation`` process.

Shaped like Wultra's Onboarding Server (endpoints, ``requestObject``/``responseObject`` envelopes,
enums, error codes and limits), configured for the process type ``reactivation`` as the project's
design decides.

Security of every call (RX-22)
==============================
Every endpoint takes an application-scope ECIES request (``X-PowerAuth-Encryption: PowerAuth
version="3.2", application_key="…"``; sharedInfo1 ``/pa/generic/application``; recipient = the
application's master key) and answers success encrypted under the same envelope key; errors are plain
(:mod:`.secure_channel`).  No activation exists before step 9, so the identity calls are bound to the
process instead: ``start`` returns a ``processToken`` inside its encrypted answer, and every
``/api/identity/...`` request object must carry it next to ``processId``.

Endpoints and request objects
=============================
``/api/onboarding/start``        ``{identification:{…}, processType?:"reactivation", fdsData?}`` →
                                 ``{processId, processToken, onboardingStatus, config}``
``/api/onboarding/status``       ``{processId}`` → ``{processId, onboardingStatus, config?}``
``/api/onboarding/otp/resend``   ``{processId}``
``/api/onboarding/cleanup``      ``{processId}``

Decisions where Wultra and the design leave room
================================================
* One OTP (8 digits, 5 min, resend after 30 s invalidating the previous one) is generated at
  ``start`` and handed to the bank's ``/otp/send`` (``otpType: ACTIVATION``); it is checked at step 8.
  It is stored only as a salted HMAC, so it is in no response, journal entry or admin state (RX-02/03).
* Unknown client (bank lookup fails in any way): the same steps and the same answer, but no SMS (RX-04).
* The process is ``VERIFICATION_IN_PROGRESS`` from ``start`` (no activation phase precedes it here).
* 5 starts per client in 24 hours, counted for unknown clients too (by identification), 429 after.
  A new start fails the client's previous live process (``supersededProcess``).
* Lazy expiry on the virtual clock: verification 1 h and process 3 h from creation (status FAILED).

Layout: :mod:`.settings` (``MockConfig.extra``), :mod:`.secure_channel` (ECIES), :mod:`.schemas`,
:mod:`.otp`, :mod:`.process`, :mod:`.onboarding_service`, :mod:`.providers` (other parties by URL),
:mod:`.responses` (thin handlers), :mod:`.urls` (``ROUTES``), :mod:`.exceptions` (envelope, codes).
"""
