"""One JSON file per scenario for the conformance report: result, steps and the parties' exchanges.

``$RSIM_BDD_ARTIFACTS/scenarios/<slug>.json`` (default ``build/bdd``)::

    {"nodeid", "feature", "scenario", "tags": [...without @], "outcome": "passed"|"failed"|"skipped",
     "failure": str|null, "duration_s", "session", "parties": {name: url},
     "steps": [{"keyword", "name", "outcome"}],
     "exchanges": [{"party", "id", "timestamp", "method", "path", "status", "durationMs",
                    "outbound": [{"method", "url", "status", "durationMs"}]}],
     "uri": "<feature file>", "line": <scenario line>}

(steps also carry their ``line``; both serve the cucumber JSON written from these files.)

``exchanges`` are the mocked parties' journal entries for the scenario's session, ordered by the
real time they happened (virtual clocks are moved by scenarios, so their stamps can run ahead);
that order is what the report draws as a sequence diagram.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from mocks.framework import AdminClient, AdminError

__all__ = [
    "ARTIFACTS_VAR",
    "DEFAULT_ARTIFACTS_DIR",
    "Outcome",
    "ScenarioArtifact",
    "StepRecord",
    "artifacts_dir",
    "collect_exchanges",
    "scenario_slug",
    "write_artifact",
]

ARTIFACTS_VAR = "RSIM_BDD_ARTIFACTS"
DEFAULT_ARTIFACTS_DIR = Path("build/bdd")
JOURNAL_LIMIT = 2000

Outcome = Literal["passed", "failed", "skipped"]


def artifacts_dir(env: Mapping[str, str] | None = None) -> Path:
    """The artifacts folder: ``$RSIM_BDD_ARTIFACTS`` or ``build/bdd`` (relative to the working dir)."""
    env = os.environ if env is None else env
    return Path(env.get(ARTIFACTS_VAR) or DEFAULT_ARTIFACTS_DIR)


def scenario_slug(nodeid: str) -> str:
    """A file-name-safe, unique and readable name for a scenario's node id."""
    readable = re.sub(r"[^A-Za-z0-9]+", "-", nodeid.rsplit("::", 1)[-1]).strip("-").lower()[:80]
    digest = hashlib.sha256(nodeid.encode("utf-8")).hexdigest()[:10]
    return f"{readable or 'scenario'}-{digest}"


@dataclass
class StepRecord:
    keyword: str
    name: str
    outcome: Outcome
    line: int | None = None


@dataclass
class ScenarioArtifact:
    nodeid: str
    feature: str
    scenario: str
    tags: list[str]
    outcome: Outcome
    failure: str | None
    duration_s: float
    session: str
    parties: dict[str, str]
    steps: list[StepRecord] = field(default_factory=list)
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    uri: str = ""
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["duration_s"] = round(self.duration_s, 3)
        return data


def _outbound(call: Mapping[str, Any]) -> dict[str, Any]:
    return {"method": call.get("method"), "url": call.get("url"), "status": call.get("status"),
            "durationMs": call.get("durationMs")}


def _exchange(entry: Mapping[str, Any]) -> dict[str, Any]:
    outbound = entry.get("outbound") or []
    return {
        "party": entry.get("party"), "id": entry.get("id"),
        "timestamp": entry.get("realTimestamp") or entry.get("timestamp"),
        "virtualTimestamp": entry.get("timestamp"),
        "method": entry.get("method"), "path": entry.get("path"), "status": entry.get("status"),
        "durationMs": entry.get("durationMs"),
        "outbound": [_outbound(c) for c in outbound if isinstance(c, Mapping)],
        "direction": entry.get("direction", "inbound"),
    }


def collect_exchanges(admins: Iterable[tuple[str, AdminClient]], session: str) -> list[dict[str, Any]]:
    """Every mocked party's journal entries of ``session``, in the order they happened.

    A party whose admin API does not answer is left out (the scenario's result matters more than
    its diagram); the entry then simply misses from the report.
    """
    collected: list[dict[str, Any]] = []
    for party, admin in admins:
        try:
            entries = admin.journal(session=session, limit=JOURNAL_LIMIT)
        except (AdminError, OSError) as exc:
            collected.append({"party": party, "id": None, "timestamp": None, "method": None,
                              "path": None, "status": None, "durationMs": None, "outbound": [],
                              "error": f"journal unavailable: {exc}"})
            continue
        for entry in entries:
            # A call made in the background (a status callback) is an entry of its own: kept, so the
            # report can draw who made the call the other party answered.
            exchange = _exchange(entry)
            exchange["party"] = exchange["party"] or party
            collected.append(exchange)
    return sorted(collected, key=lambda e: (e["timestamp"] is None, e["timestamp"] or "", e["id"] or 0))


def write_artifact(directory: Path, artifact: ScenarioArtifact) -> Path:
    """Write ``<directory>/scenarios/<slug>.json`` (atomically: readers never see half a file)."""
    folder = directory / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scenario_slug(artifact.nodeid)}.json"
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(artifact.to_json(), indent=1, default=str), encoding="utf-8")
    temporary.replace(path)
    return path
