"""Mobile SDK configuration string encoding."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.errors import SdkConfigError
from simulator.powerauth.keys import generate_private_key, public_key_to_bytes
from simulator.powerauth.sdk_config import SdkConfig, _count

b64_16 = st.binary(min_size=16, max_size=16).map(lambda b: base64.b64encode(b).decode())
MASTER = public_key_to_bytes(generate_private_key().public_key())


@settings(deadline=None, max_examples=30)
@given(b64_16, b64_16)
def test_round_trip_and_layout(app_key: str, app_secret: str) -> None:
    config = SdkConfig(app_key, app_secret, MASTER)
    raw = base64.b64decode(config.encode())
    assert raw[:2] == b"\x01\x10" and raw[18] == 0x10 and raw[35:38] == b"\x01\x01\x41"
    assert len(raw) == 1 + 17 + 17 + 2 + 66
    assert SdkConfig.decode(config.encode()) == config


def test_compact_count() -> None:
    assert _count(0x7F) == b"\x7f"
    assert _count(0x80) == b"\x80\x80"
    assert _count(0x3FFF) == b"\xbf\xff"
    assert _count(0x4000) == b"\xc0\x00\x40\x00"


@pytest.mark.parametrize("cut", [0, 1, 10, 36, 60, 102])
def test_truncated_config_is_typed(cut: int) -> None:
    text = SdkConfig("GlnZarYuYxQf9XNQYcKSvA==", "X4Y+OoARCjZ3il+ogr67+w==", MASTER).encode()
    raw = base64.b64decode(text)[:cut]
    with pytest.raises(SdkConfigError):
        SdkConfig.decode(base64.b64encode(raw).decode())


def test_bad_fields_are_typed() -> None:
    good = base64.b64decode(
        SdkConfig("GlnZarYuYxQf9XNQYcKSvA==", "X4Y+OoARCjZ3il+ogr67+w==", MASTER).encode()
    )
    for mutated in (b"\x02" + good[1:], good[:37] + b"\x02" + good[38:], good[:39] + b"\x05" + good[40:]):
        with pytest.raises(SdkConfigError):
            SdkConfig.decode(base64.b64encode(mutated).decode())
    with pytest.raises(SdkConfigError):
        SdkConfig.decode("not base64")
