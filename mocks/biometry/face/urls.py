"""Routes of the face API (iProov REST API v2 paths) plus the device's capture upload."""

from __future__ import annotations

from flask import Blueprint

from . import responses


def face_blueprint() -> Blueprint:
    bp = Blueprint("biometry_face", __name__, url_prefix="/api/v2")
    bp.add_url_rule("/claim/enrol/token", view_func=responses.enrol_token, methods=["POST"])
    bp.add_url_rule("/claim/enrol/image", view_func=responses.enrol_image, methods=["POST"])
    bp.add_url_rule("/claim/verify/token", view_func=responses.verify_token, methods=["POST"])
    bp.add_url_rule("/claim/verify/capture", view_func=responses.upload_capture, methods=["POST"])
    bp.add_url_rule("/claim/verify/validate", view_func=responses.verify_validate, methods=["POST"])
    bp.add_url_rule("/claim/<token>/invalidate", view_func=responses.invalidate, methods=["POST"])
    bp.add_url_rule("/users/<user_id>", view_func=responses.get_user, methods=["GET"])
    bp.add_url_rule("/users/<user_id>", view_func=responses.delete_user, methods=["DELETE"],
                    endpoint="delete_user")
    return bp
