"""When steps of steps 1-4 and 8: status check, start, the OTP by SMS, the evidence, the OTP typed."""

from __future__ import annotations

from pytest_bdd import given, parsers, when

from simulator.device.camera import CardSide
from simulator.device.face_sdk import FaceBehaviour as FaceKind
from simulator.device.onboarding_client import PATHS, OnboardingProcess
from simulator.journey.runner import JourneyOptions, run_journey

from ..context import ScenarioContext
from ._common import attempt

FAST = JourneyOptions(sms_timeout=5.0, verification_timeout=30.0, poll_interval=0.05)


@when("the phone checks its activation status")
def check_status(ctx: ScenarioContext) -> None:
    ctx.answers["status"] = attempt(ctx, ctx.phone().local_status)


@when("the client goes through the reactivation")
@when("they go through the reactivation")
def whole_journey(ctx: ScenarioContext) -> None:
    """All 11 steps as the persona behaves, until one does not pass."""
    ctx.run = run_journey(ctx.targets, ctx.persona, seed=ctx.seed, session=ctx.session, options=FAST)


@when("the client starts the reactivation")
@when("they start the reactivation")
def start(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    ctx.answers["start"] = attempt(ctx, phone.start)


@when(parsers.parse('the client starts the reactivation proposing the OTP "{otp}"'))
def start_with_own_otp(ctx: ScenarioContext, otp: str) -> None:
    """The app slips an OTP of its own into the start request; the server must ignore or refuse it."""
    phone = ctx.phone()
    ctx.answers["proposed_otp"] = otp
    body = {"identification": {**phone.world.identification, "otpCode": otp}, "processType": "reactivation",
            "otpCode": otp, "otp": otp}
    answer = attempt(ctx, lambda: phone.onboarding.call(PATHS["start"], body))
    if answer is not None:
        phone.onboarding.process = OnboardingProcess(answer["processId"], answer["processToken"],
                                                     answer["onboardingStatus"])


@when(parsers.parse('the client starts the reactivation giving the phone number "{number}"'))
def start_with_number(ctx: ScenarioContext, number: str) -> None:
    """The number travels in the start request's free-form ``fdsData``, where an app could put it."""
    phone = ctx.phone()
    ctx.answers["start"] = attempt(ctx, lambda: phone.onboarding.start(
        phone.world.identification, fds_data={"phoneNumber": number, "msisdn": number}))


@when("the client reads the OTP from the SMS")
def read_otp(ctx: ScenarioContext) -> None:
    attempt(ctx, ctx.phone().read_otp)


@when("the client asks for a new OTP")
def resend(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    ctx.answers["previous_otp"] = phone.otp
    attempt(ctx, phone.onboarding.resend_otp)
    if ctx.error is None:
        attempt(ctx, phone.read_otp)


@when("the client presents the evidence")
def present_evidence(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    attempt(ctx, phone.submit_evidence)
    if ctx.error is None:
        ctx.answers["verdict"] = attempt(ctx, phone.wait_for_verdict)


@when("the client presents only the front of the ID card")
def present_front_only(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    front = [p for p in phone.world.photos if p.side is CardSide.FRONT]
    attempt(ctx, lambda: phone.submit_evidence(front))
    if ctx.error is None:
        ctx.answers["verdict"] = attempt(ctx, phone.onboarding.identity_status)


@given("the client has reached the face check")
@when("the client reaches the face check")
def reach_face_check(ctx: ScenarioContext) -> None:
    """Steps 1-4 done by an honest client: process started, OTP read, evidence verified."""
    ctx.phone().reach_presence_check()


@given("the client has started the reactivation and read the OTP")
def started_and_read(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    phone.start()
    phone.read_otp()


@when("the client types the OTP from the SMS")
def type_otp(ctx: ScenarioContext) -> None:
    ctx.answers["verification"] = attempt(ctx, ctx.phone().verify_otp)


@when("the client types the previous OTP")
def type_previous(ctx: ScenarioContext) -> None:
    previous = ctx.answers["previous_otp"]
    ctx.answers["verification"] = attempt(ctx, lambda: ctx.phone().verify_otp(previous))


@when("the client types a wrong OTP")
def type_wrong(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    ctx.answers["verification"] = attempt(ctx, lambda: phone.verify_otp(phone.wrong_otp()))


@when(parsers.parse("the client types a wrong OTP {times:d} times, scanning their face before each"))
def fail_otp_times(ctx: ScenarioContext, times: int) -> None:
    """Each wrong code sends the app back to the face scan, as the server resets the presence check."""
    phone = ctx.phone()
    answers = []
    for _ in range(times):
        attempt(ctx, lambda: phone.face_check(FaceKind.HONEST))
        if ctx.error is not None:
            break
        answers.append(attempt(ctx, lambda: phone.verify_otp(phone.wrong_otp())))
        if ctx.error is not None:
            break
    ctx.answers["verifications"] = answers
    ctx.answers["verification"] = answers[-1] if answers else None


@when("the client presents the evidence again")
def present_again(ctx: ScenarioContext) -> None:
    """The same evidence once more, in the verification already initialised."""
    phone = ctx.phone()
    if phone.world.chip is not None:
        attempt(ctx, lambda: phone.onboarding.submit_chip(phone.world.chip))
    else:
        attempt(ctx, lambda: phone.onboarding.submit_documents(phone.world.photos))
    if ctx.error is None:
        ctx.answers["verdict"] = attempt(ctx, phone.wait_for_verdict)


@when(parsers.parse("the client starts and cancels the reactivation {times:d} times"))
def start_and_cancel(ctx: ScenarioContext, times: int) -> None:
    phone = ctx.phone()
    accepted = []
    for _ in range(times):
        accepted.append(attempt(ctx, phone.start) is not None)
        if ctx.error is None:
            attempt(ctx, phone.onboarding.cleanup)
    ctx.answers["starts"] = accepted
