"""The per-scenario artifact: file name, JSON shape of the report contract, journal ordering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from simulator.bdd.artifacts import (
    ScenarioArtifact,
    StepRecord,
    artifacts_dir,
    collect_exchanges,
    scenario_slug,
    write_artifact,
)


class FakeAdmin:
    """Answers ``journal`` like a mock's admin client."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.asked: list[dict[str, Any]] = []

    def journal(self, **query: Any) -> list[dict[str, Any]]:
        self.asked.append(query)
        return self.entries


def _entry(party: str, ident: int, real: str, path: str = "/x", direction: str = "inbound") -> dict[str, Any]:
    return {"party": party, "id": ident, "timestamp": "2099-01-01T00:00:00+00:00", "realTimestamp": real,
            "method": "POST", "path": path, "status": 200, "durationMs": 1.5, "direction": direction,
            "requestBody": {"secret": "x"},
            "outbound": [{"method": "POST", "url": "http://b/otp/send", "status": 200, "durationMs": 2.0,
                          "requestBody": {}}]}


def test_exchanges_are_merged_in_real_time_order_and_trimmed_to_the_contract() -> None:
    wultra = FakeAdmin([_entry("wultra", 1, "2026-01-01T00:00:01"),
                        _entry("wultra", 2, "2026-01-01T00:00:03")])
    bank = FakeAdmin([_entry("bank", 1, "2026-01-01T00:00:02"),
                      _entry("bank", 9, "2026-01-01T00:00:00", direction="outbound")])
    merged = collect_exchanges([("wultra", wultra), ("bank", bank)], "s1")  # type: ignore[list-item]
    assert [(e["party"], e["id"]) for e in merged] == [("bank", 9), ("wultra", 1), ("bank", 1), ("wultra", 2)]
    assert [e["direction"] for e in merged] == ["outbound", "inbound", "inbound", "inbound"], \
        "a call made in the background is kept, marked, so the report can tell who made it"
    assert wultra.asked[0]["session"] == "s1"
    first = merged[1]
    assert set(first) >= {"party", "id", "timestamp", "method", "path", "status", "durationMs", "outbound"}
    assert "requestBody" not in first
    assert first["outbound"] == [{"method": "POST", "url": "http://b/otp/send", "status": 200,
                                  "durationMs": 2.0}]


def test_artifact_file_has_the_contract_fields(tmp_path: Path) -> None:
    artifact = ScenarioArtifact(
        nodeid="features/test_features.py::test_x[3.1]", feature="F", scenario="S", tags=["RX-01", "smoke"],
        outcome="failed", failure="RX-01: boom", duration_s=1.23456, session="s", parties={"bank": "http://b"},
        steps=[StepRecord("Given", "a bank client", "passed")], exchanges=[])
    path = write_artifact(tmp_path, artifact)
    assert path.parent == tmp_path / "scenarios" and path.suffix == ".json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"nodeid": artifact.nodeid, "feature": "F", "scenario": "S", "tags": ["RX-01", "smoke"],
                    "outcome": "failed", "failure": "RX-01: boom", "duration_s": 1.235, "session": "s",
                    "parties": {"bank": "http://b"},
                    "steps": [{"keyword": "Given", "name": "a bank client", "outcome": "passed",
                               "line": None}],
                    "exchanges": [], "uri": "", "line": 0}
    assert list(tmp_path.glob("scenarios/*.tmp")) == []


def test_artifacts_dir_default_and_override() -> None:
    assert artifacts_dir({}) == Path("build/bdd")
    assert artifacts_dir({"RSIM_BDD_ARTIFACTS": "/tmp/x"}) == Path("/tmp/x")


@given(st.text(max_size=200), st.text(max_size=200))
def test_slugs_are_safe_and_distinct(a: str, b: str) -> None:
    slug = scenario_slug(a)
    assert slug and all(c.isalnum() or c == "-" for c in slug) and len(slug) <= 91
    if a != b:
        assert scenario_slug(a) != scenario_slug(b)
