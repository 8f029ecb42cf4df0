"""Enrollment Server device API (``/enrollment-server/pa/v3/...``): what the mobile SDK calls.

* ``activation/create`` - two-layer ECIES key exchange, types CODE and CUSTOM (:mod:`.activation`,
  :mod:`.custom_activation` for the pluggable user lookup), protocol 3.0-3.3;
* ``activation/status`` - challenge → encrypted status blob and nonce; ``activation/remove`` (signed);
* ``token/create`` / ``token/remove``, ``vault/unlock``, ``signature/validate`` (signed, :mod:`.secured`);
* ``keystore/create`` (3.3 temporary keys) and ``status`` (server time) (:mod:`.system`).

Signature and token headers are checked in :mod:`.auth` through the PowerAuth Server's own model
functions (:mod:`.bridge` turns its ``ERR00xx`` errors into this server's ``ERR_*`` codes), so
counters, failed attempts and blocking behave exactly as over REST.
"""
