"""The Twilio-shaped send / fetch / list API and the handset inbox, over real HTTP."""

from __future__ import annotations

import pytest
import requests

from mocks.framework import AdminClient
from mocks.sms_gateway.client import SmsGatewayClient, SmsGatewayClientError

TO = "+420601234567"
FORM = "application/x-www-form-urlencoded"


def test_send_returns_a_queued_message_resource(gateway: SmsGatewayClient) -> None:
    response = gateway.send(TO, "Your code is 12345678")
    assert response.status_code == 201
    message = response.json()
    assert message["sid"].startswith("SM") and len(message["sid"]) == 34
    assert message["status"] == "queued"
    assert message["to"] == TO and message["from"] == "+15005550006"
    assert message["num_segments"] == "1" and message["error_code"] is None
    assert message["account_sid"] == gateway.sid
    assert message["uri"].endswith(f"/Messages/{message['sid']}.json")


def test_sent_message_reaches_the_handset_inbox(gateway: SmsGatewayClient, admin: AdminClient) -> None:
    sid = gateway.send(TO, "Your code is 12345678").json()["sid"]
    assert gateway.inbox(TO)["messages"] == []  # not delivered yet on the virtual clock
    admin.advance_clock(3)
    inbox = gateway.inbox(TO)
    assert inbox["unread"] == 1
    [entry] = inbox["messages"]
    assert entry["body"] == "Your code is 12345678" and entry["messageSid"] == sid
    assert entry["read"] is False
    assert gateway.inbox("+420777000111")["messages"] == []  # another handset sees nothing


def test_inbox_is_newest_first_and_can_be_marked_read(gateway: SmsGatewayClient, admin: AdminClient) -> None:
    gateway.send(TO, "first")
    admin.advance_clock(1)
    gateway.send(TO, "second")
    admin.advance_clock(5)
    inbox = gateway.inbox(TO)
    assert [m["body"] for m in inbox["messages"]] == ["second", "first"]
    first_id = inbox["messages"][1]["id"]
    assert gateway.mark_read(TO, first_id)["read"] is True
    assert [m["body"] for m in gateway.inbox(TO, unread_only=True)["messages"]] == ["second"]
    assert gateway.inbox(TO)["unread"] == 1


def test_mark_read_of_unknown_entry_is_404(gateway: SmsGatewayClient) -> None:
    with pytest.raises(SmsGatewayClientError) as raised:
        gateway.mark_read(TO, "SMnope-0")
    assert raised.value.status == 404 and '"code":20404' in str(raised.value).replace(" ", "")


def test_states_advance_with_the_virtual_clock(gateway: SmsGatewayClient, admin: AdminClient) -> None:
    sid = gateway.send(TO, "hello").json()["sid"]
    assert gateway.fetch(sid).json()["status"] == "queued"
    admin.advance_clock(1)
    sent = gateway.fetch(sid).json()
    assert sent["status"] == "sent" and sent["date_sent"] is not None
    admin.advance_clock(2)
    assert gateway.fetch(sid).json()["status"] == "delivered"


def test_fetch_and_list(gateway: SmsGatewayClient) -> None:
    sids = [gateway.send(to, "hello").json()["sid"] for to in (TO, "+447700900123", TO)]
    assert gateway.fetch(sids[1]).json()["to"] == "+447700900123"
    listed = gateway.list().json()
    assert [m["sid"] for m in listed["messages"]] == list(reversed(sids))
    assert [m["sid"] for m in gateway.list(To=TO).json()["messages"]] == [sids[2], sids[0]]
    page = gateway.list(PageSize=2).json()
    assert len(page["messages"]) == 2 and page["next_page_uri"] is not None
    assert [m["sid"] for m in gateway.list(PageSize=2, Page=1).json()["messages"]] == [sids[0]]


def test_fetch_unknown_message_is_twilio_404(gateway: SmsGatewayClient) -> None:
    response = gateway.fetch("SM" + "0" * 32)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == 20404 and body["status"] == 404 and body["more_info"].endswith("/20404")


@pytest.mark.parametrize(
    ("body", "encoding_segments"),
    [("a" * 160, "1"), ("a" * 161, "2"), ("ř" * 70, "1"), ("ř" * 71, "2"), ("€" * 81, "2")],
)
def test_num_segments_counts_gsm7_and_ucs2(gateway: SmsGatewayClient, body: str,
                                           encoding_segments: str) -> None:
    assert gateway.send(TO, body).json()["num_segments"] == encoding_segments


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": "00420601234567"}, 21211),
        ({"to": "+0123"}, 21211),
        ({"to": ""}, 21604),
        ({"From": "+12-bad"}, 21212),
        ({"body": ""}, 21602),
        ({"body": "   "}, 21602),
        ({"body": "x" * 1601}, 21617),
        ({"StatusCallback": "ftp://example.com/x"}, 21609),
        ({"MessagingServiceSid": "MGnot-a-sid"}, 21200),
    ],
)
def test_bad_numbers_and_bodies_get_twilio_codes(gateway: SmsGatewayClient, fields: dict[str, str],
                                                 code: int) -> None:
    values = dict(fields)
    response = gateway.send(values.pop("to", TO), values.pop("body", "hello"), **values)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["status"] == 400 and body["message"]


