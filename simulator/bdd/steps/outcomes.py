"""Then steps: outcomes in the flow's language, each failure message naming what the rule demands."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from pytest_bdd import parsers, then

from mocks.bank.models import Customer
from simulator.device.face_sdk import FaceBehaviour as FaceKind
from simulator.device.inbox import InboxError
from simulator.device.onboarding_client import (
    OnboardingError,
    OnboardingServerError,
    OtpVerification,
    VerificationState,
)
from simulator.device.powerauth_sdk import (
    ActivationSignatureError,
    InvalidActivationCodeError,
    ServerError,
    ServerResponseError,
)
from simulator.journey.world import person_for
from simulator.powerauth.activation_code import is_valid_activation_code
from simulator.powerauth.status_blob import ActivationStatus

from ..context import ScenarioContext

ONBOARDING_PREFIX = "/enrollment-server-onboarding"


def _journal(ctx: ScenarioContext, party: str, path: str) -> list[dict[str, Any]]:
    entries = ctx.admin(party).journal(path=path, session=ctx.session, limit=1000)
    return [e for e in entries if e.get("direction", "inbound") == "inbound"]


def _refused(ctx: ScenarioContext, what: str) -> OnboardingError | Exception:
    assert ctx.error is not None, f"{what} should have been refused, but the server accepted it"
    if isinstance(ctx.error, OnboardingError):
        assert ctx.error.http_status < 500, f"{what}: refused with a 5xx {ctx.error}"
    return ctx.error


def _verification(ctx: ScenarioContext) -> OtpVerification:
    verification = ctx.answers.get("verification")
    assert ctx.error is None, f"the OTP step was refused outright: {ctx.error}"
    assert isinstance(verification, OtpVerification), "no OTP was typed in this scenario"
    return verification


# ---------------------------------------------------------------------------------- step 1


@then(parsers.parse("the decrypted status is {status}"))
def decrypted_status(ctx: ScenarioContext, status: str) -> None:
    seen = ctx.answers.get("status")
    assert isinstance(seen, ActivationStatus), f"the phone could not read its status blob: {ctx.error}"
    assert seen.name == status, f"the status blob reads {seen.name}, expected {status}"


@then("reactivation is offered")
def offered(ctx: ScenarioContext) -> None:
    seen = ctx.answers.get("status")
    assert ctx.error is None, f"the status check failed: {ctx.error}"
    assert seen is not ActivationStatus.ACTIVE, "RX-01: the activation is ACTIVE, reactivation must not start"
    phone = ctx.phone()
    if seen is not None:
        phone.forget_local_activation()
    process = phone.start()
    assert process.process_id, "the reactivation could not start"


@then("reactivation is not offered")
def not_offered(ctx: ScenarioContext) -> None:
    seen = ctx.answers.get("status")
    assert seen is ActivationStatus.ACTIVE, (
        f"RX-01: reactivation is offered only when the decrypted status is not ACTIVE; it reads {seen}")


# ---------------------------------------------------------------------------------- steps 2-3 (OTP)


@then("an SMS with an 8-digit OTP reaches the client's handset")
def sms_with_otp(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    try:
        otp = phone.read_otp()
    except InboxError as exc:
        raise AssertionError(f"RX-03: no SMS with an OTP reached {phone.world.person.phone_number}, "
                             f"the number the bank holds for the client ({exc})") from exc
    assert len(otp) == 8 and otp.isdigit(), f"RX-02: the OTP must be 8 digits, got {len(otp)} characters"


@then("the onboarding server handed the OTP to the bank")
def otp_to_bank(ctx: ScenarioContext) -> None:
    sent = _journal(ctx, "bank", "/otp/send")
    assert len(sent) == 1, f"RX-04: a known client's start must reach /otp/send once, saw {len(sent)} call(s)"


@then("the bank was not asked to send an OTP")
def no_otp_to_bank(ctx: ScenarioContext) -> None:
    sent = _journal(ctx, "bank", "/otp/send")
    assert sent == [], f"RX-04: no OTP may be sent for an unknown client; /otp/send called {len(sent)}x"


@then(parsers.parse('the OTP in the SMS is not "{otp}"'))
def otp_not_chosen(ctx: ScenarioContext, otp: str) -> None:
    if ctx.error is not None:  # refusing the app's field is conforming too
        assert not isinstance(ctx.error, OnboardingError) or ctx.error.http_status < 500, str(ctx.error)
        return
    received = ctx.phone().read_otp()
    assert received != otp, "RX-02: the app chose the OTP: the SMS carries the code the app proposed"


@then("the SMS goes to the phone number the bank holds")
def sms_to_bank_number(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    number = phone.world.person.phone_number
    messages = ctx.sms_to(number)
    assert messages, f"RX-03: no SMS reached {number}, the number the bank holds for the client"


@then(parsers.parse('no SMS reaches the handset "{number}"'))
def no_sms_to(ctx: ScenarioContext, number: str) -> None:
    ctx.advance_clocks(60)
    assert ctx.sms_to(number) == [], f"RX-03: an SMS went to {number}, a number the app gave, not the bank's"


@then("no SMS reaches any handset")
def no_sms(ctx: ScenarioContext) -> None:
    ctx.advance_clocks(60)
    sent = ctx.sms_sent()
    assert sent == [], f"RX-04: the SMS gateway was asked to send {len(sent)} message(s)"


@then("the OTP appears in no answer to the app and in no party's journal")
def otp_hidden(ctx: ScenarioContext) -> None:
    otp = ctx.phone().otp or ctx.phone().read_otp()
    leaks = []
    for party in ctx.mocked_parties():
        for entry in ctx.admin(party).journal(session=ctx.session, limit=2000):
            if otp in json.dumps(entry, default=str):
                leaks.append(f"{party} {entry.get('method')} {entry.get('path')}")
    start = ctx.answers.get("start")
    if start is not None and otp in json.dumps(asdict(start), default=str):
        leaks.append("the start answer to the app")
    logs = ctx.answers.get("log_text")
    if callable(logs) and otp in logs():
        leaks.append("a log line of an embedded party")
    assert not leaks, f"RX-03: the OTP is readable in: {', '.join(leaks)}"


@then("both answers look alike")
def same_start_answers(ctx: ScenarioContext) -> None:
    mine = ctx.answers.get("start")
    assert mine is not None, f"the start was refused: {ctx.error}"
    other = ctx.phone("known client").start()
    shape = lambda p: (p.onboarding_status, bool(p.process_id), bool(p.process_token),  # noqa: E731
                       p.otp_resend_period_seconds)
    assert shape(mine) == shape(other), (
        f"RX-04: an unknown client's answer {shape(mine)} differs from a known client's {shape(other)}")


@then("every start was accepted")
def starts_accepted(ctx: ScenarioContext) -> None:
    starts = ctx.answers.get("starts", [])
    assert starts and all(starts), f"RX-21: five processes a day must be allowed; accepted: {starts}"


@then("the start was accepted")
def start_accepted(ctx: ScenarioContext) -> None:
    assert ctx.error is None and ctx.answers.get("start") is not None, f"the start was refused: {ctx.error}"


@then("the client's handset receives no SMS")
def handset_empty(ctx: ScenarioContext) -> None:
    ctx.advance_clocks(10)
    messages = ctx.sms_to(ctx.phone().world.person.phone_number)
    assert messages == [], f"{len(messages)} SMS reached the handset although delivery is dropped"


@then("the new OTP is refused")
def resend_refused(ctx: ScenarioContext) -> None:
    _refused(ctx, "RX-05: a resend within 30 s")


@then("a new OTP reaches the client's handset")
def new_otp(ctx: ScenarioContext) -> None:
    assert ctx.error is None, f"the resend was refused: {ctx.error}"
    assert ctx.phone().otp != ctx.answers.get("previous_otp"), "the SMS carries the same OTP as before"


# ---------------------------------------------------------------------------------- evidence


@then("the evidence is verified")
def evidence_verified(ctx: ScenarioContext) -> None:
    verdict = ctx.answers.get("verdict")
    assert ctx.error is None, f"the evidence was refused: {ctx.error}"
    assert verdict is not None and verdict.state is VerificationState.PRESENCE_CHECK, (
        f"RX-06/07: complete, valid evidence must lead to the presence check; verification is "
        f"{verdict.phase}/{verdict.status}" if verdict else "no verdict")


@then("the evidence is not accepted")
def evidence_not_accepted(ctx: ScenarioContext) -> None:
    verdict = ctx.answers.get("verdict")
    if ctx.error is not None:
        _refused(ctx, "RX-07: evidence that does not hold")
        return
    assert verdict is not None, "no verdict on the evidence"
    assert verdict.state is not VerificationState.PRESENCE_CHECK, (
        "RX-07: the evidence was accepted although it does not match the bank's record or does not hold")


@then("the verification waits for more evidence")
def waits_for_evidence(ctx: ScenarioContext) -> None:
    verdict = ctx.answers.get("verdict")
    assert ctx.error is None, f"the partial evidence was refused outright: {ctx.error}"
    assert verdict is not None and verdict.state is VerificationState.DOCUMENTS, (
        f"RX-06: incomplete evidence must not proceed; verification is {verdict.phase}/{verdict.status}"
        if verdict else "no verdict")


@then("no verification token is issued")
def no_token(ctx: ScenarioContext) -> None:
    _refused(ctx, "RX-09: a verification token for unverified evidence")
    tokens = _journal(ctx, "biometry", "/api/v2/claim/verify/token")
    assert tokens == [], "RX-09: a verification token was issued before the evidence was verified"


@then("the trusted image was enrolled before the verification token was issued")
def enrolled_first(ctx: ScenarioContext) -> None:
    assert ctx.error is None, f"no verification token: {ctx.error}"
    entries = ctx.admin("biometry").journal(path="/api/v2/claim/", session=ctx.session, limit=1000)
    ordered = sorted(entries, key=lambda e: e.get("realTimestamp") or "")
    paths = [e["path"] for e in ordered]
    assert "/api/v2/claim/enrol/image" in paths, "RX-09: no trusted image was enrolled at the face provider"
    assert "/api/v2/claim/verify/token" in paths, "no verification token was requested"
    assert paths.index("/api/v2/claim/enrol/image") < paths.index("/api/v2/claim/verify/token"), (
        f"RX-09: the verify token was requested before the trusted image was enrolled: {paths}")


# ---------------------------------------------------------------------------------- face


@then("the capture is accepted")
def capture_accepted(ctx: ScenarioContext) -> None:
    assert ctx.error is None, f"RX-10: a fresh token must accept one capture: {ctx.error}"


@then("the capture is refused")
def capture_refused(ctx: ScenarioContext) -> None:
    assert ctx.error is not None, "RX-10: the verification token accepted a capture it must refuse"


@then("the server fetched the verdict from the face provider")
def fetched_verdict(ctx: ScenarioContext) -> None:
    validations = _journal(ctx, "biometry", "/api/v2/claim/verify/validate")
    assert validations, "RX-11: the onboarding server never asked the provider for the verdict"


@then(parsers.parse("every verification token was new"))
def tokens_new(ctx: ScenarioContext) -> None:
    tokens = ctx.answers.get("tokens", [])
    assert len(set(tokens)) == len(tokens) and tokens, f"tokens repeat: {tokens}"


@then(parsers.parse('the next verification token is refused with "{code}"'))
def token_limit(ctx: ScenarioContext, code: str) -> None:
    phone = ctx.phone()
    try:
        phone.presence_init()
    except OnboardingServerError as exc:
        assert exc.code == code, f"RX-13: expected {code}, got {exc.code} ({exc})"
        return
    raise AssertionError(f"RX-13: a further presence check was allowed; expected {code}")


# ---------------------------------------------------------------------------------- verdict (step 8)


@then("the client is verified")
def verified(ctx: ScenarioContext) -> None:
    verification = _verification(ctx)
    assert verification.verified, f"the client's face and OTP should pass together: {verification}"


@then("the app is told only that verification failed")
def failed_without_factor(ctx: ScenarioContext) -> None:
    """RX-15: not verified, and nothing in the answer says which factor."""
    if ctx.run is not None:
        failed = ctx.run.failed_step
        assert failed is not None and failed.number == 8, (
            f"the journey should stop at step 8, stopped at {failed.number if failed else 'none'}")
        assert "face" not in failed.detail.split(";")[0].lower(), failed.detail
        return
    verification = _verification(ctx)
    assert not verification.verified, "the client was verified although a factor failed"
    ctx.answers.setdefault("failures", []).append(
        (verification.verified, verification.expired, verification.onboarding_status))


@then("the OTP is not consumed")
def not_consumed(ctx: ScenarioContext) -> None:
    _refused(ctx, "RX-14: an OTP typed before the face check")
    phone = ctx.phone()
    phone.face_check(FaceKind.HONEST)
    verification = phone.verify_otp()
    assert verification.verified, f"RX-14: the early attempt consumed or confirmed the OTP: {verification}"


@then("the two failures look identical to the app")
def identical(ctx: ScenarioContext) -> None:
    failures = ctx.answers.get("failures", [])
    assert len(failures) == 2, f"two failed verifications expected, saw {failures}"
    assert failures[0] == failures[1], (
        f"RX-15: a failed face and a wrong OTP must look alike to the app: {failures[0]} vs {failures[1]}")


@then(parsers.parse('the process is {status}'))
def process_status(ctx: ScenarioContext, status: str) -> None:
    current = ctx.phone().onboarding.status().onboarding_status
    assert current == status, f"the onboarding process is {current}, expected {status}"


@then("the request is refused")
def refused(ctx: ScenarioContext) -> None:
    _refused(ctx, "the request")


@then(parsers.parse('the request is refused with "{code}"'))
def refused_with(ctx: ScenarioContext, code: str) -> None:
    error = _refused(ctx, "the request")
    assert getattr(error, "code", None) == code, f"expected error {code}, got {error}"


@then("the app gets a clear error, not a server failure")
def clear_error(ctx: ScenarioContext) -> None:
    error = _refused(ctx, "RX-23: a call whose dependency is down")
    assert isinstance(error, OnboardingServerError), f"RX-23: not the onboarding envelope: {error!r}"
    assert 400 <= error.http_status < 500 and error.code, f"RX-23: expected a 4xx with a code: {error}"


# ---------------------------------------------------------------------------------- activation


@then("an activation code is issued")
def code_issued(ctx: ScenarioContext) -> None:
    issued = ctx.answers.get("issued")
    assert ctx.error is None and issued is not None, f"RX-14: no activation code: {ctx.error}"


@then("no activation code is issued")
def no_code(ctx: ScenarioContext) -> None:
    _refused(ctx, "RX-14: an activation code before both factors passed")


@then("the activation code is well-formed and signed by the application")
def code_well_formed(ctx: ScenarioContext) -> None:
    issued = ctx.answers.get("issued")
    assert issued is not None, "no activation code was issued"
    assert is_valid_activation_code(issued.code), f"RX-16: malformed code {issued.code!r}"
    assert issued.signature, "RX-16: the code comes without the master key's signature"


@then("the phone refuses the code before sending it")
def refused_locally(ctx: ScenarioContext) -> None:
    assert isinstance(ctx.error, InvalidActivationCodeError | ActivationSignatureError), (
        f"RX-17: the phone must refuse a mistyped code itself, got {ctx.error!r}")


@then("the phone rejects the server's answer")
def answer_rejected(ctx: ScenarioContext) -> None:
    """RX-17: the device checks the MAC of the server's activation answer before trusting it."""
    assert isinstance(ctx.error, ServerResponseError), (
        f"RX-17: the phone must reject an activation answer whose MAC does not verify, got {ctx.error!r}")


