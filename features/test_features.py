"""Collects every ``.feature`` file beside this module as pytest tests (one per scenario/example)."""

from pytest_bdd import scenarios

scenarios(".")
