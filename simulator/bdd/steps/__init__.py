"""The reusable step library: a persona, a document, a fault, the clock, the OTP, the face, the
protocol version, and outcome checks in the flow's language.

Each module registers its pytest-bdd step definitions in its own namespace; ``features/conftest.py``
takes them with :func:`step_fixtures`, so a QA engineer writes new scenarios from these phrases
without touching Python (``features/README.md`` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from pytest_bdd.steps import step_function_context_registry

__all__ = ["MODULES", "StepPhrase", "catalogue", "step_fixtures"]

#: The step modules, one area of the flow each.
MODULES = ("world", "faults", "onboarding", "face", "activation", "outcomes")

_STEP_PREFIX = "pytestbdd_stepdef_"


def step_fixtures() -> dict[str, Any]:
    """Every step definition fixture of the library, by its fixture name (for a conftest's globals)."""
    found: dict[str, Any] = {}
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        for attribute, value in vars(module).items():
            if attribute.startswith(_STEP_PREFIX):
                key = attribute
                while key in found:  # the same phrase for another step type in another module
                    key += "_"
                found[key] = value
    return found


@dataclass(frozen=True)
class StepPhrase:
    """One phrase of the library: its keyword (given/when/then), its pattern and what it does."""

    keyword: str
    phrase: str
    doc: str


def catalogue() -> list[StepPhrase]:
    """Every phrase of the library, in module order (what ``features/README.md`` lists)."""
    phrases: list[StepPhrase] = []
    for fixture in step_fixtures().values():
        marker = getattr(fixture, "_get_wrapped_function", lambda: None)()
        context = step_function_context_registry.get(marker) if callable(marker) else None
        if context is None:
            continue
        doc = (context.step_func.__doc__ or "").strip().split("\n")[0]
        phrases.append(StepPhrase(str(context.type), context.parser.name, doc))
    return phrases
