"""Sequence diagrams: calls folded under their callers, in order, refusals amber, breakage red,
unknown URLs external."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.artifacts import ExchangeRecord, OutboundRecord
from reports.sequence import EXTERNAL, LIFELINES, Arrow, build_sequence, party_for_url, render_svg

SVG = "{http://www.w3.org/2000/svg}"
PARTIES = {"wultra": "http://127.0.0.1:41001", "bank": "http://127.0.0.1:41002",
           "sms-gateway": "http://127.0.0.1:41003", "biometry": "http://127.0.0.1:41004"}


def ex(party: str, method: str, path: str, status: int | None, *calls: OutboundRecord,
       error: str | None = None) -> ExchangeRecord:
    return ExchangeRecord(party=party, id="1", timestamp="", method=method, path=path, status=status,
                          outbound=calls, error=error)


def out(party: str, path: str, status: int | None, method: str = "POST",
        error: str | None = None) -> OutboundRecord:
    return OutboundRecord(method=method, url=PARTIES.get(party, party) + path, status=status, error=error)


def triples(diagram: object) -> list[tuple[str, str, str, int]]:
    return [(a.source, a.target, a.label, a.depth) for a in diagram.arrows]  # type: ignore[attr-defined]


def test_outbound_calls_are_nested_under_their_caller_and_not_repeated(kit: SimpleNamespace) -> None:
    from reports.artifacts import _exchange  # the loader's own reader keeps the fixture honest

    exchanges = [_exchange(raw, [], "x") for raw in kit.honest_step2()]
    diagram = build_sequence(exchanges, kit.PARTIES)
    assert triples(diagram) == [
        ("device", "wultra", f"POST {kit.START} → 200", 0),
        ("wultra", "bank", "POST /user/lookup → 200", 1),
        ("wultra", "bank", "POST /otp/send → 200", 1),
        ("bank", "sms-gateway", f"POST {kit.SMS} → 201", 2),
        ("device", "sms-gateway", f"GET {kit.INBOX} → 200", 0),
    ]
    assert diagram.lifelines == LIFELINES and diagram.omitted == 0
    assert not any(a.failed for a in diagram.arrows)


def test_a_failed_answer_and_a_missing_answer_are_failures() -> None:
    diagram = build_sequence([
        ex("wultra", "POST", "/start", 502, out("bank", "/otp/send", None, error="connection refused")),
        ex("biometry", "POST", "/api/v2/claim/verify/token", 400),
        ex("wultra", "POST", "/status", None, error="reset"),
    ], PARTIES)
    assert [(a.label, a.failed) for a in diagram.arrows] == [
        ("POST /start → 502", True),
        ("POST /otp/send → no answer (connection refused)", True),
        ("POST /api/v2/claim/verify/token → 400", True),
        ("POST /status → no answer (reset)", True),
    ]


def test_a_call_to_an_unknown_url_goes_to_the_external_lifeline() -> None:
    diagram = build_sequence([ex("bank", "POST", "/otp/send", 200,
                                 out("https://sms.example.com:8443", "/send", 200))], PARTIES)
    assert diagram.lifelines == (*LIFELINES, EXTERNAL)
    assert triples(diagram)[1] == ("bank", EXTERNAL, "POST sms.example.com:8443/send → 200", 1)


def test_the_same_path_answered_twice_is_matched_in_order() -> None:
    """A resend: Wultra sends the OTP twice; each bank exchange nests under its own call (by status too)."""
    diagram = build_sequence([
        ex("wultra", "POST", "/start", 200, out("bank", "/otp/send", 200)),
        ex("bank", "POST", "/otp/send", 200, out("sms-gateway", "/msg", 201)),
        ex("wultra", "POST", "/resend", 200, out("bank", "/otp/send", 503)),
        ex("bank", "POST", "/otp/send", 503, out("sms-gateway", "/msg", 503)),
        ex("sms-gateway", "POST", "/msg", 201),
        ex("sms-gateway", "POST", "/msg", 503),
    ], PARTIES)
    assert [(a.source, a.target, a.status) for a in diagram.arrows] == [
        ("device", "wultra", 200), ("wultra", "bank", 200), ("bank", "sms-gateway", 201),
        ("device", "wultra", 200), ("wultra", "bank", 503), ("bank", "sms-gateway", 503),
    ]


def test_the_same_call_again_is_one_row_and_long_paths_keep_their_outcome() -> None:
    """A phone polling its inbox: one arrow ×N, broken only by something else happening in between."""
    inbox = "/handsets/+420601234567/messages"
    poll = ex("sms-gateway", "GET", inbox, 200)
    callback = ex("sms-gateway", "GET", inbox, 200, out("bank", "/sms/status", 204))
    diagram = build_sequence([poll, poll, poll, callback, poll, poll], PARTIES)
    assert [(a.target, a.repeat) for a in diagram.arrows] == [
        ("sms-gateway", 4), ("bank", 1), ("sms-gateway", 2)]
    assert diagram.arrows[0].label == "GET /handsets/+420601234567/messages → 200 ×4"
    capped = build_sequence([poll] * 5 + [ex("wultra", "GET", "/x", 200)] * 3, PARTIES, max_arrows=1)
    assert capped.arrows[0].repeat == 5 and capped.omitted == 3
    long = Arrow(source="wultra", target="biometry", method="DELETE", path="/api/v2/users/" + "A" * 80,
                 status=400, depth=1, repeat=2)
    short = long.short_label(60)
    assert len(short) <= 60 and short.startswith("DELETE /api/v2/users/") and short.endswith("AAA → 400 ×2")
    assert "…" in short


def test_a_background_call_is_drawn_from_its_party_only() -> None:
    """The gateway's delivery callback, made outside any request, journaled on its own."""
    callback = out("bank", "/sms/status", 204)
    diagram = build_sequence([
        ex("bank", "POST", "/otp/send", 200, out("sms-gateway", "/msg", 201)),
        ex("sms-gateway", "POST", "/msg", 201),
        ExchangeRecord(party="sms-gateway", id="9", timestamp="", method="POST", path=callback.url,
                       status=204, outbound=(callback,), direction="outbound"),
        ex("bank", "POST", "/sms/status", 204),
        ExchangeRecord(party="bank", id="10", timestamp="", method="GET", path=PARTIES["wultra"] + "/x",
                       status=200, outbound=(out("wultra", "/x", 200, method="GET"),)),  # no direction
    ], PARTIES)
    assert [(a.source, a.target, a.path, a.depth) for a in diagram.arrows] == [
        ("device", "bank", "/otp/send", 0), ("bank", "sms-gateway", "/msg", 1),
        ("sms-gateway", "bank", "/sms/status", 0), ("bank", "wultra", "/x", 0),
    ]


