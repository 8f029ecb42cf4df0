"""What the SDK hands back to the app: activation result, decrypted status, tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.powerauth.signature import SignatureType
from simulator.powerauth.status_blob import ActivationStatus, CounterSync


@dataclass(frozen=True, slots=True)
class ActivationResult:
    """A created (not yet persisted) activation: what the app shows the user."""

    activation_id: str
    fingerprint: str
    recovery_code: str | None = None
    recovery_puk: str | None = None
    custom_attributes: dict[str, Any] | None = None
    user_info: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ActivationStatusInfo:
    """The decrypted status blob, as the SDK reports it, plus what the counter check concluded."""

    activation_id: str
    status: ActivationStatus
    failed_attempts: int
    max_failed_attempts: int
    current_version: int
    upgrade_version: int
    counter: CounterSync
    custom_object: dict[str, Any] | None = field(default=None)

    @property
    def remaining_attempts(self) -> int:
        """PIN attempts left before the server blocks the activation."""
        return max(0, self.max_failed_attempts - self.failed_attempts)

    @property
    def is_deadlocked(self) -> bool:
        """The local and server counters can no longer be reconciled (the SDK's "Deadlock" state)."""
        return self.counter is CounterSync.INVALID

    @property
    def needs_signature(self) -> bool:
        """The SDK's hint that the app should compute a signature soon to move the server counter."""
        return self.counter is CounterSync.CALCULATE_SIGNATURE


@dataclass(frozen=True, slots=True)
class PowerAuthToken:
    """A token from ``/pa/v3/token/create``: it authenticates later calls without a signature."""

    token_id: str
    token_secret: bytes
    signature_type: SignatureType
