"""Fixtures for the device SDK tests: an in-process server double (loaded by path, as tests folders
are not packages)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FAKE_PATH = Path(__file__).with_name("fake_enrollment.py")


def load_fake() -> ModuleType:
    name = "_device_fake_enrollment"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, FAKE_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_server() -> Any:
    """A fresh in-process Enrollment + PowerAuth server double."""
    return load_fake().FakeEnrollmentServer()
