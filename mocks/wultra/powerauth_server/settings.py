"""PowerAuth Server settings, read from the Wultra mock's ``MockConfig.extra`` (flat, prefixed keys).

Defaults are the real server's: ``powerauth_max_failed_attempts`` 5
(``signatureMaxFailedAttempts``), ``powerauth_signature_lookahead`` 20
(``signatureValidationLookahead``), ``powerauth_activation_validity`` 300 s
(``activationValidityInMilliseconds``), and ``powerauth_vault_biometry`` false (whether
possession_biometry may unlock the vault).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mocks.framework import current_runtime


@dataclass(frozen=True)
class PowerAuthSettings:
    max_failed_attempts: int = 5
    signature_lookahead: int = 20
    activation_validity: float = 300.0
    vault_biometry: bool = False


def _bounded(value: Any, low: float, high: float, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def powerauth_settings() -> PowerAuthSettings:
    """The running mock's settings; nonsense values fall back to, or are clamped into, safe ranges."""
    extra: dict[str, Any] = current_runtime().config.extra
    defaults = PowerAuthSettings()
    return PowerAuthSettings(
        max_failed_attempts=int(_bounded(extra.get("powerauth_max_failed_attempts"), 1, 255,
                                         defaults.max_failed_attempts)),
        # The SDK rejects a status blob whose look-ahead is 0 or above 64.
        signature_lookahead=int(_bounded(extra.get("powerauth_signature_lookahead"), 1, 64,
                                         defaults.signature_lookahead)),
        activation_validity=_bounded(extra.get("powerauth_activation_validity"), 1, 86_400 * 30,
                                     defaults.activation_validity),
        vault_biometry=bool(extra.get("powerauth_vault_biometry", defaults.vault_biometry)),
    )
