"""Request objects inside valid encryption: parsed strictly, and never a 5xx whatever they hold."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocks.wultra.onboarding.identity_documents import required_set_complete
from mocks.wultra.onboarding.process import normalize_identification
from mocks.wultra.onboarding.providers.face import secured_user_id

PATHS = ["/api/configuration", "/api/onboarding/start", "/api/onboarding/status",
         "/api/onboarding/otp/resend", "/api/onboarding/cleanup", "/api/identity/init",
         "/api/identity/status", "/api/v2/identity/document/submit", "/api/identity/presence-check/init",
         "/api/identity/otp/verify", "/api/identity/activation"]

scalars = st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.text(max_size=24)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=12), inner, max_size=3), max_leaves=8)
keys = st.sampled_from(["identification", "processId", "processToken", "processType", "otpCode", "documents",
                        "chip", "resubmit", "fdsData", "x"])
request_objects = st.dictionaries(keys, values, max_size=5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), request_object=request_objects)
def test_any_request_object_gets_an_answer_in_the_envelope(world: Any, path: str,
                                                           request_object: dict[str, Any]) -> None:
    answer = world.device.call(path, request_object)
    assert answer.status in (200, 400, 429), answer.body
    if answer.status != 200:
        assert answer.body["status"] == "ERROR" and answer.body["responseObject"]["code"]


def test_configuration_of_the_reactivation_process(world: Any) -> None:
    config = world.device.call("/api/configuration", {"processType": "reactivation"}).result
    assert config["enabled"] is True and config["otpResendPeriodSeconds"] == 30
    items = config["documents"]["groups"][0]["items"]
    assert {(i["type"], i["sideCount"]) for i in items} == {("ID_CARD", 2), ("PASSPORT", 1)}
    refused = world.device.call("/api/configuration", {"processType": "onboarding"})
    assert (refused.status, refused.code) == (400, "INVALID_REQUEST")


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8) | st.integers(), max_size=5))
def test_identification_normalization_ignores_key_order(identification: dict[str, Any]) -> None:
    reordered = dict(reversed(list(identification.items())))
    assert normalize_identification(identification) == normalize_identification(reordered)


def test_required_evidence_sets() -> None:
    def docs(*pairs: tuple[str, str | None], status: str = "VERIFICATION_PENDING") -> list[dict[str, Any]]:
        return [{"type": t, "side": s, "status": status} for t, s in pairs]

    assert required_set_complete(docs(("ID_CARD", "FRONT"), ("ID_CARD", "BACK")))
    assert not required_set_complete(docs(("ID_CARD", "FRONT")))
    assert required_set_complete(docs(("PASSPORT", "FRONT")))
    assert required_set_complete(docs(("PASSPORT", "CHIP")))
    assert not required_set_complete(docs(("ID_CARD", "FRONT"), ("ID_CARD", "BACK"), status="REJECTED"))


def test_face_provider_user_id_is_unpadded_base32_of_sha256() -> None:
    secured = secured_user_id("user-42")
    assert len(secured) == 52 and "=" not in secured and secured == secured.upper()
    assert secured != secured_user_id("user-43")
