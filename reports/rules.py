"""The conformance rules (``features/rules.toml``) as typed records, checked when loaded.

Scenarios are tagged with rule ids (``@RX-05``); reports join scenario results to these records to
show, per rule, which scenarios checked it and how they ended.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AREAS", "DEFAULT_RULES_FILE", "Rule", "RulesFileError", "load_rules"]

DEFAULT_RULES_FILE = Path(__file__).resolve().parents[1] / "features" / "rules.toml"

#: The feature areas, one ``.feature`` file each.
AREAS = (
    "status check", "OTP", "documents", "chip", "biometry and liveness", "activation code",
    "device activation", "PIN and SCA", "limits and expiry", "faults",
)

_ID = re.compile(r"RX-\d{2}")


class RulesFileError(ValueError):
    """The rules file is missing, not TOML, or a rule is incomplete or inconsistent."""


@dataclass(frozen=True)
class Rule:
    """One conformance rule: its tag, the flow steps it governs, its area and both wordings."""

    id: str
    steps: tuple[int, ...]
    area: str
    text: str
    precise: str

    @property
    def tag(self) -> str:
        """The scenario tag that names this rule (``@RX-05``)."""
        return f"@{self.id}"


def _rule(raw: object, index: int) -> Rule:
    if not isinstance(raw, dict):
        raise RulesFileError(f"rule #{index + 1} is not a table")
    missing = [key for key in ("id", "steps", "area", "text", "precise") if key not in raw]
    if missing:
        raise RulesFileError(f"rule #{index + 1} lacks {', '.join(missing)}")
    rule_id, steps, area = raw["id"], raw["steps"], raw["area"]
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise RulesFileError(f"rule #{index + 1}: id {rule_id!r} is not of the form RX-nn")
    valid_steps = isinstance(steps, list) and all(isinstance(s, int) and 1 <= s <= 11 for s in steps)
    if not steps or not valid_steps:
        raise RulesFileError(f"{rule_id}: steps must be a non-empty list of step numbers 1-11")
    if area not in AREAS:
        raise RulesFileError(f"{rule_id}: unknown area {area!r}; known: {', '.join(AREAS)}")
    texts = (raw["text"], raw["precise"])
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise RulesFileError(f"{rule_id}: text and precise must be non-empty strings")
    return Rule(id=rule_id, steps=tuple(steps), area=area, text=texts[0].strip(), precise=texts[1].strip())


def load_rules(path: Path = DEFAULT_RULES_FILE) -> tuple[Rule, ...]:
    """Every rule in file order; ids must be unique."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesFileError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{path} is not valid TOML: {exc}") from exc
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesFileError(f"{path} has no [[rule]] entries")
    rules = tuple(_rule(raw, i) for i, raw in enumerate(raw_rules))
    ids = [rule.id for rule in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RulesFileError(f"duplicate rule ids: {', '.join(duplicates)}")
    return rules
