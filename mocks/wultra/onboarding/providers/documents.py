"""The document verification provider (ZenID/Innovatrics-style investigations), called by URL.

Contract: ``mocks/biometry/documents`` (base ``/api/v1/documents``, ``Authorization: api_key …``):
open an investigation, upload pages (each read at once: ``READ`` or ``UNREADABLE``), put chip files,
submit, poll until ``DONE``, read the verdict, the extracted data and the trusted portrait (chip DG2
when passive authentication passed, else the document's portrait).

A 4xx about one piece of evidence (bad image, bad chip data) is that evidence's rejection, returned
as :class:`EvidenceRejected`; unreachable provider or a 5xx is ``REMOTE_COMMUNICATION_ERROR`` (409);
any other unusable answer is the provider's failure too, never a crash.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from typing import Any

import requests

from mocks.framework import outbound
from simulator.encoding import b64decode_strict

from ..exceptions import RemoteCommunicationError
from ..settings import OnboardingSettings

BASE = "/api/v1/documents/investigations"


class EvidenceRejected(Exception):
    """The provider refused one page or the chip data (``code`` is its error code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Investigation:
    """What a poll tells: ``status`` and, once ``DONE``, verdict, extracted data, portrait source."""

    status: str
    verdict: str | None = None
    extracted_data: dict[str, Any] | None = None
    portrait_available: bool = False
    portrait_source: str | None = None


def _url(settings: OnboardingSettings, path: str = "") -> str:
    return settings.document_provider_url.rstrip("/") + BASE + path


def _headers(settings: OnboardingSettings) -> dict[str, str]:
    return {"Authorization": f"api_key {settings.document_api_key}"}


def _json(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RemoteCommunicationError(f"document provider sent an unusable answer to {what}")
    return body


def _checked(response: requests.Response, what: str, *, evidence: bool = False) -> dict[str, Any]:
    if 200 <= response.status_code < 300:
        return _json(response, what) if response.content else {}
    if evidence and 400 <= response.status_code < 500 and response.status_code not in (401, 404, 409):
        body = _json(response, what)
        raise EvidenceRejected(str(body.get("error", "rejected")))
    raise RemoteCommunicationError(f"document provider answered {response.status_code} to {what}")


def open_investigation(settings: OnboardingSettings, customer_id: str) -> str:
    response = outbound().post(_url(settings), json={"customerId": customer_id}, headers=_headers(settings))
    body = _checked(response, "open investigation")
    investigation_id = body.get("investigationId")
    if not isinstance(investigation_id, str) or not investigation_id:
        raise RemoteCommunicationError("document provider opened an investigation without an id")
    return investigation_id


def upload_page(settings: OnboardingSettings, investigation_id: str, *, document_type: str, side: str,
                image_b64: str, filename: str) -> dict[str, Any]:
    """Upload one page; returns the provider's page (``status`` READ/UNREADABLE, ``pageId``)."""
    # the outbound client's JSON writer copies the Base64 image past the encoder's escape scan
    response = outbound().post(_url(settings, f"/{investigation_id}/pages"), headers=_headers(settings),
                               json={"documentType": document_type, "side": side, "image": image_b64,
                                     "filename": filename})
    page = _checked(response, "page upload", evidence=True)
    if not isinstance(page.get("pageId"), str):
        raise RemoteCommunicationError("document provider answered a page upload without a pageId")
    return page


def delete_page(settings: OnboardingSettings, investigation_id: str, page_id: str) -> None:
    outbound().request("DELETE", _url(settings, f"/{investigation_id}/pages/{page_id}"),
                       headers=_headers(settings))


def put_chip(settings: OnboardingSettings, investigation_id: str, files: dict[str, str]) -> None:
    response = outbound().request("PUT", _url(settings, f"/{investigation_id}/chip"),
                                  json={"files": files}, headers=_headers(settings))
    _checked(response, "chip upload", evidence=True)


def submit(settings: OnboardingSettings, investigation_id: str) -> None:
    response = outbound().post(_url(settings, f"/{investigation_id}/submit"), json={},
                               headers=_headers(settings))
    _checked(response, "submit")


def poll(settings: OnboardingSettings, investigation_id: str) -> Investigation:
    body = _checked(outbound().get(_url(settings, f"/{investigation_id}"), headers=_headers(settings)),
                    "investigation poll")
    status = body.get("status")
    if status != "DONE":
        return Investigation(status=str(status))
    result = body.get("result")
    if not isinstance(result, dict) or result.get("verdict") not in ("ACCEPTED", "REJECTED"):
        raise RemoteCommunicationError("document provider reported DONE without a verdict")
    portrait = result.get("portrait") if isinstance(result.get("portrait"), dict) else {}
    data = result.get("extractedData")
    return Investigation("DONE", result["verdict"], data if isinstance(data, dict) else None,
                         portrait.get("available") is True, portrait.get("source"))


def portrait(settings: OnboardingSettings, investigation_id: str) -> tuple[str, bytes]:
    """(source ``CHIP_DG2``/``DOCUMENT``, image bytes) of the trusted portrait."""
    body = _checked(outbound().get(_url(settings, f"/{investigation_id}/portrait"),
                                   headers=_headers(settings)), "portrait")
    try:
        data = b64decode_strict(str(body.get("data", "")))
    except (binascii.Error, ValueError):
        raise RemoteCommunicationError("document provider sent a portrait that is not Base64") from None
    if not data:
        raise RemoteCommunicationError("document provider sent an empty portrait")
    return str(body.get("source") or "DOCUMENT"), data


def delete_investigation(settings: OnboardingSettings, investigation_id: str) -> None:
    outbound().request("DELETE", _url(settings, f"/{investigation_id}"), headers=_headers(settings))
