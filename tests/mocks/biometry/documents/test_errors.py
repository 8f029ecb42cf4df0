"""Malformed calls get a 4xx in the provider's envelope with the contract's code; nothing gets a 5xx."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from mocks.biometry.documents.settings import MAX_IMAGE_BYTES
from mocks.framework import RunningServer
from simulator.identity.documents.layout import DocumentKind

from .conftest import BASE, DocApi, Evidence, read_files


def _error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"} and body["error"] == code, body
    return str(body["error_description"])


def _image(fmt: str, size: tuple[int, int] = (800, 600)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (90, 120, 200)).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("header", [None, "api_key wrong", "Bearer rsim-documents-api-key", "api_key"])
def test_missing_or_wrong_key(server: RunningServer, header: str | None) -> None:
    api = DocApi(server.url, "auth")
    if header is None:
        del api.http.headers["Authorization"]
    else:
        api.http.headers["Authorization"] = header
    _error(api.call("POST", BASE, {}), 401, "invalid_key")
    _error(api.call("GET", f"{BASE}/whatever"), 401, "invalid_key")


@pytest.mark.parametrize(
    ("image", "status", "code", "why"),
    [
        ("!!!not base64!!!", 400, "invalid_image", "Base64"),
        (base64.b64encode(b"GIF89a" + bytes(100)).decode(), 400, "invalid_image", "JPEG or PNG"),
        (base64.b64encode(b"\xff\xd8\xff" + bytes(500)).decode(), 400, "invalid_image", "decoded"),
        (base64.b64encode(_image("PNG", (200, 150))).decode(), 400, "invalid_image", "too small"),
        (
            base64.b64encode(b"\xff\xd8\xff" + bytes(MAX_IMAGE_BYTES)).decode(),
            413,
            "image_too_large",
            "exceeds",
        ),
    ],
    ids=["not-base64", "gif", "corrupt-jpeg", "too-small", "too-large"],
)
def test_bad_page_images(api: DocApi, image: str, status: int, code: str, why: str) -> None:
    inv = api.create()
    r = api.call(
        "POST", f"{BASE}/{inv}/pages", {"documentType": "PASSPORT", "side": "DATA_PAGE", "image": image}
    )
    assert why in _error(r, status, code)
    assert api.poll(inv)["pages"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"documentType": "ID_CARD", "side": "DATA_PAGE", "image": "AAAA"},
        {"documentType": "PASSPORT", "side": "FRONT", "image": "AAAA"},
        {"documentType": "DRIVING_LICENSE", "side": "FRONT", "image": "AAAA"},
        {"documentType": "PASSPORT", "side": "DATA_PAGE"},
        {"documentType": "PASSPORT", "side": "DATA_PAGE", "image": "AAAA", "extra": 1},
        {"documentType": "PASSPORT", "side": "DATA_PAGE", "image": 12},
    ],
)
def test_malformed_page_bodies(api: DocApi, body: dict[str, Any]) -> None:
    _error(api.call("POST", f"{BASE}/{api.create()}/pages", body), 400, "invalid_request")


@pytest.mark.parametrize(
    ("drop", "add", "why"),
    [
        ("EF.SOD", {}, "missing: EF.SOD"),
        ("DG1.bin", {}, "missing: DG1.bin"),
        (None, {"DG99.bin": "AAAA"}, "unknown chip file name"),
        (None, {"DG3.bin": "***"}, "not valid Base64"),
        (None, {"AA.challenge": "AAAAAAAAAAA="}, "go together"),
        (None, {"DG11.bin": base64.b64encode(bytes(40_000)).decode()}, "exceeds"),
    ],
)
def test_bad_chip_uploads(
    api: DocApi, evidence: Evidence, drop: str | None, add: dict[str, str], why: str
) -> None:
    files = read_files(evidence.chip, evidence.passport_lines)
    if drop:
        del files[drop]
    inv = api.create()
    assert why in _error(api.chip(inv, {**files, **add}), 400, "invalid_chip_data")
    assert api.poll(inv)["chip"] is None


def test_garbage_inside_a_well_formed_chip_upload_is_evidence_not_an_error(
    api: DocApi, evidence: Evidence
) -> None:
    files = read_files(evidence.chip, evidence.passport_lines)
    files["EF.SOD"] = base64.b64encode(b"\x77\x03abc").decode()
    inv = api.create()
    assert api.chip(inv, files).status_code == 200
    result = api.result(inv)
    pa = next(v for v in result["validators"] if v["name"] == "chip_passive_authentication")
    assert pa["reason"] == "sod_malformed" and result["verdict"] == "REJECTED"


def test_state_rules(api: DocApi, evidence: Evidence) -> None:
    _error(api.call("GET", f"{BASE}/no-such-id"), 404, "not_found")
    _error(api.submit("no-such-id"), 404, "not_found")
    inv = api.create()
    assert "nothing to verify" in _error(api.submit(inv), 409, "invalid_state")
    _error(api.portrait(inv), 409, "result_not_ready")
    back = evidence.photos[DocumentKind.ID_BACK]
    api.page(inv, "ID_CARD", "BACK", back)
    assert api.submit(inv).status_code == 202
    _error(api.submit(inv), 409, "invalid_state")
    _error(api.page(inv, "ID_CARD", "FRONT", evidence.photos[DocumentKind.ID_FRONT]), 409, "invalid_state")
    _error(api.chip(inv, read_files(evidence.chip, evidence.passport_lines)), 409, "invalid_state")
    assert api.poll(inv)["status"] == "DONE"
    _error(api.portrait(inv), 404, "portrait_unavailable")  # an ID card back has no portrait


def test_page_limit(api: DocApi) -> None:
    inv = api.create()
    blank = _image("JPEG")
    for _ in range(4):
        assert api.page(inv, "PASSPORT", "DATA_PAGE", blank).status_code == 201
    assert "at most 4" in _error(api.page(inv, "PASSPORT", "DATA_PAGE", blank), 409, "invalid_state")


def test_malformed_json_and_wrong_method(api: DocApi) -> None:
    r = api.http.post(
        api.url + BASE, data=b"{not json", headers={"Content-Type": "application/json"}, timeout=10
    )
    _error(r, 400, "invalid_request")
    _error(api.call("PUT", BASE, {}), 405, "invalid_request")
    _error(api.call("POST", BASE, {"expected": {"birthDate": "12.04.1990"}}), 400, "invalid_request")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
_near_valid = st.fixed_dictionaries(
    {},
    optional={
        "documentType": st.sampled_from(["ID_CARD", "PASSPORT", "X"]) | _json,
        "side": st.sampled_from(["FRONT", "BACK", "DATA_PAGE"]) | _json,
        "image": st.text(max_size=40) | _json,
        "files": _json,
        "expected": _json,
        "customerId": _json,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_json | _near_valid, target=st.sampled_from(["create", "pages", "chip"]))
def test_arbitrary_bodies_never_cause_a_5xx(api: DocApi, body: Any, target: str) -> None:
    inv = api.create()
    method, path = {
        "create": ("POST", BASE),
        "pages": ("POST", f"{BASE}/{inv}/pages"),
        "chip": ("PUT", f"{BASE}/{inv}/chip"),
    }[target]
    r = api.call(method, path, body)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert set(r.json()) == {"error", "error_description"}
