"""The face biometry provider (iProov REST API v2 shape), called by URL - steps 4 to 7.

Sequence as Wultra's iProov presence-check provider runs it: at the first presence-check init of a
verification, delete the provider's user if it exists, ``claim/enrol/token`` and upload the trusted
image (``claim/enrol/image``, ``source`` ``eid`` for a chip portrait, ``oid`` for a document one); at
every init, ``claim/verify/token`` (its token and liveness challenge go to the device); after the
device says it is done, ``claim/verify/validate`` fetches the verdict server-side (RX-11).

The provider's user id is Wultra's ``userIdSecured``: unpadded Base32 of SHA-256 of the user id.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import requests
from urllib3.filepost import encode_multipart_formdata

from mocks.framework import UpstreamError, outbound

from ..exceptions import PresenceCheckError, RemoteCommunicationError
from ..settings import OnboardingSettings


class UnknownFaceUser(Exception):
    """The provider has no such user (it was reset, or the user was deleted meanwhile)."""


@dataclass(frozen=True)
class VerifyToken:
    token: str
    liveness_challenge: Any


@dataclass(frozen=True)
class PresenceResult:
    """``ACCEPTED`` (passed), ``REJECTED`` (not passed) or ``FAILED`` (token unusable, no result)."""

    status: str
    reason: str | None = None


def secured_user_id(user_id: str) -> str:
    return base64.b32encode(hashlib.sha256(user_id.encode("utf-8")).digest()).decode("ascii").rstrip("=")


def _url(settings: OnboardingSettings, path: str) -> str:
    return settings.biometry_url.rstrip("/") + "/api/v2" + path


def _creds(settings: OnboardingSettings) -> dict[str, str]:
    return {"api_key": settings.biometry_api_key, "secret": settings.biometry_secret}


def _body(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RemoteCommunicationError(f"face provider sent an unusable answer to {what}")
    return body


def _ok(response: requests.Response, what: str) -> dict[str, Any]:
    body = _body(response, what)
    if response.status_code != 200:
        raise RemoteCommunicationError(
            f"face provider refused {what}: {response.status_code} {body.get('error', '')}".rstrip())
    return body


def _token(body: dict[str, Any], what: str) -> str:
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise RemoteCommunicationError(f"face provider answered {what} without a token")
    return token


def enrol(settings: OnboardingSettings, *, user_id: str, resource: str, image: bytes, source: str) -> None:
    """Replace the provider's user with one enrolled from ``image`` (the trusted image, RX-09)."""
    query = urlencode(_creds(settings))
    outbound().request("DELETE", _url(settings, f"/users/{quote(user_id, safe='')}?{query}"))
    claim = _ok(outbound().post(_url(settings, "/claim/enrol/token"),
                                json={**_creds(settings), "resource": resource, "user_id": user_id,
                                      "assurance_type": "genuine_presence"}), "enrol token")
    fields = {**_creds(settings), "token": _token(claim, "enrol token"), "source": source, "rotation": "0",
              "image": ("trusted.jpg", image, "image/jpeg")}
    data, content_type = encode_multipart_formdata(fields)
    response = outbound().post(_url(settings, "/claim/enrol/image"), data=data,
                               headers={"Content-Type": content_type})
    if response.status_code != 200:
        error = _body(response, "enrol image").get("error", "")
        if response.status_code == 400:
            raise PresenceCheckError(f"the trusted image was refused by the face provider ({error})")
        raise RemoteCommunicationError(f"face provider refused the trusted image: {response.status_code}")


def verify_token(settings: OnboardingSettings, *, user_id: str, resource: str) -> VerifyToken:
    """A verify token and its liveness challenge; :class:`UnknownFaceUser` when nobody is enrolled."""
    response = outbound().post(_url(settings, "/claim/verify/token"),
                               json={**_creds(settings), "resource": resource, "user_id": user_id,
                                     "assurance_type": "genuine_presence"})
    if response.status_code == 400 and _body(response, "verify token").get("error") == "no_user":
        raise UnknownFaceUser(user_id)
    body = _ok(response, "verify token")
    return VerifyToken(_token(body, "verify token"), body.get("liveness_challenge"))


def validate(settings: OnboardingSettings, *, user_id: str, token: str) -> PresenceResult:
    """The verdict, fetched server-side; a token the provider refuses (4xx) is ``FAILED``."""
    response = outbound().post(_url(settings, "/claim/verify/validate"),
                               json={**_creds(settings), "user_id": user_id, "token": token,
                                     "client": "enrollment-server-onboarding"})
    body = _body(response, "validate")
    if response.status_code == 200:
        if body.get("passed") is True:
            return PresenceResult("ACCEPTED")
        return PresenceResult("REJECTED", str(body.get("reason") or "not_passed"))
    if 400 <= response.status_code < 500 and response.status_code != 401:
        return PresenceResult("FAILED", str(body.get("error") or response.status_code))
    raise RemoteCommunicationError(f"face provider answered {response.status_code} to validate")


def invalidate(settings: OnboardingSettings, *, token: str, reason: str) -> None:
    """``claim/{token}/invalidate``: a superseded token can no longer carry a capture (best effort)."""
    try:
        outbound().post(_url(settings, f"/claim/{quote(token, safe='')}/invalidate"),
                        json={**_creds(settings), "reason": reason})
    except UpstreamError:
        return


def delete_user(settings: OnboardingSettings, *, user_id: str) -> None:
    """``DELETE /users/{id}``: the trusted image is not kept after the process (best effort)."""
    query = urlencode(_creds(settings))
    try:
        outbound().request("DELETE", _url(settings, f"/users/{quote(user_id, safe='')}?{query}"))
    except UpstreamError:
        return
