"""Cucumber JSON from the per-scenario artifacts.

pytest-bdd's own ``--cucumber-json`` writes an empty list when the suite runs under pytest-xdist
(the workers' reports reach the controller without the scenario data it needs), so ``rsim bdd``
writes the file from the artifacts instead whenever pytest-bdd's is empty or unreadable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = ["cucumber_from_artifacts", "write_cucumber_if_empty"]


def _id(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _steps(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    steps = [s for s in scenario.get("steps", []) if isinstance(s, dict)]
    share = int(float(scenario.get("duration_s") or 0.0) * 1e9 / max(1, len(steps)))
    out = []
    for step in steps:
        result: dict[str, Any] = {"status": step.get("outcome", "skipped"), "duration": share}
        if step.get("outcome") == "failed" and scenario.get("failure"):
            result["error_message"] = scenario["failure"]
        out.append({"keyword": f"{step.get('keyword', '')} ", "name": step.get("name", ""),
                    "line": step.get("line") or 0, "match": {"location": ""}, "result": result})
    return out


def cucumber_from_artifacts(artifacts: Path) -> list[dict[str, Any]]:
    """One cucumber feature per feature file, one element per scenario artifact (unreadable files are
    left out: the HTML report lists them as problems)."""
    features: dict[str, dict[str, Any]] = {}
    for path in sorted((artifacts / "scenarios").glob("*.json")):
        try:
            scenario = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(scenario, dict):
            continue
        uri = str(scenario.get("uri") or scenario.get("feature") or "")
        feature = features.setdefault(uri, {
            "uri": uri, "id": _id(str(scenario.get("feature", uri))), "name": scenario.get("feature", ""),
            "keyword": "Feature", "line": 1, "description": "", "tags": [], "elements": []})
        line = int(scenario.get("line") or 0)
        feature["elements"].append({
            "id": f"{feature['id']};{_id(str(scenario.get('nodeid', path.stem)))}",
            "name": scenario.get("scenario", ""), "keyword": "Scenario", "type": "scenario", "line": line,
            "description": "", "tags": [{"name": f"@{t}", "line": max(1, line - 1)}
                                        for t in scenario.get("tags", [])],
            "steps": _steps(scenario)})
    return list(features.values())


def write_cucumber_if_empty(artifacts: Path) -> bool:
    """Replace an empty or unreadable ``cucumber.json`` by one built from the artifacts; True if written."""
    target = artifacts / "cucumber.json"
    try:
        current = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = None
    if current:
        return False
    built = cucumber_from_artifacts(artifacts)
    if not built:
        return False
    target.write_text(json.dumps(built, indent=1), encoding="utf-8")
    return True