def test_messaging_service_sid_may_replace_from(gateway: SmsGatewayClient) -> None:
    response = gateway.send(TO, "hello", from_=None, MessagingServiceSid="MG" + "a" * 32)
    assert response.status_code == 201
    assert response.json()["messaging_service_sid"] == "MG" + "a" * 32


@pytest.mark.parametrize(
    "auth", [("AC" + "1" * 32, "rsim-sms-auth-token-0000000000000"), ("AC" + "5" * 32, "wrong")]
)
def test_wrong_credentials_are_401_20003(gateway: SmsGatewayClient, auth: tuple[str, str]) -> None:
    response = gateway.send(TO, "hello", auth=auth)
    assert response.status_code == 401
    assert response.json()["code"] == 20003
    assert "Basic" in response.headers["WWW-Authenticate"]


def test_missing_credentials_are_401(gateway: SmsGatewayClient) -> None:
    response = gateway.http.post(gateway.messages_url, data={"To": TO, "From": "+15005550006", "Body": "x"})
    assert response.status_code == 401 and response.json()["code"] == 20003
    assert gateway.http.get(gateway.messages_url).status_code == 401


def test_configured_account_replaces_the_default() -> None:
    from mocks.framework import serve_in_thread
    from mocks.sms_gateway.app import create_app

    sid, token = "AC" + "ab" * 16, "custom-token-1234"
    with serve_in_thread(create_app({"extra": {"account_sid": sid, "auth_token": token}})) as running, \
            requests.Session() as http:
        url = f"{running.url}/2010-04-01/Accounts/{sid}/Messages.json"
        form = {"To": TO, "From": "+15005550006", "Body": "hi"}
        assert http.post(url, data=form, auth=(sid, token)).status_code == 201
        default = f"{running.url}/2010-04-01/Accounts/AC{'5' * 32}/Messages.json"
        assert http.post(default, data=form, auth=("AC" + "5" * 32,
                                                   "rsim-sms-auth-token-0000000000000")).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("post", "/Messages.json", {"data": b"\xff\xfe\x00garbage", "headers": {"Content-Type": FORM}}),
        ("post", "/Messages.json", {"json": {"To": TO, "Body": "x"}}),
        ("post", "/Messages.json", {"data": {"To": [TO, TO], "From": "+15005550006", "Body": "x"}}),
        ("get", "/Messages.json?PageSize=abc", {}),
        ("get", "/Messages.json?PageSize=0", {}),
        ("get", "/Messages/%00%ff.json", {}),
        ("delete", "/Messages.json", {}),
        ("post", "/Messages.json", {"data": "a" * 2_000_000}),
    ],
)
def test_malformed_requests_are_4xx_never_5xx(gateway: SmsGatewayClient, method: str, path: str,
                                              kwargs: dict[str, object]) -> None:
    url = f"{gateway.url}/2010-04-01/Accounts/{gateway.sid}{path}"
    response = gateway.http.request(method, url, auth=(gateway.sid, gateway.token), **kwargs)
    assert 400 <= response.status_code < 500, response.text
    assert isinstance(response.json()["code"], int)


@pytest.mark.parametrize("number", ["420601234567", "+", "%2B42x", "+1234567890123456"])
def test_handset_inbox_rejects_non_e164_numbers(gateway: SmsGatewayClient, number: str) -> None:
    response = gateway.http.get(f"{gateway.url}/handsets/{number}/messages")
    assert response.status_code == 400 and response.json()["code"] == 21211


def test_gateway_errors_through_framework_faults(gateway: SmsGatewayClient, admin: AdminClient) -> None:
    admin.add_fault(route="/2010-04-01/*", methods=["POST"], times=1, error={"status": 503})
    failed = gateway.send(TO, "hello")
    assert failed.status_code == 503 and failed.json()["code"] == 20503
    assert gateway.send(TO, "hello").status_code == 201


def test_sessions_are_isolated(gateway: SmsGatewayClient) -> None:
    gateway.send(TO, "hello")
    other = gateway.http.get(gateway.messages_url, auth=(gateway.sid, gateway.token),
                             headers={"X-Sim-Session": "someone-else"})
    assert other.json()["messages"] == []


def test_form_encoded_send_is_journaled_with_its_fields_and_the_text_masked(
    gateway: SmsGatewayClient, admin: AdminClient
) -> None:
    """The handler parses the form, yet the journal still shows what was sent (credentials masked)."""
    gateway.send(to="+420601234567", body="Your code is 48213377")
    [entry] = admin.journal(path="Messages.json")
    sent = entry["requestBody"]
    assert sent["To"] == "+420601234567"
    assert entry["requestHeaders"]["Authorization"] == "***"
    # The text carries OTPs: masked in the request, the answer and the handset's inbox reads.
    assert sent["Body"] == "***" and entry["responseBody"]["body"] == "***"
    admin.advance_clock(5)
    inbox = gateway.inbox("+420601234567")
    assert [m["body"] for m in inbox["messages"]] == ["Your code is 48213377"], "the handset shows it"
    assert admin.journal(text="48213377") == []
