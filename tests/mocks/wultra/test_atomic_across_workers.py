"""The Wultra mock under the production server with two workers on one Redis: what must happen once
happens once, whichever worker takes the request.

A real PowerAuth Server behind a load balancer guarantees this with database locks: an activation
code creates one activation, and a signature (its counter) is accepted once - a replay is a failed
attempt.  Here the requests race for real: many threads, each on its own connection, released
together.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from mocks.framework.production import ProductionServer, serve_production
from mocks.framework.redis_store.server import redis_server_binary, start_redis
from mocks.wultra.powerauth_server.client import PowerAuthServerClient
from simulator.device.powerauth_sdk import DeviceStorage, PowerAuthConfig, PowerAuthSDK, ServerError

T = TypeVar("T")
BODY = b'{"payment":{"amount":"100.00"}}'
URI_ID = "/pa/payment/confirm"
MAX_FAILED_ATTEMPTS = 5

pytestmark = pytest.mark.skipif(redis_server_binary() is None,
                                reason="redis-server is not installed (apt-get install redis-server)")


@pytest.fixture(scope="module")
def wultra() -> Iterator[ProductionServer]:
    with start_redis() as redis:
        config = {"store": "redis", "redis_url": redis.url, "redis_prefix": f"w{uuid.uuid4().hex[:8]}",
                  "seed": 5}
        with serve_production("mocks.wultra.app:create_app", config, workers=2, threads=8) as server:
            yield server


def _together(n: int, call: Callable[[int], T]) -> list[T]:
    """``n`` calls released at the same instant from ``n`` threads."""
    barrier = threading.Barrier(n)

    def one(i: int) -> T:
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


class _App:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = f"atomic-{uuid.uuid4().hex[:10]}"
        self.pas = PowerAuthServerClient(url, session=self.session)
        self.pas.ok("/application/create", {"applicationId": "app"})
        detail = self.pas.ok("/application/detail", {"applicationId": "app"})
        version = detail["versions"][0]
        self.config = PowerAuthConfig.from_values(version["applicationKey"], version["applicationSecret"],
                                                  detail["masterPublicKey"], "3.3")

    def phone(self) -> PowerAuthSDK:
        return PowerAuthSDK(self.config, DeviceStorage(), self.url, session=self.session)

    def verify(self, header_value: str) -> dict[str, Any]:
        return self.pas.verify_signed_request(header_value, method="POST", uri_id=URI_ID, body=BODY)


def test_one_activation_code_creates_one_activation_across_workers(wultra: ProductionServer) -> None:
    app = _App(wultra.url)
    init = app.pas.ok("/activation/init", {"userId": "alice", "applicationId": "app"})
    code = f"{init['activationCode']}#{init['activationSignature']}"
    phones = [app.phone() for _ in range(24)]

    def create(i: int) -> str:
        try:
            phones[i].create_activation(code, name=f"phone {i}")
            return "created"
        except ServerError as exc:
            assert 400 <= exc.http_status < 500, exc
            return "refused"
        finally:
            phones[i].close()

    outcomes = Counter(_together(len(phones), create))
    assert outcomes == {"created": 1, "refused": len(phones) - 1}
    status = app.pas.ok("/activation/status", {"activationId": init["activationId"]})
    assert status["activationStatus"] == "PENDING_COMMIT"


def test_a_signature_is_accepted_once_across_workers(wultra: ProductionServer) -> None:
    app = _App(wultra.url)
    init = app.pas.ok("/activation/init", {"userId": "bob", "applicationId": "app"})
    phone = app.phone()
    try:
        phone.create_activation(f"{init['activationCode']}#{init['activationSignature']}", name="phone")
        phone.persist_activation("1234")
        app.pas.ok("/activation/commit", {"activationId": init["activationId"]})
        header = phone.sign("POST", URI_ID, BODY, "possession_knowledge", pin="1234")
    finally:
        phone.close()

    answers = _together(24, lambda _i: app.verify(header))
    assert Counter(a["signatureValid"] for a in answers) == {True: 1, False: 23}
    # Every replay of a knowledge signature is a failed attempt, counted exactly up to the maximum;
    # then the activation is BLOCKED and later replays are refused without counting.
    status = app.pas.ok("/activation/status", {"activationId": init["activationId"]})
    assert status["activationStatus"] == "BLOCKED"
    assert status["failedAttempts"] == MAX_FAILED_ATTEMPTS
