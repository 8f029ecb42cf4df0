"""Key material and random bytes drawn from the session's seeded streams.

A seeded run of the mock must hand out the same master keys, server keys, temporary keys, counters
and nonces every time (so a failing scenario can be replayed byte for byte); without a seed the
streams are the OS CSPRNG.  Private keys are built from a scalar read out of the stream, rejecting
the (astronomically rare) values outside ``1 .. n-1`` rather than reducing them, so no scalar is
more likely than another.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from mocks.framework import now, rng
from simulator.powerauth.keys import CURVE_ORDER, private_key_from_bytes

SCALAR_BYTES = 32


def seeded_private_key(purpose: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key whose scalar comes from the session's ``purpose`` stream."""
    stream = rng(purpose)
    while True:
        raw = stream.randbytes(SCALAR_BYTES)
        if 0 < int.from_bytes(raw, "big") < CURVE_ORDER:
            return private_key_from_bytes(raw)


def seeded_bytes(purpose: str, length: int) -> bytes:
    """``length`` bytes from the session's ``purpose`` stream (nonces, ctrData, token secrets)."""
    return rng(purpose).randbytes(length)


def now_ms() -> int:
    """The session's virtual time in Unix milliseconds (ECIES timestamps, token windows)."""
    return int(now().timestamp() * 1000)
