"""Biometry provider mock: a face API shaped like iProov's REST API v2 (``/api/v2``).

Layout (moto style, on :mod:`mocks.framework`):

- :mod:`.exceptions` — the provider's error envelope ``{"error": code, "error_description": text}``
  and one typed error per provider code;
- :mod:`.settings` — party settings read from ``MockConfig.extra`` (credentials, thresholds);
- :mod:`.face` — the face API: enrol token, trusted image, verify token with the liveness
  challenge, the capture upload the device's biometry SDK uses, server-side validate, claim
  invalidation and user management;
- :mod:`.app` — ``create_app(config=None)``.

- :mod:`.documents` — document verification shaped like a ZenID/Innovatrics-style provider:
  investigations with page images and chip data, per-check validators, the trusted portrait.
"""
