"""Enrolled users: ``user:<user_id>`` records holding the trusted image's face template.

The template (``FaceTemplate.to_bytes``, Base64) is extracted once at enrolment, so a verification
costs one probe extraction plus a comparison, as at a real provider.
"""

from __future__ import annotations

import base64
from typing import Any

from mocks.framework import now, store
from simulator.identity.faces.matcher import FaceTemplate

from ..exceptions import AlreadyEnrolledError, InvalidUserIdError, NoUserError

Record = dict[str, Any]
MAX_USER_ID = 256


def user_key(user_id: str) -> str:
    return f"user:{user_id}"


def check_user_id(user_id: str | None) -> str:
    """A non-empty printable identifier of at most 256 characters, else ``invalid_user_id``."""
    if not user_id or len(user_id) > MAX_USER_ID or not user_id.isprintable():
        raise InvalidUserIdError(f"user_id must be 1-{MAX_USER_ID} printable characters")
    return user_id


def ensure_not_enrolled(user_id: str) -> None:
    if store().get(user_key(user_id)) is not None:
        raise AlreadyEnrolledError(f"user {user_id!r} is already enrolled; delete the user to re-enrol")


def enrol(user_id: str, template: FaceTemplate, source: str) -> Record:
    """Create the user with its cached template; ``already_enrolled`` if one raced in first."""
    record: Record = {
        "userId": user_id,
        "status": "Active",
        "source": source,
        "enrolledAt": now().isoformat(),
        "template": base64.b64encode(template.to_bytes()).decode("ascii"),
    }
    if not store().put_if_absent(user_key(user_id), record):
        raise AlreadyEnrolledError(f"user {user_id!r} is already enrolled")
    return record


def get_user(user_id: str) -> Record:
    record = store().get(user_key(user_id))
    if record is None:
        raise NoUserError(f"no enrolled user {user_id!r}")
    return dict(record)


def template_of(record: Record) -> FaceTemplate:
    return FaceTemplate.from_bytes(base64.b64decode(record["template"]))


def delete_user(user_id: str) -> None:
    if not store().delete(user_key(user_id)):
        raise NoUserError(f"no enrolled user {user_id!r}")


def public_view(record: Record) -> Record:
    """What ``GET /users/{user_id}`` shows (never the template)."""
    return {"user_id": record["userId"], "status": record["status"], "source": record["source"],
            "enrolled_at": record["enrolledAt"]}
