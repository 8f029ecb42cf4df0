"""The account the mock accepts: SID and auth token from ``config.extra``, else documented defaults.

Twilio authenticates the Messages API with HTTP Basic (username = account SID, password = auth
token); an alert service configured with :data:`DEFAULT_ACCOUNT_SID` / :data:`DEFAULT_AUTH_TOKEN`
works against a mock started without any account settings.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from flask import request

from mocks.framework import current_runtime

from .exceptions import AuthenticationError

__all__ = ["DEFAULT_ACCOUNT_SID", "DEFAULT_AUTH_TOKEN", "Account", "account", "authenticate"]

DEFAULT_ACCOUNT_SID = "AC" + "5" * 32
DEFAULT_AUTH_TOKEN = "rsim-sms-auth-token-0000000000000"


@dataclass(frozen=True)
class Account:
    """One Twilio-style account."""

    sid: str
    auth_token: str


def account() -> Account:
    """The configured account (``extra.account_sid`` / ``extra.auth_token``)."""
    extra = current_runtime().config.extra
    return Account(sid=str(extra.get("account_sid", DEFAULT_ACCOUNT_SID)),
                   auth_token=str(extra.get("auth_token", DEFAULT_AUTH_TOKEN)))


def authenticate(path_sid: str) -> Account:
    """Check HTTP Basic credentials against the account named in the URL, or raise 401 (20003)."""
    acct = account()
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None or auth.password is None:
        raise AuthenticationError("Authentication Error - No credentials provided")
    ok_user = hmac.compare_digest(auth.username.encode(), acct.sid.encode())
    ok_pass = hmac.compare_digest(auth.password.encode(), acct.auth_token.encode())
    if not (ok_user and ok_pass):
        raise AuthenticationError("Authentication Error - invalid username")
    if path_sid != acct.sid:
        raise AuthenticationError("Authentication Error - account SID in the URL does not match")
    return acct
