"""The BDD run's artifacts as typed records: per-scenario results with the mocks' journals, JUnit, cucumber.

The suite writes into one folder (``build/bdd`` by default)::

    junit.xml                 pytest --junitxml
    cucumber.json             pytest-bdd --cucumberjson
    scenarios/<slug>.json     one per scenario: outcome, tags, steps and the exchanges of its session

A report must still be produced when a worker died half-way through writing a file, so loading never
raises on a file's content: a file that cannot be used at all becomes an :class:`ArtifactProblem`, and
a usable scenario file with a few bad entries keeps its good entries and lists the rest in
:attr:`ScenarioResult.problems`.  Only a missing artifacts folder is an error
(:class:`ArtifactsNotFoundError`), because then there is nothing to report on.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

__all__ = [
    "OUTCOMES",
    "ArtifactProblem",
    "Artifacts",
    "ArtifactsNotFoundError",
    "CucumberScenario",
    "ExchangeRecord",
    "JunitCase",
    "OutboundRecord",
    "ScenarioResult",
    "StepRecord",
    "load_artifacts",
    "load_scenario",
]

Outcome = Literal["passed", "failed", "skipped"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped")

#: pytest and cucumber spell a few outcomes differently; these are the same three facts.
_OUTCOME_ALIASES: dict[str, Outcome] = {
    "passed": "passed", "failed": "failed", "skipped": "skipped", "error": "failed",
    "xfailed": "skipped", "undefined": "failed", "pending": "skipped",
}


class ArtifactsNotFoundError(FileNotFoundError):
    """The artifacts folder does not exist (the suite did not run, or wrote elsewhere)."""


class _Invalid(ValueError):
    """A value in an artifact file does not have the contract's shape (internal; becomes a problem)."""


@dataclass(frozen=True)
class ArtifactProblem:
    """A file (or part of one) the report could not use, and why; shown in the report, never raised."""

    path: str
    message: str


@dataclass(frozen=True)
class OutboundRecord:
    """A call a party made to another party while handling an exchange (``status`` None: no answer)."""

    method: str
    url: str
    status: int | None = None
    duration_ms: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class ExchangeRecord:
    """One request a mock received in the scenario's session, with the calls it made meanwhile.

    A call a mock made outside any request (a background task such as a delivery callback) is journaled
    as an entry of its own with ``direction`` ``"outbound"``, the call's URL as ``path`` and the call as
    its only outbound record; :attr:`is_background` recognises it even when ``direction`` was not copied.
    """

    party: str
    id: str
    timestamp: str
    method: str
    path: str
    status: int | None = None
    duration_ms: float = 0.0
    outbound: tuple[OutboundRecord, ...] = ()
    error: str | None = None
    fault: str | None = None
    direction: str = "inbound"

    @property
    def is_background(self) -> bool:
        """The party's own call made outside any request (nobody called the party for it)."""
        if self.direction == "outbound":
            return True
        return len(self.outbound) == 1 and self.outbound[0].url == self.path


@dataclass(frozen=True)
class StepRecord:
    """One Gherkin step as it ran."""

    keyword: str
    name: str
    outcome: str


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's result file, checked; ``problems`` lists entries that had to be dropped."""

    slug: str
    scenario: str
    outcome: Outcome
    nodeid: str = ""
    feature: str = ""
    tags: tuple[str, ...] = ()
    failure: str | None = None
    duration_s: float = 0.0
    session: str = ""
    parties: Mapping[str, str] = field(default_factory=dict)
    steps: tuple[StepRecord, ...] = ()
    exchanges: tuple[ExchangeRecord, ...] = ()
    problems: tuple[str, ...] = ()
    source: str = ""

    @property
    def example(self) -> str:
        """The examples row of an outline, as pytest names it in the node id (``…[BLOCKED]``), or ``""``."""
        name = self.nodeid.rsplit("::", 1)[-1]
        return name[name.index("[") + 1: -1] if "[" in name and name.endswith("]") else ""

    @property
    def title(self) -> str:
        """The scenario's name, with its examples row when it is one of an outline's runs."""
        return f"{self.scenario} [{self.example}]" if self.example else self.scenario

    @property
    def clean_tags(self) -> tuple[str, ...]:
        """Tags without a leading ``@`` (the suite may write either form)."""
        return tuple(tag.lstrip("@") for tag in self.tags)

    @property
    def is_negative(self) -> bool:
        """A negative scenario shows a rule refusing something (tagged ``@negative``)."""
        return any(tag.lower() == "negative" for tag in self.clean_tags)


@dataclass(frozen=True)
class JunitCase:
    """One test case of ``junit.xml``."""

    classname: str
    name: str
    outcome: Outcome
    message: str | None = None
    time_s: float = 0.0


@dataclass(frozen=True)
class CucumberScenario:
    """One scenario element of ``cucumber.json``."""

    feature: str
    name: str
    tags: tuple[str, ...]
    outcome: Outcome


