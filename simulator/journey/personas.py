"""Personas: who the virtual client is and how they behave at each step of the reactivation.

A persona is data only - the journey reads it to decide what the device does (which document it
scans, which OTP it types, whose face is in front of the camera, what is wrong with the evidence)
and what the run must end in.  ``expected_failure`` names the step at which the flow must stop for a
persona that must not be reactivated, as the app sees it: the face check's verdict reaches the app
only together with the OTP's at step 8 (the app is not told which factor failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "PERSONAS", "DocumentChoice", "DocumentFault", "FaceBehaviour", "OtpBehaviour", "Persona", "persona",
]


class DocumentChoice(StrEnum):
    """The evidence the client presents at step 3."""

    ID_CARD = "id_card"              # camera: front and back
    PASSPORT = "passport"            # camera: data page
    PASSPORT_CHIP = "passport_chip"  # NFC: DG1, DG2, EF.SOD after BAC


class DocumentFault(StrEnum):
    """What is wrong with the evidence, if anything."""

    NONE = "none"
    EXPIRED = "expired"              # the document's expiry date has passed
    TAMPERED_CHIP = "tampered_chip"  # DG2 replaced after signing: the hash in EF.SOD no longer matches


class OtpBehaviour(StrEnum):
    """How the client types the OTP from the SMS at step 8."""

    RIGHT = "right"
    WRONG_THEN_RIGHT = "wrong_then_right"  # one typo, then the right code
    ALWAYS_WRONG = "always_wrong"          # five wrong codes: the process fails


class FaceBehaviour(StrEnum):
    """Who (or what) is in front of the camera at step 6."""

    GENUINE = "genuine"
    IMPOSTOR = "impostor"    # another person's live face
    REPLAY = "replay"        # frames recorded for an earlier challenge, replayed


@dataclass(frozen=True)
class Persona:
    """One client and their behaviour; ``expected_failure`` is ``None`` for a persona who must succeed."""

    name: str
    description: str
    document: DocumentChoice = DocumentChoice.ID_CARD
    document_fault: DocumentFault = DocumentFault.NONE
    otp: OtpBehaviour = OtpBehaviour.RIGHT
    face: FaceBehaviour = FaceBehaviour.GENUINE
    known_client: bool = True
    activation_active: bool = False
    expected_failure: int | None = None

    @property
    def must_succeed(self) -> bool:
        return self.expected_failure is None


PERSONAS: tuple[Persona, ...] = (
    Persona("honest-id-card", "an honest client with an ID card (front and back)"),
    Persona("honest-passport-chip", "an honest client whose passport chip is read over NFC",
            document=DocumentChoice.PASSPORT_CHIP),
    Persona("honest-passport", "an honest client with a passport data page",
            document=DocumentChoice.PASSPORT),
    Persona("otp-typo", "types a wrong OTP once, then the right one", otp=OtpBehaviour.WRONG_THEN_RIGHT),
    Persona("otp-always-wrong", "types a wrong OTP five times", otp=OtpBehaviour.ALWAYS_WRONG,
            expected_failure=8),
    Persona("impostor", "another person's face in front of the camera", face=FaceBehaviour.IMPOSTOR,
            expected_failure=8),
    Persona("replayed-liveness", "replays frames recorded for an earlier liveness challenge",
            face=FaceBehaviour.REPLAY, expected_failure=8),
    Persona("expired-document", "presents an expired ID card", document_fault=DocumentFault.EXPIRED,
            expected_failure=4),
    Persona("tampered-chip", "a passport chip whose portrait was replaced after signing",
            document=DocumentChoice.PASSPORT_CHIP, document_fault=DocumentFault.TAMPERED_CHIP,
            expected_failure=4),
    Persona("unknown-client", "someone the bank does not know", known_client=False, expected_failure=2),
    Persona("already-active", "a client whose activation is still ACTIVE: not offered reactivation",
            activation_active=True, expected_failure=1),
)


def persona(name: str) -> Persona:
    """The persona called ``name``; ``KeyError`` lists the known names."""
    for candidate in PERSONAS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown persona {name!r}; known: {', '.join(p.name for p in PERSONAS)}")
