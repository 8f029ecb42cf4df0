"""Step 2 over HTTP with real ECIES: start, status, OTP resend, cleanup, limits and expiry."""

from __future__ import annotations

from typing import Any

START = "/enrollment-server-onboarding/api/onboarding/start"


def start(world: Any, identification: dict[str, str] | None = None) -> dict[str, Any]:
    request = {"identification": identification or world.known, "processType": "reactivation"}
    answer = world.device.call("/api/onboarding/start", request)
    return answer.result


def test_start_sends_the_otp_by_sms_and_answers_only_under_encryption(world: Any) -> None:
    result = start(world)
    assert result["onboardingStatus"] == "VERIFICATION_IN_PROGRESS"
    assert result["config"] == {"otpResendPeriod": "PT30S", "otpResendPeriodSeconds": 30}
    assert len(result["processToken"]) >= 32
    otp = world.read_otp()
    assert len(otp) == 8 and otp.isdigit()
    # The wire carried only ciphertext: neither the token nor the process ID nor the OTP.
    entries = world.wultra.journal(path=START, session=world.session)
    assert len(entries) == 1
    wire = str([entries[0]["requestBody"], entries[0]["responseBody"]])
    assert "encryptedData" in wire
    for secret in (result["processToken"], result["processId"], otp):
        assert secret not in wire
    assert not world.wultra.journal(text=otp, session=world.session)
    assert otp not in str(world.wultra.state())


def test_status_reports_the_running_process(world: Any) -> None:
    process_id = start(world)["processId"]
    status = world.device.call("/api/onboarding/status", {"processId": process_id}).result
    assert status == {"processId": process_id, "onboardingStatus": "VERIFICATION_IN_PROGRESS",
                      "config": {"otpResendPeriod": "PT30S", "otpResendPeriodSeconds": 30}}


def test_unknown_client_gets_the_same_answer_and_no_sms(world: Any) -> None:
    known = start(world)
    world.wultra.advance_clock(1)
    unknown = start(world, world.unknown)
    assert set(unknown) == set(known)
    assert unknown["onboardingStatus"] == known["onboardingStatus"]
    assert unknown["config"] == known["config"]
    assert len(unknown["processToken"]) == len(known["processToken"])
    world.sms.advance_clock(60)
    assert len(world.inbox.messages()) == 1          # only the known client's SMS
    entries = world.wultra.journal(path=START, session=world.session)
    calls = [call["url"] for entry in entries for call in entry["outbound"]]
    assert sum(url.endswith("/user/lookup") for url in calls) == 2
    assert sum(url.endswith("/otp/send") for url in calls) == 1
    status = world.device.call("/api/onboarding/status", {"processId": unknown["processId"]}).result
    assert status["onboardingStatus"] == "VERIFICATION_IN_PROGRESS"


def test_resend_within_30_seconds_is_refused_and_a_resend_invalidates_the_previous_otp(world: Any) -> None:
    process_id = start(world)["processId"]
    first = world.read_otp()
    world.wultra.advance_clock(29)
    refused = world.device.call("/api/onboarding/otp/resend", {"processId": process_id})
    assert (refused.status, refused.code) == (400, "ONBOARDING_OTP_FAILED")
    world.wultra.advance_clock(2)
    assert world.device.call("/api/onboarding/otp/resend", {"processId": process_id}).ok
    second = world.read_otp()
    assert len(second) == 8 and second != first
    assert len(world.inbox.messages()) == 2
    world.wultra.advance_clock(10)
    again = world.device.call("/api/onboarding/otp/resend", {"processId": process_id})
    assert (again.status, again.code) == (400, "ONBOARDING_OTP_FAILED")


def test_cleanup_fails_the_process(world: Any) -> None:
    process_id = start(world)["processId"]
    assert world.device.call("/api/onboarding/cleanup", {"processId": process_id}).ok
    status = world.device.call("/api/onboarding/status", {"processId": process_id}).result
    assert status == {"processId": process_id, "onboardingStatus": "FAILED"}
    resend = world.device.call("/api/onboarding/otp/resend", {"processId": process_id})
    assert (resend.status, resend.code) == (400, "ONBOARDING_FAILED")


def test_sixth_process_in_a_day_is_refused_and_the_window_slides(world: Any) -> None:
    for _ in range(5):
        start(world)
        world.wultra.advance_clock(60)
    sixth = world.device.call("/api/onboarding/start", {"identification": world.known})
    assert (sixth.status, sixth.code) == (429, "TOO_MANY_ONBOARDING_PROCESSES")
    world.wultra.advance_clock(24 * 3600)
    assert start(world)["onboardingStatus"] == "VERIFICATION_IN_PROGRESS"


def test_the_limit_treats_an_unknown_client_the_same(world: Any) -> None:
    for _ in range(5):
        start(world, world.unknown)
    sixth = world.device.call("/api/onboarding/start", {"identification": world.unknown})
    assert (sixth.status, sixth.code) == (429, "TOO_MANY_ONBOARDING_PROCESSES")


def test_a_new_start_supersedes_the_clients_open_process(world: Any) -> None:
    first = start(world)["processId"]
    world.wultra.advance_clock(1)
    second = start(world)["processId"]
    assert first != second
    status = world.device.call("/api/onboarding/status", {"processId": first}).result
    assert status["onboardingStatus"] == "FAILED"


def test_process_expires_after_an_hour_of_verification(world: Any) -> None:
    process_id = start(world)["processId"]
    world.wultra.advance_clock(3599)
    assert world.device.call("/api/onboarding/status", {"processId": process_id}).result[
        "onboardingStatus"] == "VERIFICATION_IN_PROGRESS"
    world.wultra.advance_clock(2)
    status = world.device.call("/api/onboarding/status", {"processId": process_id}).result
    assert status == {"processId": process_id, "onboardingStatus": "FAILED"}


def test_unknown_process_and_other_application_are_not_found(world: Any) -> None:
    unknown_id = "00000000-0000-4000-8000-000000000000"
    answer = world.device.call("/api/onboarding/status", {"processId": unknown_id})
    assert (answer.status, answer.code) == (400, "ONBOARDING_FAILED")


def test_bank_that_cannot_deliver_gives_a_clear_error_and_fails_the_process(world: Any) -> None:
    world.fault(world.bank, "/otp/send", 503)
    answer = world.device.call("/api/onboarding/start", {"identification": world.known})
    assert (answer.status, answer.code) == (400, "ONBOARDING_OTP_FAILED")


def test_another_application_cannot_see_the_process(world: Any) -> None:
    process_id = start(world)["processId"]
    other = world.device_of_new_application("other-app")
    try:
        answer = other.call("/api/onboarding/status", {"processId": process_id})
    finally:
        other.close()
    assert (answer.status, answer.code) == (400, "ONBOARDING_FAILED")


def test_unknown_client_resend_follows_the_same_rules_without_sms(world: Any) -> None:
    process_id = start(world, world.unknown)["processId"]
    early = world.device.call("/api/onboarding/otp/resend", {"processId": process_id})
    assert (early.status, early.code) == (400, "ONBOARDING_OTP_FAILED")
    world.wultra.advance_clock(31)
    assert world.device.call("/api/onboarding/otp/resend", {"processId": process_id}).ok
    world.sms.advance_clock(60)
    assert world.inbox.messages() == []
