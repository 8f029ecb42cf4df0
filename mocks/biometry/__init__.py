"""Biometry provider mock: a face API shaped like iProov's REST API v2 (``/api/v2``).

Layout (moto style, on :mod:`mocks.framework`):

- :mod:`.exceptions` — the provider's error envelope ``{"error": code, "error_description": text}``
  and one typed error per provider code;
- :mod:`.settings` — party settings read from ``MockConfig.extra`` (credentials, thresholds);
- :mod:`.face` — the face API: enrol token, trusted image, verify token with the liveness
  challenge, the capture upload the device's biometry SDK uses, server-side validate, claim
  invalidation and user management;
- :mod:`.app` — ``create_app(config=None)``.

Document verification (a ZenID/Innovatrics-style API) is meant to live beside it in
``mocks/biometry/documents/``.
"""
