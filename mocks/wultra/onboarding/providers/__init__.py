"""Adapters to the parties the Onboarding Server calls by URL (through the framework's ``outbound()``).

* :mod:`.bank` - the bank's onboarding adapter (``/user/lookup``, ``/otp/send``, ``/client/evaluate``,
  ``/process/event``);
* :mod:`.face` - the face biometry provider (iProov-shaped REST API v2);
* :mod:`.documents` - the document verification provider.

Each adapter turns the other party's answers into plain results or typed onboarding errors, so the
models never see HTTP.
"""
