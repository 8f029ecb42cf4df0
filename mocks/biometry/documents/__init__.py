"""Document verification API of the biometry provider mock, shaped like a ZenID/Innovatrics-style
provider: upload document pages and chip files into an *investigation*, submit it, poll until it is
done, read per-check validators, the overall verdict, the extracted data and the trusted portrait.

Every verdict is computed from the evidence (pixels read back by the identity world's document
reader, MRZ check digits, passive authentication of the chip against the provider's trust list, the
virtual clock for expiry); a test that must force an outcome queues a verdict (see below), and the
result then says ``"forced": true``.

API contract (base ``/api/v1/documents``, JSON in and out)
==========================================================

Authentication: every call carries ``Authorization: api_key <key>`` (ZenID's scheme). The key is
``MockConfig.extra["document_api_key"]``, default ``rsim-documents-api-key``. Missing or wrong key →
401 ``invalid_key``. Requests may carry ``X-Sim-Session`` like every mock (state is per session).

Errors use the biometry provider's envelope ``{"error": "<code>", "error_description": "<text>"}``
(the face API's envelope: one provider, one error shape). Codes of this API:

=============================  ======  =====================================================
code                           status  when
=============================  ======  =====================================================
``invalid_key``                401     missing/incorrect ``Authorization: api_key ...``
``invalid_request``            400     malformed JSON, missing/unknown fields, wrong types, a side
                                       the document type has not; at submit: a malformed
                                       queued verdict (405 wrong method, 413 body over 4 MiB)
``invalid_image``              400     ``image`` not Base64, not PNG/JPEG, undecodable, or too
                                       small (< 320 px on the shorter side)
``image_too_large``            413     decoded image over 2.5 MiB (the body limit is 4 MiB)
``invalid_chip_data``          400     chip files not Base64, unknown file name, EF.COM/EF.SOD
                                       or DG1 missing, a file over 32 KiB
``not_found``                  404     unknown investigation id or page id (or another session's)
``invalid_state``              409     upload/submit on an investigation that is no longer
                                       ``OPEN``; submit with no evidence; more than 4 pages
``result_not_ready``           409     portrait asked before the investigation is ``DONE``
``portrait_unavailable``       404     ``DONE`` but no portrait could be trusted/extracted
=============================  ======  =====================================================

Endpoints
---------

``POST /api/v1/documents/investigations`` → 201 — open an investigation for one customer::

    {"customerId": "opt. free text ≤ 128 (the adapter's userId)",
     "expected": {                       # optional; when given, data_matches_expected runs
         "givenNames": "JANA MARIE", "surname": "NOVAKOVA",          # any case/diacritics
         "birthDate": "1990-04-12",                                  # ISO date
         "documentNumber": "123456789"}}  # optional; any of the four may be omitted

    → {"investigationId": "<id>", "status": "OPEN", "customerId": ..., "createdAt": ISO-8601,
       "chipChallenge": "<Base64 8 bytes>",   # for Active Authentication (see chip upload)
       "pages": [], "chip": null}

``POST /api/v1/documents/investigations/{id}/pages`` → 201 — upload one page image; it is read at once
(classification, OCR, MRZ) and the reading kept for the verdict::

    {"documentType": "ID_CARD" | "PASSPORT",
     "side": "FRONT" | "BACK" | "DATA_PAGE",     # ID_CARD: FRONT/BACK; PASSPORT: DATA_PAGE
     "image": "<Base64 JPEG or PNG>",
     "filename": "opt. ≤ 255"}

    → {"pageId": "<id>", "investigationId": ..., "documentType": ..., "side": ...,
       "status": "READ" | "UNREADABLE",     # UNREADABLE: no document page found in the image
       "detected": {"documentType": ..., "side": ...} | null,   # what the pixels show
       "issues": ["document_not_found" | "mrz_not_found" | "mrz_unreadable" | "mrz_invalid" |
                  "fields_unreadable" | "viz_mrz_mismatch" | "pattern_mismatch" |
                  "portrait_pattern_mismatch" | "page_type_mismatch", ...],
       "extractedData": {<see extractedData>} ,   # what this page alone yields
       "portraitFound": bool}

``GET /api/v1/documents/investigations/{id}/pages/{pageId}`` → 200 — the same page body (for an
adapter's ``checkDocumentUpload``). ``DELETE`` the same path → 204 (page removed while ``OPEN``).

``PUT /api/v1/documents/investigations/{id}/chip`` → 200 — the files an NFC reader got (BAC and secure
messaging happen on the phone), keyed exactly like ``ChipRead.to_dict()``::

    {"files": {"EF.COM": b64, "EF.SOD": b64, "DG1.bin": b64, "DG2.bin": b64,
               "DG11.bin"/"DG14.bin"/"DG15.bin": b64 (optional),
               "AA.challenge": b64, "AA.signature": b64 (optional; when DG15 is present the
               challenge must be the investigation's ``chipChallenge``, else
               ``chip_active_authentication`` fails: an answer to another challenge is a replay)}}

    → {"investigationId": ..., "chip": {"dataGroups": [1, 2, ...], "mrz": ["line", ...]}}

``POST /api/v1/documents/investigations/{id}/submit`` → 202 — freeze the evidence and start the
verification: ``{"investigationId": ..., "status": "PENDING"}``. Needs at least one page or the chip.

``GET /api/v1/documents/investigations/{id}`` → 200 — poll. ``status``: ``OPEN`` (uploading) →
``PENDING`` (submitted, processing) → ``DONE``. The move to ``DONE`` follows the framework's transition
policy of kind ``documents.investigation`` (``/_admin/transitions``: immediate = first poll after
submit; ``reads`` N = N-th poll; ``time`` T = T seconds of virtual time after submit; ``manual``);
the party default can be set in ``MockConfig.extra["document_transition"]`` (a policy dict). Body::

    {"investigationId", "status", "customerId", "createdAt", "submittedAt", "completedAt",
     "chipChallenge", "pages": [<page bodies>], "chip": {...} | null,
     "result": null | {                      # present when DONE
        "verdict": "ACCEPTED" | "REJECTED",
        "forced": bool,                      # true: a queued verdict decided, not the evidence
        "computedVerdict": "ACCEPTED" | "REJECTED",   # what the evidence said (equal unless forced)
        "score": 0..100,                     # the lowest validator score
        "rejectReason": null | "<reason of the validator missing its threshold by most>",
        "rejectReasons": [{"validator": name, "reason": code, "message": text}, ...],
        "validators": [{"name", "code" (int), "category": "QUALITY" | "DATA" | "AUTHENTICITY",
                        "score" 0..100, "threshold" 0..100,
                        "passed" (score >= threshold), "reason": null | code,
                        "message": text, "pageIds": [...]} , ...],
        "extractedData": {<see below>},
        "portrait": {"available": bool, "source": "CHIP_DG2" | "DOCUMENT" | null}}}

Validators (each listed only when its evidence was uploaded; code, threshold). Categories keep apart
what a client handles differently: ``QUALITY`` (retake the photo: ``document_complete``,
``page_classification``, ``image_quality``, ``mrz_found``, ``portrait_present``), ``DATA`` (the document
says something unacceptable: the other ``mrz_*`` checks, ``not_expired``, ``data_matches_expected``,
``documents_same_holder``) and
``AUTHENTICITY`` (looks forged: ``printed_vs_mrz``, ``security_pattern``, ``portrait_integrity`` and the
``chip_*`` checks):

- ``document_complete`` (1, 100): ID card needs FRONT and BACK, passport its DATA_PAGE, or the chip
  alone; reason ``missing_page``;
- ``page_classification`` (2, 100): every page shows what it was declared as; ``page_type_mismatch``
  / ``document_not_found``;
- ``image_quality`` (3, 45): OCR confidence of MRZ and printed fields; ``mrz_unreadable`` /
  ``fields_unreadable``;
- ``mrz_found`` (4, 100): an MRZ was located and parsed (pages with an MRZ, or chip DG1); ``mrz_not_found``;
- ``mrz_format`` (5, 100): line layout, alphabet, document code, state/nationality codes, sex;
  reason the first MRZ failure name (``line_length``, ``invalid_issuing_state`` ...);
- ``mrz_document_number_check_digit`` (6), ``mrz_birth_date_check_digit`` (7),
  ``mrz_expiry_date_check_digit`` (8), ``mrz_optional_data_check_digit`` (9, TD3),
  ``mrz_composite_check_digit`` (10) (each 100): reason the check's own name;
- ``mrz_dates_valid`` (11, 100): ``invalid_birth_date`` / ``invalid_expiry_date`` / ``birth_date_in_future``;
- ``not_expired`` (12, 100): expiry against the *virtual* date at submit; reason ``expired``;
- ``printed_vs_mrz`` (13, 100): printed fields equal the MRZ (passport page; ID card front against
  the MRZ on its back); reason ``viz_mrz_mismatch`` (message names the fields);
- ``portrait_present`` (14, 100): a portrait was cut from the page or decoded from DG2; ``portrait_missing``;
- ``security_pattern`` (15, 30): the guilloche seeded from the document's data correlates with every
  page tile (score = lowest tile correlation × 100); ``pattern_mismatch`` (edited data);
- ``portrait_integrity`` (16, 25): the pattern over the printed portrait; ``portrait_pattern_mismatch``
  (photo substitution);
- ``data_matches_expected`` (17, 100): surname, given names, birth date, document number vs
  ``expected``; reason ``data_mismatch`` (message names the fields);
- ``chip_passive_authentication`` (18, 100): DG hashes vs EF.SOD, SOD signature, signer chained to a
  trusted CSCA, validity at the virtual time, country; reason the verifier's headline reason
  (``dg_hash_mismatch``, ``untrusted_signer``, ``sod_signature_invalid``, ``signer_expired`` ...);
- ``chip_active_authentication`` (19, 100, only with DG15): ``active_authentication_failed``;
- ``chip_vs_document`` (20, 100, chip and an MRZ page both given): DG1 equals the printed MRZ;
  ``chip_print_mismatch``;
- ``chip_portrait_match`` (21, 55, chip and a printed portrait both given): the printed portrait shows
  the DG2 face (score = face similarity × 100, the face matcher's operating point as threshold);
  ``chip_portrait_mismatch`` (a photo swapped on the page);
- ``documents_same_holder`` (22, 100, two or more MRZs - chip, passport page, ID card back): all name
  one holder (surname, given names - truncation-aware -, birth date, sex), with or without
  ``expected``; ``holder_mismatch`` (message names the fields).

``extractedData`` (MRZ values, chip DG1 first, else the data page / ID card back)::

    {"documentType": "ID_CARD"|"PASSPORT", "documentCode", "issuingState", "documentNumber",
     "surname", "givenNames", "nationality", "birthDate" (ISO|null), "sex",
     "expiryDate" (ISO|null), "mrz": ["line", ...], "source": "CHIP" | "MRZ" | "VIZ" | null}
    # VIZ: only an ID card front was readable - its printed fields, as OCR read them

``GET /api/v1/documents/investigations/{id}/portrait`` → 200 — the trusted portrait: chip DG2 when
passive authentication passed, else the portrait cut from the document page::

    {"investigationId", "photoId" (= investigationId), "source": "CHIP_DG2" | "DOCUMENT",
     "filename": "portrait.jpg", "contentType": "image/jpeg", "data": "<Base64 JPEG>"}

``DELETE /api/v1/documents/investigations/{id}`` → 204 — cleanup (pages, chip, result, portrait).
Without it, an investigation and its pages are purged after
``MockConfig.extra["document_retention_seconds"]`` of virtual time (default a week); afterwards its id
is ``not_found``.

Queued verdicts (admin, framework ``/_admin/verdicts``), kind ``document-investigation``::

    {"verdict": "ACCEPTED" | "REJECTED", "reason": "opt. code, default forced_rejection"}

popped at submit: the validators and extracted data are still computed and reported; ``verdict`` is the
queued one, ``forced`` is true and ``computedVerdict`` keeps what the evidence said.

Trust list (admin): ``/_admin/document-trust`` (admin token when configured, per ``X-Sim-Session``):
``GET`` → ``{"certificates": [{"subject", "country", "sha256", "notBefore", "notAfter",
"seeded": bool}], "pem": "..."}``; ``POST {"pem": "..."}`` adds CSCA certificates (and CRLs signed by
them); ``PUT {"pem": "...", "includeSeeded": true}`` replaces the session's additions (and can drop the
seeded CSCAs); ``DELETE`` → back to the seeded list.

Seeded CSCAs: one per issuing state the identity world uses, each with a key derived
deterministically from a seed both sides know (``MockConfig.extra["document_trust_seed"]``, default
:data:`.trust.DEFAULT_TRUST_SEED`), see :func:`.trust.seeded_csca`: a virtual device or a test takes
``seeded_csca(state)`` → ``issue_document_signer(csca, ...)`` → ``issue_chip(..., signer, ...)`` and
the provider trusts the chip without any set-up call. Another CSCA is trusted after ``POST``-ing its
certificate to the admin API (what a real provider sandbox would need, too);
:class:`.admin_client.DocumentTrustAdmin` wraps these calls for tests and scripts.

Modules
=======

:mod:`.urls` (routes) → :mod:`.responses` (thin handlers) → :mod:`.investigations` (the model in the
store) → :mod:`.pages` (upload checks, the reader, page records), :mod:`.chipdata` (chip upload),
:mod:`.checks` (the validators), :mod:`.verdict` (verdict, extracted data, trusted portrait);
:mod:`.trust` / :mod:`.trust_state` (seeded CSCAs, the session's trust list, its admin API);
:mod:`.schemas`, :mod:`.errors`, :mod:`.auth`, :mod:`.settings`, :mod:`.extraction`.
"""
