"""PowerAuth Server REST API (``/powerauth-java-server/rest/v3/...``): the key holder of the Wultra mock.

Every method is POST ``{"requestObject": …}`` → ``{"status": "OK", "responseObject": …}``, errors are
HTTP 400 with the real server's ``ERR00xx`` codes (:mod:`.exceptions`, :mod:`.error_codes`).

Models (state in the framework's store, time from the virtual clock, randomness from the session's
seeded streams via :mod:`.keygen`):

* :mod:`.models` - applications, versions (app key/secret), master key pairs, roles, configuration;
* :mod:`.activations` - the activation state machine (init, prepare, direct create, commit, block,
  unblock, remove, OTP, flags, lazy expiry, status blob); :mod:`.history` its events;
* :mod:`.ecies_service` - server-side ECIES (recipient key by scope and version, replay guard);
  :mod:`.temporary_keys` and :mod:`.keystore` - 3.3 temporary keys;
* :mod:`.signatures` - online/offline signature verification (look-ahead, failures, blocking);
  :mod:`.audit` its log; :mod:`.offline` signed offline payloads and device ECDSA checks;
* :mod:`.tokens` - MAC tokens; :mod:`.vault` - vault unlock; :mod:`.callbacks` - callback URLs and
  ACTIVATION_STATUS_CHANGE notifications.

:mod:`.settings` reads the server's limits from ``MockConfig.extra`` (``powerauth_*`` keys).
:mod:`.service` is what the other Wultra servers of this app call in process; :mod:`.client` is a
small HTTP client of the REST API (for tests and for pointing at a real server).  Handlers live in
the ``*_responses`` modules and :mod:`.application_extras`; routes in :mod:`.urls`.
"""