@then("the server refuses the activation request")
def request_refused(ctx: ScenarioContext) -> None:
    """RX-17: the server checks the MAC of the phone's ECIES request before using it."""
    assert isinstance(ctx.error, ServerError), (
        f"RX-17: the server must refuse an activation request whose MAC does not verify, got {ctx.error!r}")
    assert 400 <= ctx.error.http_status < 500, f"RX-17: refused with HTTP {ctx.error.http_status}, not a 4xx"


@then("the phone holds no activation")
def no_local_activation(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    assert not phone.sdk.has_valid_activation() and not phone.sdk.has_pending_activation(), (
        "RX-17: the phone kept an activation from an exchange it could not verify")


@then("the second activation is refused")
def second_refused(ctx: ScenarioContext) -> None:
    assert ctx.error is not None and ctx.answers.get("second_activation") is None, (
        "RX-16: an activation code worked twice")


@then("the activation is refused")
def activation_refused(ctx: ScenarioContext) -> None:
    assert ctx.error is not None and ctx.answers.get("activation") is None, (
        "the activation was created although it must be refused")


@then("the phone and the server agree on the activation fingerprint")
def fingerprints(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    code, body = ctx.rest("/activation/status", {"activationId": phone.sdk.activation_id})
    assert code == 200, body
    server = (body.get("responseObject") or {}).get("devicePublicKeyFingerprint")
    assert server is None or server == phone.sdk.fingerprint, (
        f"RX-17: fingerprints differ: phone {phone.sdk.fingerprint}, server {server}")


@then("the new activation is ACTIVE")
def new_active(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    status = phone.local_status()
    assert status is ActivationStatus.ACTIVE, f"RX-17: the status blob of the new activation reads {status}"


@then("the activation belongs to the reactivated client")
def belongs(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    _code, body = ctx.rest("/activation/status", {"activationId": phone.sdk.activation_id})
    user = (body.get("responseObject") or {}).get("userId")
    assert user == phone.world.user_id, f"RX-16: the activation belongs to {user}, not {phone.world.user_id}"


@then(parsers.parse("the old activation is {status}"))
def old_activation(ctx: ScenarioContext, status: str) -> None:
    phone = ctx.phone()
    activations = ctx.activations(phone.world.user_id)
    seen = activations.get(phone.world.old_activation_id)
    assert seen == status, f"RX-19: the old activation is {seen}, expected {status}"


@then("exactly one activation of the client is ACTIVE")
def one_active(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    active = [a for a, s in ctx.activations(phone.world.user_id).items() if s == "ACTIVE"]
    assert active == [phone.sdk.activation_id], f"RX-19: ACTIVE are {active}, expected only the new one"


@then("no activation of the client is ACTIVE")
def none_active(ctx: ScenarioContext) -> None:
    if ctx.run is not None:  # a whole journey ran: its client is the persona's person
        user = str(Customer.from_person(person_for(ctx.persona, ctx.seed)).to_record()["userId"])
    else:
        user = ctx.phone().world.user_id
    active = [a for a, s in ctx.activations(user).items() if s == "ACTIVE"]
    assert active == [], f"RX-23: a half-finished activation is ACTIVE: {active}"


@then("the signature verifies")
def signature_ok(ctx: ScenarioContext) -> None:
    answer = ctx.answers.get("signature") or {}
    assert answer.get("signatureValid") is True, f"RX-20: the PowerAuth server did not verify: {answer}"


@then("the signature does not verify")
def signature_bad(ctx: ScenarioContext) -> None:
    answer = ctx.answers.get("signature") or {}
    assert answer.get("signatureValid") is False, f"RX-18: a wrong PIN's signature verified: {answer}"


@then(parsers.parse("the activation is BLOCKED because of {reason}"))
def blocked(ctx: ScenarioContext, reason: str) -> None:
    phone = ctx.phone()
    _code, body = ctx.rest("/activation/status", {"activationId": phone.sdk.activation_id})
    answer = body.get("responseObject") or {}
    seen = answer.get("activationStatus")
    assert seen == "BLOCKED", f"RX-18: the activation is {seen}"
    assert answer.get("blockedReason") == reason, f"RX-18: blocked because of {answer.get('blockedReason')}"


# ---------------------------------------------------------------------------------- journeys


@then("the client is reactivated")
def is_reactivated(ctx: ScenarioContext) -> None:
    run = ctx.run
    assert run is not None, "no journey ran in this scenario"
    failed = run.failed_step
    assert run.ok, f"the reactivation stopped at step {failed.number if failed else '?'}: " \
                   f"{failed.detail if failed else ''}"


@then(parsers.parse("the reactivation stops at step {number:d}"))
def stops_at(ctx: ScenarioContext, number: int) -> None:
    run = ctx.run
    assert run is not None, "no journey ran in this scenario"
    failed = run.failed_step
    assert failed is not None, f"the reactivation went through, it must stop at step {number}"
    assert failed.number == number, f"the reactivation stopped at step {failed.number} ({failed.detail}), " \
                                     f"expected step {number}"


# ---------------------------------------------------------------------------------- wire


@then("every call between the app and the onboarding server is ECIES-encrypted")
def encrypted(ctx: ScenarioContext) -> None:
    entries = _journal(ctx, "wultra", ONBOARDING_PREFIX)
    assert entries, "no onboarding call was made"
    surname = ctx.phone().world.person.family_name
    for entry in entries:
        bodies = [("request", entry.get("requestBody"))]
        if entry.get("status") == 200:
            bodies.append(("response", entry.get("responseBody")))
        for side, body in bodies:
            text = json.dumps(body, default=str)  # long bodies are journaled as truncated text
            marks = ("ephemeralPublicKey", "encryptedData") if side == "request" else ("encryptedData", "mac")
            assert all(mark in text for mark in marks), (
                f"RX-22: the {side} of {entry['path']} is not an ECIES envelope")
            assert surname not in text, f"RX-22: the client's name is readable in {entry['path']} ({side})"


@then("a plain request to the onboarding server is refused")
def plain_refused(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    response = ctx.http.post(ctx.urls["wultra"] + ONBOARDING_PREFIX + "/api/onboarding/start",
                             json={"requestObject": {"identification": phone.world.identification,
                                                     "processType": "reactivation"}}, timeout=10)
    assert 400 <= response.status_code < 500, (
        f"RX-22: a plain-text start answered {response.status_code}, it must be refused with a 4xx")