def test_party_urls_match_by_origin_and_base_path() -> None:
    parties = {"wultra": "http://localhost:8080/", "bank": "http://127.0.0.1:8090/adapter",
               "other": "http://127.0.0.1:8090"}
    assert party_for_url("http://127.0.0.1:8080/enrollment-server/x", parties) == "wultra"
    assert party_for_url("http://127.0.0.1:8090/adapter/otp/send", parties) == "bank"
    assert party_for_url("http://127.0.0.1:8090/adapterx", parties) == "other"
    assert party_for_url("http://127.0.0.1:9999/x", parties) is None
    assert party_for_url("http://127.0.0.1:notaport/x", parties) is None
    assert party_for_url("no url at all", parties) is None


def test_long_scenarios_are_capped_with_a_note() -> None:
    exchanges = [ex("wultra", "GET", f"/poll/{i}", 200) for i in range(250)]
    diagram = build_sequence(exchanges, PARTIES, max_arrows=200)
    assert len(diagram.arrows) == 200 and diagram.omitted == 50
    root = ET.fromstring(render_svg(diagram))
    [note] = [t for t in root.iter(f"{SVG}text") if t.get("class") == "omitted"]
    assert note.text is not None and "50 more calls not drawn" in note.text


def test_svg_draws_each_arrow_in_order_refusals_amber_breakage_red() -> None:
    diagram = build_sequence([
        ex("wultra", "POST", "/start", 200, out("bank", "/user/lookup", 404)),
        ex("bank", "POST", "/user/lookup", 404),
        ex("wultra", "POST", "/self", 200, out("wultra", "/powerauth-java-server/rest/v3/x", 200)),
        ex("wultra", "POST", "/broken", 503),
    ], PARTIES)
    root = ET.fromstring(render_svg(diagram, id_prefix="s1"))
    lifelines = [g.get("data-party") for g in root.iter(f"{SVG}g") if g.get("class") == "lifeline"]
    assert lifelines == list(LIFELINES)
    arrows = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("arrow")]
    assert [(g.get("data-source"), g.get("data-target"), g.get("class")) for g in arrows] == [
        ("device", "wultra", "arrow"), ("wultra", "bank", "arrow refused"),
        ("device", "wultra", "arrow"), ("wultra", "wultra", "arrow"), ("device", "wultra", "arrow failed"),
    ]
    labels = [g.find(f"{SVG}text").text for g in arrows]  # type: ignore[union-attr]
    assert labels[1] == "POST /user/lookup → 404"
    assert arrows[1].find(f"{SVG}text").get("fill") == "#b26a00"  # type: ignore[union-attr]
    assert arrows[1].find(f"{SVG}line").get("marker-end") == "url(#s1-amber)"  # type: ignore[union-attr]
    assert arrows[4].find(f"{SVG}text").get("fill") == "#c62828"  # type: ignore[union-attr]
    assert arrows[4].find(f"{SVG}line").get("marker-end") == "url(#s1-red)"  # type: ignore[union-attr]
    assert arrows[3].find(f"{SVG}path") is not None  # a call to itself is a loop
    ys = [float(g.find(f"{SVG}text").get("y")) for g in arrows]  # type: ignore[union-attr, arg-type]
    assert ys == sorted(ys) and len(set(ys)) == 5


