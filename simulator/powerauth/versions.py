"""Protocol version strings and what each one changes on the wire.

Kept in one place because ECIES, signatures, tokens and headers all branch on the version.
"""

from __future__ import annotations

from enum import StrEnum

from simulator.powerauth.errors import PowerAuthError


class ProtocolVersion(StrEnum):
    """The v3 protocol versions the server accepts (``pa_version`` and friends)."""

    V3_0 = "3.0"
    V3_1 = "3.1"
    V3_2 = "3.2"
    V3_3 = "3.3"

    @property
    def has_request_nonce(self) -> bool:
        """ECIES requests carry a nonce from 3.1 on (3.0 uses a zero IV)."""
        return self.value != "3.0"

    @property
    def has_timestamp(self) -> bool:
        """ECIES requests and responses carry timestamps, responses their own nonce (3.2+)."""
        return self.value >= "3.2"

    @property
    def has_temporary_key(self) -> bool:
        """ECIES requests name a temporary key (3.3)."""
        return self.value == "3.3"

    @property
    def uses_decimal_signature(self) -> bool:
        """Online signatures are decimal in 3.0 and Base64 from 3.1 on."""
        return self.value == "3.0"


def parse_version(
    value: str | ProtocolVersion, error: type[PowerAuthError] = PowerAuthError
) -> ProtocolVersion:
    """Turn ``"3.2"`` into :class:`ProtocolVersion`; unknown strings raise ``error``."""
    try:
        return ProtocolVersion(value)
    except ValueError as exc:
        raise error(f"unsupported protocol version {value!r} (expected 3.0, 3.1, 3.2 or 3.3)") from exc
