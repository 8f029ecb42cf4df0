"""PowerAuth protocol primitives (versions 3.0–3.3), the one home for them.

Both sides use this package: the virtual device (client role) and the Wultra mock (server role).
Every primitive here is verified against the published PowerAuth test vectors.

Modules, one job each:

* ``errors`` – typed exceptions (all derive from ``PowerAuthError``).
* ``codec`` – strict Base64 and ``LV`` joins; ``versions`` – protocol version rules.
* ``kdf`` – KDF, KDF_INTERNAL, X9.63, HMAC and AES-CBC helpers; ``keys`` – P-256 keys, ECDH, derived keys.
* ``counter`` – hash-based counter; ``status_blob`` – activation status blob and counter resync.
* ``activation_code`` – code, CRC-16, activation signature and ID; ``fingerprint`` – 8-digit fingerprint.
* ``ecies`` – ECIES contexts, encryptor (client) and decryptor (server); ``replay`` – replay guard.
* ``activation`` – the two-layer activation exchange; ``temporary_key`` – 3.3 keystore JWTs.
* ``signature`` – online/offline signatures; ``token`` – token digests; ``headers`` – ``X-PowerAuth-*``.
* ``request_auth`` – sign/verify whole requests and token headers; ``ClientCounter`` for the device.
* ``vault`` – vault key and device-local key protection; ``sdk_config`` – mobile SDK config string.
"""
