"""Shared pytest fixtures: where the published PowerAuth test vectors live.

The vectors are read in place (never copied into the project) from ``RSIM_VECTORS_DIR``, by default
``<repo root>/../shared/vectors/powerauth``. When the folder is absent the vector tests skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

import pytest

VECTORS_ENV = "RSIM_VECTORS_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent


def powerauth_vectors_path() -> Path:
    """The configured vectors folder (it may not exist)."""
    configured = os.environ.get(VECTORS_ENV)
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "vectors" / "powerauth"


def _missing_reason(folder: Path) -> str:
    return f"PowerAuth vectors folder {folder} is absent (set {VECTORS_ENV} to point at it)"


@pytest.fixture(scope="session")
def powerauth_vectors_dir() -> Path:
    """The vectors folder; skips the requesting test when it is absent."""
    folder = powerauth_vectors_path()
    if not folder.is_dir():
        pytest.skip(_missing_reason(folder))
    return folder


class VectorCase(NamedTuple):
    """One published vector: its file name, its index in the file and the record itself."""

    file: str
    index: int
    record: Any


def _vector_cases(folder: Path) -> list[Any]:
    cases = []
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        lists = [value for value in document.values() if isinstance(value, list)]
        # A file whose layout is not "one list of records" still gets a case, so it fails loudly.
        records = lists[0] if len(lists) == 1 else [document]
        for index, record in enumerate(records):
            cases.append(pytest.param(VectorCase(path.name, index, record), id=f"{path.name}#{index}"))
    return cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise a ``powerauth_vector`` argument with every record of every vector file."""
    if "powerauth_vector" not in metafunc.fixturenames:
        return
    folder = powerauth_vectors_path()
    if folder.is_dir():
        cases = _vector_cases(folder)
    else:
        cases = [
            pytest.param(None, id="vectors-absent", marks=pytest.mark.skip(reason=_missing_reason(folder)))
        ]
    metafunc.parametrize("powerauth_vector", cases)
