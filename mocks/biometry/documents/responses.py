"""Thin handlers of the document API: authenticate, parse, call the model, render the contract's bodies."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from mocks.framework import RequestValidationError, now, parse_body
from simulator.encoding import b64encode_text

from . import investigations as model
from .auth import check_api_key
from .chipdata import chip_record, decode_files
from .pages import SIDES_OF, decode_image, page_body, read_page
from .schemas import ChipUpload, CreateInvestigation, PageUpload


def _investigation_body(record: dict[str, Any]) -> dict[str, Any]:
    investigation_id = record["investigationId"]
    done = record["status"] == model.DONE
    return {
        "investigationId": investigation_id,
        "status": record["status"],
        "customerId": record["customerId"],
        "createdAt": record["createdAt"],
        "submittedAt": record["submittedAt"],
        "completedAt": record["completedAt"],
        "chipChallenge": record["chipChallenge"],
        "pages": [page_body(page, investigation_id) for page in model.pages_of(record)],
        "chip": _chip_body(record["chip"]),
        "result": record["result"] if done else None,
    }


def _chip_body(chip: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if chip is None else {"dataGroups": chip["dataGroups"], "mrz": chip["mrz"]}


def _created(body: dict[str, Any], status: int = 201) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def create_investigation() -> Response:
    check_api_key()
    body = parse_body(CreateInvestigation)
    expected = None
    if body.expected is not None:
        expected = {
            "givenNames": body.expected.given_names,
            "surname": body.expected.surname,
            "birthDate": body.expected.birth_date.isoformat() if body.expected.birth_date else None,
            "documentNumber": body.expected.document_number,
        }
    record = model.create(body.customer_id, expected)
    return _created(_investigation_body(record))


def get_investigation(investigation_id: str) -> Response:
    check_api_key()
    return jsonify(_investigation_body(model.poll(investigation_id)))


def upload_page(investigation_id: str) -> Response:
    check_api_key()
    body = parse_body(PageUpload)
    if body.side not in SIDES_OF[body.document_type]:
        raise RequestValidationError(
            f"side {body.side} does not exist on a {body.document_type} "
            f"(one of {', '.join(SIDES_OF[body.document_type])})"
        )
    model.require_open(investigation_id)
    image = decode_image(body.image)
    page = read_page(model.new_page_id(), body.document_type, body.side, body.filename, image, now().date())
    model.add_page(investigation_id, page)
    return _created(page_body(page, investigation_id))


def get_page(investigation_id: str, page_id: str) -> Response:
    check_api_key()
    return jsonify(page_body(model.get_page(investigation_id, page_id), investigation_id))


def delete_page(investigation_id: str, page_id: str) -> Response:
    check_api_key()
    model.delete_page(investigation_id, page_id)
    return Response(status=204)


def upload_chip(investigation_id: str) -> Response:
    check_api_key()
    body = parse_body(ChipUpload)
    model.require_open(investigation_id)
    record = chip_record(decode_files(body.files))
    model.set_chip(investigation_id, record)
    return jsonify({"investigationId": investigation_id, "chip": _chip_body(record)})


def submit(investigation_id: str) -> Response:
    check_api_key()
    record = model.submit(investigation_id)
    return _created({"investigationId": investigation_id, "status": record["status"]}, status=202)


def get_portrait(investigation_id: str) -> Response:
    check_api_key()
    record, data = model.portrait(investigation_id)
    result = record["result"] or {}
    return jsonify(
        {
            "investigationId": investigation_id,
            "photoId": investigation_id,
            "source": (result.get("portrait") or {}).get("source"),
            "filename": "portrait.jpg",
            "contentType": "image/jpeg",
            "data": b64encode_text(data),
        }
    )


def delete_investigation(investigation_id: str) -> Response:
    check_api_key()
    model.delete(investigation_id)
    return Response(status=204)
