"""The session's trust list (seeded CSCAs plus what a test added) and the admin API that edits it.

``/_admin/document-trust`` (guarded like every admin route by ``require_admin_token``):
``GET`` lists it, ``POST {"pem"}`` adds CSCA certificates/CRLs, ``PUT {"pem", "includeSeeded"}``
replaces the additions (optionally dropping the seeded CSCAs), ``DELETE`` restores the seeded list.
State lives in the store under ``doctrust`` so it is per session and cleared by ``/_admin/reset``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from mocks.framework import MockError, parse_body, store
from mocks.framework.admin import require_admin_token
from simulator.identity.chip.errors import PkiError
from simulator.identity.chip.pki import TrustList

from .settings import document_settings
from .trust import build_trust_list, describe

_KEY = "doctrust"
MAX_PEM_CHARS = 512 * 1024


class TrustUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    pem: str = Field(default="", max_length=MAX_PEM_CHARS)
    include_seeded: bool = Field(default=True, alias="includeSeeded")


def _state() -> dict[str, Any]:
    raw = store().get(_KEY)
    return raw if isinstance(raw, dict) else {"pem": "", "includeSeeded": True}


def session_trust_list(seed: str) -> TrustList:
    """The trust list the current session's investigations are verified against."""
    state = _state()
    return build_trust_list(seed, state["pem"] or None, bool(state["includeSeeded"]))


def _checked(pem: str, include_seeded: bool) -> TrustList:
    try:
        return build_trust_list(document_settings().trust_seed, pem or None, include_seeded)
    except PkiError as exc:
        raise MockError(f"trust list refused: {exc}", status=400, kind="validation") from None


def _render(trust: TrustList) -> Response:
    return jsonify(describe(trust, document_settings().trust_seed))


def get_trust() -> Response:
    require_admin_token()
    return _render(session_trust_list(document_settings().trust_seed))


def add_trust() -> Response:
    require_admin_token()
    body = parse_body(TrustUpdate)
    if not body.pem.strip():
        raise MockError("pem is required", status=400, kind="validation")
    state = _state()
    pem = (state["pem"] + "\n" + body.pem).strip() if state["pem"] else body.pem.strip()
    trust = _checked(pem, bool(state["includeSeeded"]))
    store().put(_KEY, {"pem": pem, "includeSeeded": bool(state["includeSeeded"])})
    return _render(trust)


def replace_trust() -> Response:
    require_admin_token()
    body = parse_body(TrustUpdate)
    trust = _checked(body.pem.strip(), body.include_seeded)
    store().put(_KEY, {"pem": body.pem.strip(), "includeSeeded": body.include_seeded})
    return _render(trust)


def reset_trust() -> Response:
    require_admin_token()
    store().delete(_KEY)
    return get_trust()
