"""How the Enrollment Server reaches the PowerAuth Server: in process, through its model functions.

Both servers live in one app, so the Enrollment Server calls the same functions the REST handlers
call (never a shortcut around their rules).  A PowerAuth Server error (``ERR00xx``) must not leak to
the device: :func:`pas_call` turns it into the Enrollment Server's own error for the endpoint, as the
real server does when its REST client gets an error back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

from mocks.wultra.powerauth_server.exceptions import PowerAuthServerError
from simulator.powerauth.errors import PowerAuthError

from .exceptions import EnrollmentError


@contextmanager
def pas_call(error: type[EnrollmentError]) -> Iterator[None]:
    """Run PowerAuth Server calls; their errors (and protocol format errors) become ``error``."""
    try:
        yield
    except PowerAuthServerError as exc:
        current_app.logger.info("PowerAuth Server refused: %s %s", exc.code, exc.message)
        raise error(f"{exc.code}: {exc.message}") from None
    except PowerAuthError as exc:
        current_app.logger.info("protocol error: %s", exc)
        raise error(str(exc)) from None