@dataclass(frozen=True)
class Artifacts:
    """Everything loaded from an artifacts folder; ``None`` for a JUnit/cucumber file that is absent."""

    directory: Path
    scenarios: tuple[ScenarioResult, ...]
    problems: tuple[ArtifactProblem, ...]
    junit: tuple[JunitCase, ...] | None = None
    cucumber: tuple[CucumberScenario, ...] | None = None
    #: Result files set aside as not belonging to this run (see :mod:`reports.crosscheck`).
    stale: tuple[ArtifactProblem, ...] = ()
    #: What the cross-checks found worth saying, in words.
    notes: tuple[str, ...] = ()


# --- field readers: each raises _Invalid with the field's name --------------------------------------------


def _text(raw: Mapping[str, Any], key: str, *, default: str | None = None) -> str:
    value = raw.get(key)
    if value is None:
        value = default
    if value is None:
        raise _Invalid(f"{key} is missing")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(f"{key} is not a string")
    return str(value)


def _optional_text(raw: Mapping[str, Any], key: str) -> str | None:
    return None if raw.get(key) is None else _text(raw, key)


def _status(raw: Mapping[str, Any], key: str = "status") -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Invalid(f"{key} {value!r} is not an HTTP status")
    try:
        status = int(value)
    except ValueError:
        raise _Invalid(f"{key} {value!r} is not an HTTP status") from None
    if not 100 <= status <= 599:
        raise _Invalid(f"{key} {status} is not an HTTP status")
    return status


def _number(raw: Mapping[str, Any], key: str) -> float:
    value = raw.get(key, 0.0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid(f"{key} {value!r} is not a finite number")
    return float(value)


def _outcome(value: object, where: str = "outcome") -> Outcome:
    if isinstance(value, str) and value.lower() in _OUTCOME_ALIASES:
        return _OUTCOME_ALIASES[value.lower()]
    raise _Invalid(f"{where} {value!r} is not one of {', '.join(OUTCOMES)}")


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{what} is not an object")
    return cast(Mapping[str, Any], value)


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"{key} is not a list")
    return value


def _outbound(raw: object) -> OutboundRecord:
    data = _mapping(raw, "outbound call")
    return OutboundRecord(
        method=_text(data, "method").upper(), url=_text(data, "url"), status=_status(data),
        duration_ms=_number(data, "durationMs"), error=_optional_text(data, "error"),
    )


def _exchange(raw: object, problems: list[str], label: str) -> ExchangeRecord:
    data = _mapping(raw, label)
    calls: list[OutboundRecord] = []
    for index, call in enumerate(_list(data, "outbound")):
        try:
            calls.append(_outbound(call))
        except _Invalid as exc:
            problems.append(f"{label}, outbound call #{index + 1} dropped: {exc}")
    return ExchangeRecord(
        party=_text(data, "party"), id=_text(data, "id", default=""),
        timestamp=_text(data, "timestamp", default=""),
        method=_text(data, "method").upper(), path=_text(data, "path"), status=_status(data),
        duration_ms=_number(data, "durationMs"), outbound=tuple(calls),
        error=_optional_text(data, "error"), fault=_optional_text(data, "fault"),
        direction=_text(data, "direction", default="inbound"),
    )


def _said(raw: object) -> str:
    """What a placeholder entry says about itself (the suite writes one when a journal was unreachable)."""
    if isinstance(raw, dict) and isinstance(raw.get("error"), str):
        party = raw.get("party") if isinstance(raw.get("party"), str) else "?"
        return f" ({party}: {raw['error']})"
    return ""


def _step(raw: object) -> StepRecord:
    data = _mapping(raw, "step")
    return StepRecord(keyword=_text(data, "keyword", default="").strip(), name=_text(data, "name"),
                      outcome=_text(data, "outcome", default="skipped"))


def _tags(raw: Mapping[str, Any]) -> tuple[str, ...]:
    tags = _list(raw, "tags")
    if not all(isinstance(tag, str) for tag in tags):
        raise _Invalid("tags must be strings")
    return tuple(tags)


def _parties(raw: Mapping[str, Any]) -> dict[str, str]:
    value = raw.get("parties") or {}
    data = _mapping(value, "parties")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise _Invalid("parties must map party names to URLs")
    return dict(data)


def _scenario(raw: object, slug: str) -> ScenarioResult:
    data = _mapping(raw, "the file")
    problems: list[str] = []
    steps: list[StepRecord] = []
    for index, step in enumerate(_list(data, "steps")):
        try:
            steps.append(_step(step))
        except _Invalid as exc:
            problems.append(f"step #{index + 1} dropped: {exc}")
    exchanges: list[ExchangeRecord] = []
    for index, exchange in enumerate(_list(data, "exchanges")):
        label = f"exchange #{index + 1}"
        try:
            exchanges.append(_exchange(exchange, problems, label))
        except _Invalid as exc:
            problems.append(f"{label} dropped: {exc}{_said(exchange)}")
    return ScenarioResult(
        slug=slug, scenario=_text(data, "scenario"), outcome=_outcome(data.get("outcome")),
        nodeid=_text(data, "nodeid", default=""), feature=_text(data, "feature", default=""),
        tags=_tags(data), failure=_optional_text(data, "failure"), duration_s=_number(data, "duration_s"),
        session=_text(data, "session", default=""), parties=_parties(data), steps=tuple(steps),
        exchanges=tuple(exchanges), problems=tuple(problems),
    )


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise _Invalid(f"not UTF-8 text ({exc.reason})") from None
    except RecursionError:
        raise _Invalid("JSON nested too deeply") from None
    except ValueError as exc:
        raise _Invalid(f"not valid JSON ({exc})") from None
    except OSError as exc:
        raise _Invalid(f"cannot be read ({exc.strerror or exc})") from None


