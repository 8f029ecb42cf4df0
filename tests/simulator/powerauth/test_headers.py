"""Header formatting and lenient parsing, with typed errors on garbage."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.powerauth.errors import HeaderParseError
from simulator.powerauth.headers import AuthorizationHeader, EncryptionHeader, TokenHeader, parse_fields
from simulator.powerauth.signature import SignatureType

b64_16 = st.binary(min_size=16, max_size=16).map(lambda b: base64.b64encode(b).decode())
versions = st.sampled_from(["3.0", "3.1", "3.2", "3.3"])
activation_ids = st.uuids(version=4).map(str)
decimal_sig = st.lists(st.integers(min_value=0, max_value=99_999_999), min_size=1, max_size=3).map(
    lambda parts: "-".join(str(p).zfill(8) for p in parts)
)
base64_sig = st.sampled_from([16, 32, 48]).flatmap(
    lambda n: st.binary(min_size=n, max_size=n).map(lambda b: base64.b64encode(b).decode())
)

APP_KEY = "GlnZarYuYxQf9XNQYcKSvA=="
ACT_ID = "27b1692e-b467-4708-9ad1-c84eec83fc0a"


@settings(deadline=None)
@given(
    versions, activation_ids, b64_16, b64_16, st.sampled_from(list(SignatureType)), decimal_sig | base64_sig
)
def test_authorization_round_trip(
    version: str, activation_id: str, app_key: str, nonce: str, sig_type: SignatureType, signature: str
) -> None:
    header = AuthorizationHeader(version, activation_id, app_key, nonce, sig_type, signature)
    assert AuthorizationHeader.parse(header.format()) == header


@settings(deadline=None)
@given(versions, st.uuids().map(str), st.binary(min_size=32, max_size=32), b64_16, st.integers(0, 2**53))
def test_token_round_trip(version: str, token_id: str, digest: bytes, nonce: str, ts: int) -> None:
    header = TokenHeader(version, token_id, base64.b64encode(digest).decode(), nonce, str(ts))
    assert TokenHeader.parse(header.format()) == header


@settings(deadline=None)
@given(versions, b64_16, st.none() | activation_ids, st.booleans())
def test_encryption_round_trip(version: str, app_key: str, activation_id: str | None, commas: bool) -> None:
    header = EncryptionHeader(version, app_key, activation_id)
    text = header.format(commas=commas)
    assert ("," in text) == commas
    assert EncryptionHeader.parse(text) == header


def test_sdk_layout() -> None:
    header = AuthorizationHeader(
        "3.3", ACT_ID, APP_KEY, APP_KEY, SignatureType.POSSESSION_KNOWLEDGE, "A" * 43 + "="
    )
    assert header.format() == (
        f'PowerAuth pa_version="3.3", pa_activation_id="{ACT_ID}", pa_application_key="{APP_KEY}", '
        f'pa_nonce="{APP_KEY}", pa_signature_type="possession_knowledge", pa_signature="{"A" * 43}="'
    )


@pytest.mark.parametrize(
    "text",
    [
        f'PowerAuth version="3.3" application_key="{APP_KEY}"',
        f'PowerAuth version="3.3",application_key="{APP_KEY}"',
        f'  PowerAuth   version = "3.3" ,  application_key="{APP_KEY}" , ',
        f"PowerAuth version=3.3, application_key={APP_KEY}",
        f'PowerAuth\tversion="3.3"\tapplication_key="{APP_KEY}"',
    ],
    ids=["android-spaces", "no-space", "extra-whitespace", "unquoted", "tabs"],
)
def test_lenient_parsing(text: str) -> None:
    assert EncryptionHeader.parse(text) == EncryptionHeader("3.3", APP_KEY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "PowerAuth"),
        ("Bearer abc", "PowerAuth"),
        ('PowerAuthversion="3.3"', "PowerAuth"),
        (f'PowerAuth version="3.3" ;; application_key="{APP_KEY}"', "unparseable"),
        (f'PowerAuth version="3.3" application_key="{APP_KEY}" version="3.2"', "twice"),
        (f'PowerAuth application_key="{APP_KEY}"', "version.*missing"),
        (f'PowerAuth version="2.1" application_key="{APP_KEY}"', "unsupported"),
        ('PowerAuth version="3.3" application_key="short"', "application_key"),
        (f'PowerAuth version="3.3" application_key="{APP_KEY}" activation_id="nope"', "activation ID"),
    ],
)
def test_encryption_header_garbage(text: str, message: str) -> None:
    with pytest.raises(HeaderParseError, match=message):
        EncryptionHeader.parse(text)


def _auth(**overrides: str) -> str:
    fields = {
        "pa_version": "3.3",
        "pa_activation_id": ACT_ID,
        "pa_application_key": APP_KEY,
        "pa_nonce": APP_KEY,
        "pa_signature_type": "possession",
        "pa_signature": "12345678",
    }
    fields.update(overrides)
    return "PowerAuth " + ", ".join(f'{k}="{v}"' for k, v in fields.items() if v != "")


@pytest.mark.parametrize(
    "overrides",
    [
        {"pa_signature_type": "pin"},
        {"pa_signature": "1234"},
        {"pa_signature": "A" * 20},
        {"pa_signature": "!" * 24},
        {"pa_nonce": "AAAA"},
        {"pa_activation_id": "xyz"},
        {"pa_signature": ""},
    ],
    ids=[
        "type",
        "short-decimal",
        "base64-length",
        "base64-chars",
        "nonce-length",
        "activation-id",
        "missing",
    ],
)
def test_authorization_header_errors(overrides: dict[str, str]) -> None:
    with pytest.raises(HeaderParseError):
        AuthorizationHeader.parse(_auth(**overrides))


def test_authorization_accepts_upper_case_type_and_normalises_id() -> None:
    header = AuthorizationHeader.parse(_auth(pa_signature_type="POSSESSION", pa_activation_id=ACT_ID.upper()))
    assert header.signature_type is SignatureType.POSSESSION and header.activation_id == ACT_ID


def test_token_header_errors() -> None:
    good = TokenHeader("3.3", ACT_ID, base64.b64encode(bytes(32)).decode(), APP_KEY, "123").format()
    assert TokenHeader.parse(good).timestamp == "123"
    with pytest.raises(HeaderParseError, match="timestamp"):
        TokenHeader.parse(good.replace('timestamp="123"', 'timestamp="12a"'))
    with pytest.raises(HeaderParseError, match="token_digest"):
        TokenHeader.parse(good.replace(base64.b64encode(bytes(32)).decode(), APP_KEY))
    with pytest.raises(HeaderParseError, match="UUID"):
        TokenHeader.parse(good.replace(ACT_ID, "token-1"))


@settings(deadline=None)
@given(st.text(max_size=80))
def test_parse_fields_never_crashes_untyped(text: str) -> None:
    try:
        fields = parse_fields(text)
    except HeaderParseError:
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())