def test_an_empty_scenario_says_so() -> None:
    root = ET.fromstring(render_svg(build_sequence([], PARTIES)))
    assert any(t.text == "no calls journaled for this scenario" for t in root.iter(f"{SVG}text"))


_party = st.sampled_from([*PARTIES, "device", "mystery"])
_status = st.none() | st.integers(100, 599)
_text = st.text(max_size=12)
_method = st.sampled_from(["GET", "POST"])
_url = st.builds(lambda p, path: PARTIES.get(p, "http://x.test") + path, _party,
                 st.sampled_from(["/", "/a", "/b"]) | _text) | _text
_call = st.builds(OutboundRecord, method=_method, url=_url, status=_status, error=st.none() | _text)
_exchange = st.builds(ExchangeRecord, party=_party, id=_text, timestamp=_text, method=_method,
                      path=st.sampled_from(["/", "/a", "/b"]) | _text, status=_status,
                      outbound=st.lists(_call, max_size=3).map(tuple), error=st.none() | _text,
                      direction=st.sampled_from(["inbound", "outbound"]))


@settings(max_examples=200, deadline=None)
@given(exchanges=st.lists(_exchange, max_size=15), cap=st.integers(0, 30))
def test_any_exchange_list_renders(exchanges: list[ExchangeRecord], cap: int) -> None:
    diagram = build_sequence(exchanges, PARTIES, max_arrows=cap)
    calls = sum(len(e.outbound) for e in exchanges)
    drawn = sum(a.repeat for a in diagram.arrows) + diagram.omitted
    # every outbound call is one arrow; an exchange is one more unless it answers one of them or is a
    # background call
    assert calls <= drawn <= calls + len(exchanges) and len(diagram.arrows) <= cap
    assert all(a.source in diagram.lifelines and a.target in diagram.lifelines for a in diagram.arrows)
    ET.fromstring(render_svg(diagram))  # always well-formed
