"""The phone's SMS inbox: OTP extraction in any language, and reading the gateway's inbox over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mocks.framework import AdminClient, RunningServer, serve_in_thread
from mocks.sms_gateway.app import create_app
from mocks.sms_gateway.client import SmsGatewayClient
from simulator.device.inbox import (
    AmbiguousOtpError,
    InboxFormatError,
    InboxUnavailableError,
    OtpNotFoundError,
    SmsInbox,
    SmsMessage,
    extract_otp,
    otp_candidates,
)

HANDSET = "+420777123456"

LOCALISED = [
    "Váš ověřovací kód pro obnovení aktivace je {otp}. Platí 5 minut. Nikomu jej nesdělujte.",
    "Your verification code is {otp}. It expires in 5 minutes; call +420800123456 if it was not you.",
    "Ihr Bestätigungscode lautet {otp} (gültig bis 28.11.2026 14:35).",
    "Kód: {otp}",
    "{otp} je váš kód. Zůstatek 1 250,00 Kč.",
    "رمز التحقق الخاص بك هو {otp}",
    "您的验证码是{otp}，5分钟内有效。",
]


@pytest.mark.parametrize("template", LOCALISED)
def test_otp_found_in_localised_texts(template: str) -> None:
    assert extract_otp(template.format(otp="04718265"), length=8) == "04718265"
    assert extract_otp(template.format(otp="04718265")) == "04718265"


def test_non_ascii_digits_are_normalised() -> None:
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "93017246")
    assert extract_otp(f"رمز التحقق {arabic_indic}") == "93017246"
    assert extract_otp("Code １２３４５６７８ ok") == "12345678"  # full-width digits


def test_phone_numbers_dates_and_amounts_are_not_otps() -> None:
    text = "Call +420777123456 by 28.11.2026, 14:35, balance 1250,00 or 2026-11-28."
    assert otp_candidates(text) == ()
    with pytest.raises(OtpNotFoundError):
        extract_otp(text)


def test_two_different_codes_are_ambiguous_and_length_disambiguates() -> None:
    with pytest.raises(AmbiguousOtpError) as info:
        extract_otp("Code 12345678, reference 4321")
    assert info.value.candidates == ("12345678", "4321")
    assert extract_otp("Code 12345678, reference 4321", length=8) == "12345678"
    assert extract_otp("Code 12345678 (again: 12345678)") == "12345678"


def test_invalid_length_is_refused() -> None:
    with pytest.raises(ValueError, match="OTP length"):
        otp_candidates("1234", length=3)


_WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Nd", "No", "Cs"), blacklist_characters="+"),
    max_size=40,
)


@given(prefix=_WORDS, suffix=_WORDS, otp=st.from_regex(r"[0-9]{8}", fullmatch=True))
def test_otp_anywhere_in_digit_free_text(prefix: str, suffix: str, otp: str) -> None:
    """Whatever the (digit-free) wording around it, the one 8-digit run is the OTP."""
    assert extract_otp(f"{prefix} {otp} {suffix}", length=8) == otp


@given(st.text(max_size=200))
def test_extraction_never_crashes(text: str) -> None:
    try:
        code = extract_otp(text)
    except (OtpNotFoundError, AmbiguousOtpError):
        return
    assert code.isascii() and code.isdigit() and 4 <= len(code) <= 12


def test_entry_parsing_rejects_bad_shapes() -> None:
    good = {"id": "SM1-0", "messageSid": "SM1", "from": "BANK", "body": "x",
            "receivedAt": "2026-11-28T10:00:00+00:00", "read": False}
    assert SmsMessage.from_json(good).sender == "BANK"
    bad: object
    for bad in ([], {**good, "read": "no"}, {k: v for k, v in good.items() if k != "body"},
                {**good, "receivedAt": "yesterday"}):
        with pytest.raises(InboxFormatError):
            SmsMessage.from_json(bad)


def test_number_must_be_e164() -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        SmsInbox("http://127.0.0.1:1", "777123456")


# ----------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def gateway_server() -> Iterator[RunningServer]:
    with serve_in_thread(create_app({"seed": 11})) as running:
        yield running


@pytest.fixture
def session(gateway_server: RunningServer, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"inbox-{request.node.name}"[:60]
    yield name
    AdminClient(gateway_server.url, session=name).reset(name)


def _send(server: RunningServer, session: str, body: str) -> None:
    with SmsGatewayClient(server.url, session=session) as gateway:
        assert gateway.send(HANDSET, body, from_="BANK").status_code == 201


def test_newest_unread_otp_over_http(gateway_server: RunningServer, session: str) -> None:
    admin = AdminClient(gateway_server.url, session=session)
    _send(gateway_server, session, "Váš ověřovací kód je 11112222. Platí 5 minut.")
    admin.advance_clock(10)
    _send(gateway_server, session, "Your new verification code is 33334444.")
    admin.advance_clock(10)
    with SmsInbox(gateway_server.url, HANDSET, session=session) as inbox:
        assert [m.read for m in inbox.messages()] == [False, False]
        received = inbox.latest_otp(length=8)
        assert received.code == "33334444" and received.message.read
        assert received.message.sender == "BANK"
        # the resent (newest) one was taken and marked read; the older one stays unread
        assert [m.body for m in inbox.messages(unread_only=True)] == [
            "Váš ověřovací kód je 11112222. Platí 5 minut."
        ]
        assert inbox.latest_otp(length=8).code == "11112222"
        with pytest.raises(OtpNotFoundError):
            inbox.latest_otp(length=8)


def test_wait_for_otp_moves_the_virtual_clock(gateway_server: RunningServer, session: str) -> None:
    admin = AdminClient(gateway_server.url, session=session)
    _send(gateway_server, session, "Ihr Code lautet 98765432.")
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        admin.advance_clock(1)

    with SmsInbox(gateway_server.url, HANDSET, session=session) as inbox:
        assert inbox.messages() == []  # not delivered yet on the virtual clock
        assert inbox.wait_for_otp(timeout=60, poll_interval=0.0, sleep=sleep).code == "98765432"
    assert 1 <= len(sleeps) <= 5


def test_wait_for_otp_times_out(gateway_server: RunningServer, session: str) -> None:
    ticks = iter(range(100))
    with SmsInbox(gateway_server.url, HANDSET, session=session) as inbox, pytest.raises(OtpNotFoundError):
        inbox.wait_for_otp(timeout=3, poll_interval=0, sleep=lambda _s: None,
                           monotonic=lambda: float(next(ticks)))


def test_other_sessions_do_not_share_an_inbox(gateway_server: RunningServer, session: str) -> None:
    _send(gateway_server, session, "Code 55556666")
    AdminClient(gateway_server.url, session=session).advance_clock(10)
    with SmsInbox(gateway_server.url, HANDSET, session=session + "-other") as other:
        assert other.messages() == []


def test_gateway_errors_are_typed(gateway_server: RunningServer, session: str) -> None:
    with SmsInbox(gateway_server.url, HANDSET, session=session) as inbox, \
            pytest.raises(InboxUnavailableError) as info:
        inbox.mark_read("SMnothing-0")
    assert info.value.status == 404
    with SmsInbox("http://127.0.0.1:9", HANDSET, timeout=2) as dead, pytest.raises(InboxUnavailableError):
        dead.messages()
