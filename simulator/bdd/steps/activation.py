"""When steps of steps 8-11: the activation code, the new activation, the PIN and the signature."""

from __future__ import annotations

import json
from collections.abc import Mapping

from pytest_bdd import given, parsers, when

from simulator.device.powerauth_sdk import DeviceStorage, PowerAuthSDK
from simulator.device.powerauth_sdk.http import HttpAnswer
from simulator.powerauth.codec import b64decode, b64encode

from ..context import ScenarioContext
from ._common import attempt

PIN = "1357"
WRONG_PIN = "9999"


@when("the phone asks for the activation code")
def ask_code(ctx: ScenarioContext) -> None:
    ctx.answers["issued"] = attempt(ctx, ctx.phone().activation_code)


@given("the client has been issued an activation code")
@when("the client passes the face check and the OTP")
def issued_code(ctx: ScenarioContext) -> None:
    """Steps 1-8 by an honest client."""
    ctx.answers["issued"] = ctx.phone().reach_activation_code()


@when("the phone creates the activation with the code")
def create(ctx: ScenarioContext) -> None:
    ctx.answers["activation"] = attempt(ctx, ctx.phone().create_activation)


@when("another phone creates an activation with the same code")
def create_elsewhere(ctx: ScenarioContext) -> None:
    """A second device (fresh keychain) presents the code already used."""
    phone = ctx.phone()
    issued = phone.issued
    assert issued is not None, "no code was issued in this scenario"
    other = PowerAuthSDK(phone.config, DeviceStorage(), ctx.urls["wultra"], session=ctx.session)
    try:
        ctx.answers["second_activation"] = attempt(
            ctx, lambda: other.create_activation(issued.code, signature=issued.signature))
    finally:
        other.close()


@when("the phone creates the activation with a mistyped code")
def create_mistyped(ctx: ScenarioContext) -> None:
    phone = ctx.phone()
    issued = phone.issued
    assert issued is not None, "no code was issued in this scenario"
    code = issued.code
    swapped = ("B" if code[0] != "B" else "C") + code[1:]
    ctx.answers["activation"] = attempt(ctx, lambda: phone.create_activation(swapped, None))


ACTIVATION_CREATE = "/pa/v3/activation/create"


def _flip_mac(body: bytes) -> bytes:
    """The same JSON with one bit of its ECIES ``mac`` flipped, as a meddling network would."""
    envelope = json.loads(body)
    mac = bytearray(b64decode(envelope["mac"]))
    mac[0] ^= 0x01
    envelope["mac"] = b64encode(bytes(mac))
    return json.dumps(envelope).encode()


@given(parsers.parse("the network alters the MAC of the {direction} activation {message}"))
def tamper_activation(ctx: ScenarioContext, direction: str, message: str) -> None:
    """(direction: phone's or server's; message: request or answer) One bit of the ECIES MAC of
    ``activation/create`` flips between the phone and the Enrollment Server."""
    if (direction, message) not in (("phone's", "request"), ("server's", "answer")):
        raise ValueError("say 'the phone's activation request' or 'the server's activation answer'")
    transport = ctx.phone().sdk.transport
    honest_post = transport.post

    def meddling_post(path: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        if not path.endswith(ACTIVATION_CREATE):
            return honest_post(path, body, headers)
        if message == "request":
            return honest_post(path, _flip_mac(body), headers)
        answer = honest_post(path, body, headers)
        return HttpAnswer(answer.status, _flip_mac(answer.body)) if answer.status == 200 else answer

    transport.post = meddling_post  # type: ignore[method-assign]


@when(parsers.parse("the client sets the PIN"))
def set_pin(ctx: ScenarioContext) -> None:
    ctx.phone().persist(PIN)


@given("the client is reactivated with a PIN")
@when("the client completes the reactivation")
def reactivated(ctx: ScenarioContext) -> None:
    """Steps 1-11 by an honest client; the PIN is set."""
    ctx.phone().reactivate(PIN)


@when("the client signs a request with the right PIN")
def sign_right(ctx: ScenarioContext) -> None:
    ctx.answers["signature"] = ctx.phone().signature_valid(PIN)


@when(parsers.parse("the client signs a request with a wrong PIN {times:d} times"))
def sign_wrong(ctx: ScenarioContext, times: int) -> None:
    ctx.answers["signatures"] = [ctx.phone().signature_valid(WRONG_PIN) for _ in range(times)]
    ctx.answers["signature"] = ctx.answers["signatures"][-1]


@when("the client signs a request with a wrong PIN")
def sign_wrong_once(ctx: ScenarioContext) -> None:
    sign_wrong(ctx, 1)
