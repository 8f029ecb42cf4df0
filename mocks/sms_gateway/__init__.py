"""SMS gateway mock shaped like Twilio's Programmable Messaging API.

An alert service written against Twilio's ``Messages`` resource can point at this mock unchanged:
``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form-encoded, HTTP Basic auth with the
account SID and auth token), fetch and list, Twilio's error envelope and codes.  Messages move
``queued → sent → delivered | undelivered | failed`` on the virtual clock, lazily whenever messages
are read; each transition is reported to the message's ``StatusCallback`` with an
``X-Twilio-Signature`` header.  Delivered messages land in per-handset inboxes that the virtual phone
reads at ``GET /handsets/{E.164}/messages``.  SMS delivery faults (delay, drop, duplicate,
out-of-order, carrier failure) are configured at ``/_admin/sms-faults`` and drawn from a seed.

Accounts: ``extra.account_sid`` / ``extra.auth_token`` in the mock's config, defaulting to
``AC5555…5555`` (``"AC"`` + 32 × ``5``) and ``rsim-sms-auth-token-0000000000000``
(``DEFAULT_ACCOUNT_SID`` / ``DEFAULT_AUTH_TOKEN`` in :mod:`.accounts`).
"""
