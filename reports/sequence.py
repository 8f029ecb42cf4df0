"""A scenario's calls between the parties as a sequence diagram (data first, then inline SVG).

Every mock journals the requests *it* received, with the calls it made meanwhile.  A call from Wultra to
the bank therefore appears twice: as an outbound call in Wultra's exchange and as the bank's own
exchange (which may hold the bank's call on to the SMS gateway).  :func:`build_sequence` folds the two:
an exchange that answers another party's outbound call is drawn nested under that call, and only the
remaining exchanges are requests from the device (the scenario's client side) - except a party's
background call (journaled on its own, outside any request), which is drawn from that party.
Outbound URLs are mapped to parties by the URLs the scenario ran against; a URL of no known party is
an ``external`` lifeline, so a call leaving the stack is visible rather than lost.

Arrows are labelled ``METHOD path → status``.  A 4xx answer is a refusal, drawn amber: negative
scenarios expect them (a wrong OTP, a stranger's face), so they must not look like breakage.  A 5xx
or no answer at all is drawn red: that is what shows, on a failing scenario, which party misbehaved.
The SVG is plain markup built with :mod:`xml.etree.ElementTree` (always well-formed, text escaped),
with no script and no external reference, so the report stays one file that opens offline.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import SplitResult, urlsplit

from .artifacts import ExchangeRecord, OutboundRecord

__all__ = [
    "DEFAULT_MAX_ARROWS",
    "DEVICE",
    "EXTERNAL",
    "LIFELINES",
    "Arrow",
    "SequenceDiagram",
    "build_sequence",
    "party_for_url",
    "render_svg",
]

DEVICE = "device"
EXTERNAL = "external"
#: The parties of the flow, left to right: the phone first, then the servers in the order it meets them.
LIFELINES = (DEVICE, "wultra", "bank", "sms-gateway", "biometry")
DEFAULT_MAX_ARROWS = 200

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Arrow:
    """One call: who called whom, what, and what came back (``depth`` 0 for the device's requests)."""

    source: str
    target: str
    method: str
    path: str
    status: int | None
    depth: int
    error: str | None = None
    duration_ms: float = 0.0
    repeat: int = 1

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two calls the same row (a phone polling its inbox is one arrow ×N)."""
        return (self.source, self.target, self.method, self.path, self.status, self.error, self.depth)

    @property
    def failed(self) -> bool:
        """A 4xx/5xx answer, or none at all (connection refused, reset, timeout)."""
        return self.status is None or self.status >= 400 or self.error is not None

    @property
    def broken(self) -> bool:
        """A 5xx answer or none at all: a party misbehaved or was unreachable (drawn red)."""
        return self.failed and not self.refused

    @property
    def refused(self) -> bool:
        """A 4xx answer: the party understood and said no (drawn amber)."""
        return self.status is not None and 400 <= self.status < 500 and self.error is None

    @property
    def outcome(self) -> str:
        if self.status is not None:
            return str(self.status)
        return f"no answer ({self.error})" if self.error else "no answer"

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} → {self.outcome}{self.times}"

    @property
    def times(self) -> str:
        return f" ×{self.repeat}" if self.repeat > 1 else ""

    def short_label(self, limit: int) -> str:
        """The label within ``limit`` characters: the path is cut in the middle, the outcome always kept."""
        if len(self.label) <= limit:
            return self.label
        head, tail = f"{self.method} ", f" → {self.outcome}{self.times}"
        room = max(3, limit - len(head) - len(tail) - 1)
        keep_end = room // 2
        return f"{head}{self.path[: room - keep_end]}…{self.path[len(self.path) - keep_end:]}{tail}"


@dataclass(frozen=True)
class SequenceDiagram:
    """The lifelines in drawing order, the arrows in call order, and how many calls the cap left out."""

    lifelines: tuple[str, ...]
    arrows: tuple[Arrow, ...]
    omitted: int = 0
    cap: int = DEFAULT_MAX_ARROWS


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    return parts if parts.scheme and parts.hostname else None


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    host = (parts.hostname or "").lower()
    host = "loopback" if host in _LOOPBACK else host
    return parts.scheme.lower(), host, parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())


def party_for_url(url: str, parties: Mapping[str, str]) -> str | None:
    """The party whose base URL the call went to (same origin, path under its base; longest base wins)."""
    target = _split(url)
    if target is None:
        return None
    best: tuple[int, str] | None = None
    for party, base_url in parties.items():
        base = _split(base_url)
        if base is None or _origin(base) != _origin(target):
            continue
        prefix = base.path.rstrip("/")
        path = target.path or "/"
        if prefix and path != prefix and not path.startswith(prefix + "/"):
            continue
        if best is None or len(prefix) > best[0]:
            best = (len(prefix), party)
    return best[1] if best else None


def _call_path(url: str) -> str:
    parts = _split(url)
    return (parts.path or "/") if parts else url


def _external_label(url: str) -> str:
    parts = _split(url)
    return f"{parts.netloc}{parts.path or '/'}" if parts else url


class _Folder:
    """Matches every outbound call to the exchange that answered it, then walks the calls in order."""

    def __init__(self, exchanges: Sequence[ExchangeRecord], parties: Mapping[str, str], cap: int) -> None:
        self.exchanges = exchanges
        self.parties = parties
        self.cap = cap
        self.children: dict[tuple[int, int], int] = {}
        self.targets: dict[tuple[int, int], str] = {}
        self.arrows: list[Arrow] = []
        self.total = 0
        self.drawn = 0
        self.last: Arrow | None = None
        self.visited: set[int] = set()

    def match(self) -> set[int]:
        """Claim, for each outbound call in time order, the first unclaimed exchange that fits it."""
        candidates: dict[tuple[str, str, str], deque[int]] = defaultdict(deque)
        for index, exchange in enumerate(self.exchanges):
            if not exchange.is_background:
                candidates[(exchange.party, exchange.method, exchange.path)].append(index)
        claimed: set[int] = set()
        for index, exchange in enumerate(self.exchanges):
            for number, call in enumerate(exchange.outbound):
                party = party_for_url(call.url, self.parties)
                self.targets[(index, number)] = party or EXTERNAL
                if party is None:
                    continue
                queue = candidates[(party, call.method, _call_path(call.url))]
                child = self._claim(queue, call, index, claimed)
                if child is not None:
                    self.children[(index, number)] = child
                    claimed.add(child)
        return claimed

    def _claim(self, queue: deque[int], call: OutboundRecord, caller: int, claimed: set[int]) -> int | None:
        for candidate in queue:
            fits = call.status is None or self.exchanges[candidate].status == call.status
            if candidate != caller and candidate not in claimed and fits:
                return candidate
        return None

    def add(self, arrow: Arrow) -> None:
        """Draw the call, as one more repeat of the row above when it is the same call again."""
        self.total += 1
        last, self.last = self.last, arrow
        if last is not None and last.key == arrow.key:
            if self.arrows and self.arrows[-1] is last:
                self.last = self.arrows[-1] = replace(last, repeat=last.repeat + 1)
                self.drawn += 1
            return
        if len(self.arrows) < self.cap:
            self.arrows.append(arrow)
            self.drawn += 1

    def walk(self, index: int, source: str, depth: int) -> None:
        """The exchange's own arrow, then each call it made with what that call set off, depth first.

        A background call has no request of its own to draw: only the call, from its party.
        """
        self.visited.add(index)
        exchange = self.exchanges[index]
        if not exchange.is_background:
            self.add(Arrow(source=source, target=exchange.party, method=exchange.method, path=exchange.path,
                           status=exchange.status, depth=depth, error=exchange.error or exchange.fault,
                           duration_ms=exchange.duration_ms))
            depth += 1
        for number, call in enumerate(exchange.outbound):
            self.call(index, number, call, depth)

    def call(self, index: int, number: int, call: OutboundRecord, depth: int) -> None:
        caller = self.exchanges[index].party
        target = self.targets[(index, number)]
        path = _call_path(call.url) if target != EXTERNAL else _external_label(call.url)
        self.add(Arrow(source=caller, target=target, method=call.method, path=path, status=call.status,
                       depth=depth, error=call.error, duration_ms=call.duration_ms))
        child = self.children.get((index, number))
        if child is not None and child not in self.visited:
            self.visited.add(child)
            for sub, subcall in enumerate(self.exchanges[child].outbound):
                self.call(child, sub, subcall, depth + 1)


def build_sequence(exchanges: Sequence[ExchangeRecord], parties: Mapping[str, str], *,
                   max_arrows: int = DEFAULT_MAX_ARROWS) -> SequenceDiagram:
    """The diagram of a scenario's exchanges (in journal time order) with outbound calls folded in."""
    cap = max(0, max_arrows)
    folder = _Folder(exchanges, parties, cap)
    claimed = folder.match()
    for index in range(len(exchanges)):
        if index not in claimed:
            folder.walk(index, DEVICE, 0)
    for index in range(len(exchanges)):  # exchanges that only call each other in a loop: draw them anyway
        if index not in folder.visited:
            folder.walk(index, DEVICE, 0)
    seen = {name for arrow in folder.arrows for name in (arrow.source, arrow.target)}
    extra = sorted(seen - set(LIFELINES) - {EXTERNAL})
    lifelines = LIFELINES + tuple(extra) + ((EXTERNAL,) if EXTERNAL in seen else ())
    return SequenceDiagram(lifelines=lifelines, arrows=tuple(folder.arrows),
                           omitted=folder.total - folder.drawn, cap=cap)


# --- SVG ---------------------------------------------------------------------------------------------

_MARGIN = 20
_SPACING = 190
_BOX_W, _BOX_H = 120, 26
_TOP = _MARGIN + _BOX_H + 18
_ROW = 26
_LABEL_ROOM = 360
_MAX_LABEL = 72
_INK, _RED, _AMBER, _GREY = "#263238", "#c62828", "#b26a00", "#90a4ae"


#: Characters XML 1.0 cannot carry at all (a journal may hold any text a client sent).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    names = {k: k.rstrip("_").replace("_", "-") for k in attributes}
    element = ET.SubElement(parent, tag, {names[k]: _xml_text(str(v)) for k, v in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _arrowhead(defs: ET.Element, marker_id: str, colour: str) -> None:
    marker = _sub(defs, "marker", id=marker_id, viewBox="0 0 10 10", refX=9, refY=5, markerWidth=7,
                  markerHeight=7, orient="auto-start-reverse")
    _sub(marker, "path", d="M0,0 L10,5 L0,10 z", fill=colour)


def render_svg(diagram: SequenceDiagram, *, id_prefix: str = "seq") -> str:
    """Inline SVG markup; ``id_prefix`` keeps marker ids unique when many diagrams share one page."""
    x = {name: _MARGIN + _BOX_W // 2 + i * _SPACING for i, name in enumerate(diagram.lifelines)}
    rows = max(1, len(diagram.arrows)) + (1 if diagram.omitted else 0)
    width = _MARGIN + _BOX_W // 2 + (len(diagram.lifelines) - 1) * _SPACING + _LABEL_ROOM
    height = _TOP + rows * _ROW + _MARGIN
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "width": str(width), "height": str(height),
        "viewBox": f"0 0 {width} {height}", "class": "sequence", "role": "img",
        "font-family": "ui-monospace, Menlo, Consolas, monospace", "font-size": "11",
    })
    _sub(svg, "title", f"{len(diagram.arrows)} calls between {', '.join(diagram.lifelines)}")
    defs = _sub(svg, "defs")
    ok_marker, red_marker, amber_marker = f"{id_prefix}-ok", f"{id_prefix}-red", f"{id_prefix}-amber"
    _arrowhead(defs, ok_marker, _INK)
    _arrowhead(defs, red_marker, _RED)
    _arrowhead(defs, amber_marker, _AMBER)
    for name, cx in x.items():
        group = _sub(svg, "g", class_="lifeline", data_party=name)
        _sub(group, "line", x1=cx, y1=_MARGIN + _BOX_H, x2=cx, y2=height - _MARGIN // 2, stroke=_GREY,
             stroke_dasharray="4 3")
        _sub(group, "rect", x=cx - _BOX_W // 2, y=_MARGIN, width=_BOX_W, height=_BOX_H, rx=4,
             fill="#eceff1", stroke=_GREY)
        _sub(group, "text", name, x=cx, y=_MARGIN + 17, text_anchor="middle", font_weight="bold")
    if not diagram.arrows:
        _sub(svg, "text", "no calls journaled for this scenario", x=_MARGIN, y=_TOP + 10, fill=_GREY)
    for row, arrow in enumerate(diagram.arrows):
        y = _TOP + row * _ROW + 10
        if arrow.broken:
            colour, kind, marker_id = _RED, "arrow failed", red_marker
        elif arrow.refused:
            colour, kind, marker_id = _AMBER, "arrow refused", amber_marker
        else:
            colour, kind, marker_id = _INK, "arrow", ok_marker
        group = _sub(svg, "g", class_=kind, data_source=arrow.source, data_target=arrow.target,
                     data_depth=arrow.depth)
        _sub(group, "title", f"{arrow.source} → {arrow.target}: {arrow.label} ({arrow.duration_ms:.1f} ms)")
        x1, x2 = x[arrow.source], x[arrow.target]
        marker = f"url(#{marker_id})"
        if x1 == x2:
            _sub(group, "path", d=f"M{x1},{y - 6} h28 v12 h-26", fill="none", stroke=colour,
                 marker_end=marker)
            label_x = x1 + 34
        else:
            _sub(group, "line", x1=x1, y1=y, x2=x2, y2=y, stroke=colour, stroke_width=1.4, marker_end=marker)
            label_x = min(x1, x2) + 8
        _sub(group, "text", arrow.short_label(_MAX_LABEL), x=label_x, y=y - 4, fill=colour)
    if diagram.omitted:
        y = _TOP + len(diagram.arrows) * _ROW + 12
        note = f"… {diagram.omitted} more calls not drawn (diagram capped at {diagram.cap} arrows)"
        _sub(svg, "text", note, x=_MARGIN, y=y, fill=_RED, class_="omitted")
    return ET.tostring(svg, encoding="unicode")
