"""Onboarding Server (``/enrollment-server-onboarding/api/...``): the ``reactivation`` process.

Shaped like Wultra's Onboarding Server (endpoints, ``requestObject``/``responseObject`` envelopes,
enums, error codes and limits), configured for the process type ``reactivation`` as the project's
design decides.

Security of every call (RX-22)
==============================
Every endpoint takes an application-scope ECIES request (``X-PowerAuth-Encryption: PowerAuth
version="3.2", application_key="…"``; sharedInfo1 ``/pa/generic/application``; recipient = the
application's master key, or in 3.3 the application-scope temporary key named by ``temporaryKeyId``)
and answers success encrypted under the same envelope key; errors are plain (:mod:`.secure_channel`).
No activation exists before step 9, so the identity calls are bound to the process instead:
``start`` returns a ``processToken`` inside its encrypted answer, and every ``/api/identity/...``
request object must carry it next to ``processId``.

Endpoints and request objects
=============================
``/api/configuration``           ``{processType?}`` → 2.x configuration (OTP use, required documents)
``/api/onboarding/start``        ``{identification:{…}, processType?:"reactivation", fdsData?}`` →
                                 ``{processId, processToken, onboardingStatus, config}``
``/api/onboarding/status``       ``{processId}`` → ``{processId, onboardingStatus, config?}``
``/api/onboarding/otp/resend``   ``{processId}``
``/api/onboarding/cleanup``      ``{processId}``

Identity calls (request object ``{processId, processToken, …}``; the server moves on lazily when polled):

``/api/identity/consent/text`` ``{consentType?}``  → ``{consentText}`` (from the bank)
``/api/identity/consent/approve`` ``{consentType?, approved}``  (stored at the bank; enforced before
                                              init only with the ``require_consent`` setting)
``/api/identity/init``                      → verification ``(DOCUMENT_UPLOAD, IN_PROGRESS)``
``/api/identity/status``                    → ``{processId, identityVerificationPhase,
                                              identityVerificationStatus, config, consentRequired}``
``/api/identity/document/submit`` (also ``/api/v2/…``)  ``{documents:[{filename, type ID_CARD|PASSPORT,
                                              side FRONT|BACK, data: Base64 image}], chip?:
                                              {documentType, files:{"EF.SOD": b64, "DG1.bin": …}}}``
                                              (``chip`` is this server's NFC extension)
``/api/identity/document/status``           → ``{status, documents:[{filename, id, type, side, status,
                                              errors?}]}`` (errors are always generic)
``/api/identity/presence-check/init``       → ``{sessionAttributes:{iProovVerificationToken,
                                              iProovUserId, livenessChallenge}}``
``/api/identity/presence-check/submit``     verdict fetched server-side, kept, not told
``/api/identity/otp/verify`` ``{otpCode}``  → ``{processId, onboardingStatus, verified, expired,
                                              remainingAttempts}``
``/api/identity/otp/resend``                as ``/api/onboarding/otp/resend``
``/api/identity/activation``                → ``{activationCode, activationSignature}``
``/api/identity/cleanup``                   drops the verification (5 verifications at most)

Decisions where Wultra and the design leave room
================================================
* One OTP (8 digits, 5 min, resend after 30 s invalidating the previous one) is generated at
  ``start`` and handed to the bank's ``/otp/send`` (``otpType: ACTIVATION``); it is checked at step 8.
  It is stored only as a salted HMAC, so it is in no response, journal entry or admin state (RX-02/03).
* Unknown client (bank lookup fails in any way): the same steps and the same answer, but no SMS (RX-04).
* The process is ``VERIFICATION_IN_PROGRESS`` from ``start`` (no activation phase precedes it here).
* 5 starts per client in 24 hours, counted for unknown clients too (by identification), 429 after.
  A new start fails the client's previous live process (``supersededProcess``).
* Lazy expiry on the virtual clock: verification 1 h and process 3 h from creation, the activation
  phase 5 min from the issue of the code (status FAILED, a pending activation removed).
* Evidence (RX-06): ID card front and back, a passport page, or the chip alone; the document provider
  decides from the evidence, then the bank's ``/client/evaluate`` compares its data with the record.
* The trusted image is the provider's portrait (chip DG2 first), enrolled at the face provider before
  the first verify token (RX-09); presence-check attempts are limited to 5 (429, process FAILED); a
  new init voids the previous token; the provider's user is deleted when the process ends.
* More than 5 failed documents at a submit reset the verification (429); at most 5 verifications;
  Wultra's error score (rejected document 2, failed step-8 check 2, reset 3) above 15 fails the process.
* Step 8 (:mod:`.sca`): the OTP is compared only after a positive face verdict; any failure gets the
  same answer, counts one of 5 attempts and sends the app back to a new presence check (RX-14/15).
* Step 8-11 (:mod:`.activation`): the code comes from PowerAuth ``initActivation`` (commit phase
  ``ON_KEY_EXCHANGE``, 5 min); the client's previous activations are removed when the new one is seen
  ACTIVE, on the next read of the process, which then is ``FINISHED`` (RX-16, RX-19).

Document photos travel Base64 inside ECIES: serve the Wultra mock with ``max_request_bytes`` of a
few MiB (the framework's 1 MiB default fits about two 150 kB photos).

Layout: :mod:`.settings` (``MockConfig.extra``), :mod:`.secure_channel` (ECIES), :mod:`.schemas`,
:mod:`.otp`, :mod:`.process`, :mod:`.onboarding_service`, :mod:`.verification` (phase machine),
:mod:`.identity_documents`, :mod:`.presence`, :mod:`.sca`, :mod:`.activation`,
:mod:`.identity_service`, :mod:`.consent`, :mod:`.providers` (other parties by URL),
:mod:`.responses` (thin handlers), :mod:`.urls` (``ROUTES``), :mod:`.exceptions` (envelope, codes).
"""
