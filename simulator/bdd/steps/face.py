"""When steps of steps 5-7: the verification token, the face in front of the camera, the submit."""

from __future__ import annotations

from pytest_bdd import parsers, when

from simulator.device.face_sdk import FaceBehaviour as FaceKind

from ..context import ScenarioContext
from ._common import attempt

#: Who or what faces the camera, in the flow's words.
FACES: dict[str, FaceKind] = {
    "their own face": FaceKind.HONEST,
    "another person's face": FaceKind.OTHER_PERSON,
    "a replayed recording": FaceKind.REPLAY,
    "an injected still image": FaceKind.INJECTION,
    "a printed photo": FaceKind.PRINTED_PHOTO,
    "a photo cut-out": FaceKind.CUTOUT,
    "a face on a screen": FaceKind.SCREEN,
}


def face_kind(face: str) -> FaceKind:
    if face not in FACES:
        raise ValueError(f"unknown face {face!r}; say one of: {', '.join(FACES)}")
    return FACES[face]


@when("the phone asks for a verification token")
def ask_token(ctx: ScenarioContext) -> None:
    ctx.answers["presence"] = attempt(ctx, ctx.phone().presence_init)


@when(parsers.parse("the client shows {face} to the camera"))
def show_face(ctx: ScenarioContext, face: str) -> None:
    """The face SDK captures with the latest token and uploads (no submit yet)."""
    ctx.answers["capture"] = attempt(ctx, lambda: ctx.phone().scan(face_kind(face)))


@when(parsers.parse("the client shows {face} to the camera again with the same token"))
def show_face_again(ctx: ScenarioContext, face: str) -> None:
    ctx.answers["capture"] = attempt(ctx, lambda: ctx.phone().scan(face_kind(face)))


@when("the phone tells the server the face scan is done")
def submit_presence(ctx: ScenarioContext) -> None:
    attempt(ctx, ctx.phone().onboarding.presence_check_submit)


@when(parsers.parse("the client scans {face}"))
def face_check(ctx: ScenarioContext, face: str) -> None:
    """Steps 5-7 in one: token, capture and upload, submit (the server fetches the verdict)."""
    attempt(ctx, lambda: ctx.phone().face_check(face_kind(face)))


@when(parsers.parse("the client asks for a verification token {times:d} times"))
def ask_token_times(ctx: ScenarioContext, times: int) -> None:
    phone = ctx.phone()
    tokens = []
    for _ in range(times):
        session = attempt(ctx, phone.presence_init)
        if session is None:
            break
        tokens.append(session.token)
    ctx.answers["tokens"] = tokens