_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def load_scenario(path: Path) -> ScenarioResult | ArtifactProblem:
    """One ``scenarios/<slug>.json`` file: the checked result, or why it cannot be used."""
    slug = _SLUG_UNSAFE.sub("-", path.stem) or "scenario"
    try:
        return replace(_scenario(_read_json(path), slug), source=str(path))
    except _Invalid as exc:
        return ArtifactProblem(str(path), str(exc))


def _junit(path: Path) -> tuple[JunitCase, ...]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise _Invalid(f"not well-formed XML ({exc})") from None
    except OSError as exc:
        raise _Invalid(f"cannot be read ({exc.strerror or exc})") from None
    cases: list[JunitCase] = []
    for case in root.iter("testcase"):
        outcome: Outcome = "passed"
        message: str | None = None
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", child.get("message") or (child.text or "").strip() or None
            elif child.tag == "skipped" and outcome == "passed":
                outcome, message = "skipped", child.get("message")
        try:
            seconds = float(case.get("time") or 0.0)
        except ValueError:
            seconds = 0.0
        cases.append(JunitCase(
            classname=case.get("classname", ""), name=case.get("name", ""), outcome=outcome,
            message=message, time_s=seconds if math.isfinite(seconds) else 0.0,
        ))
    return tuple(cases)


def _cucumber_outcome(steps: list[Any]) -> Outcome:
    """A cucumber scenario failed if any step failed, passed if every step passed, else skipped."""
    statuses = []
    for step in steps:
        result = step.get("result") if isinstance(step, dict) else None
        statuses.append(result.get("status") if isinstance(result, dict) else None)
    if any(s in ("failed", "undefined") for s in statuses):
        return "failed"
    if statuses and all(s == "passed" for s in statuses):
        return "passed"
    return "skipped"


def _cucumber(path: Path) -> tuple[CucumberScenario, ...]:
    raw = _read_json(path)
    if not isinstance(raw, list):
        raise _Invalid("not a list of features")
    scenarios: list[CucumberScenario] = []
    for feature in raw:
        feature_map = _mapping(feature, "feature")
        for element in _list(feature_map, "elements"):
            data = _mapping(element, "scenario element")
            tags = tuple(_text(_mapping(t, "tag"), "name") for t in _list(data, "tags"))
            scenarios.append(CucumberScenario(
                feature=_text(feature_map, "name", default=""), name=_text(data, "name", default=""),
                tags=tags, outcome=_cucumber_outcome(_list(data, "steps")),
            ))
    return tuple(scenarios)


def load_artifacts(directory: Path) -> Artifacts:
    """Every artifact of a run; unusable files are listed in :attr:`Artifacts.problems`, never raised."""
    if not directory.is_dir():
        raise ArtifactsNotFoundError(f"no artifacts folder at {directory} (did the suite run?)")
    problems: list[ArtifactProblem] = []
    scenarios: list[ScenarioResult] = []
    scenario_dir = directory / "scenarios"
    files = sorted(scenario_dir.glob("*.json")) if scenario_dir.is_dir() else []
    if not files:
        problems.append(ArtifactProblem(str(scenario_dir), "no scenario result files"))
    slugs: set[str] = set()
    for path in files:
        loaded = load_scenario(path)
        if isinstance(loaded, ArtifactProblem):
            problems.append(loaded)
            continue
        slug, n = loaded.slug, 2
        while slug in slugs:  # two file names that differ only in unsafe characters
            slug, n = f"{loaded.slug}-{n}", n + 1
        slugs.add(slug)
        scenarios.append(loaded if slug == loaded.slug else replace(loaded, slug=slug))
    junit: tuple[JunitCase, ...] | None = None
    if (directory / "junit.xml").exists():
        try:
            junit = _junit(directory / "junit.xml")
        except _Invalid as exc:
            problems.append(ArtifactProblem(str(directory / "junit.xml"), str(exc)))
    cucumber: tuple[CucumberScenario, ...] | None = None
    if (directory / "cucumber.json").exists():
        try:
            cucumber = _cucumber(directory / "cucumber.json")
        except _Invalid as exc:
            problems.append(ArtifactProblem(str(directory / "cucumber.json"), str(exc)))
    return Artifacts(directory=directory, scenarios=tuple(scenarios), problems=tuple(problems),
                     junit=junit, cucumber=cucumber)

