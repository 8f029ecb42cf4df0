"""The Gherkin conformance suite's machinery: where the parties are, the scenario's phone and
context, the reusable step library, the per-scenario artifacts and the ``rsim bdd`` command.

The features themselves live in ``features/`` (one per area, tagged with rule ids); this package
holds everything they run on, so it can be imported, type-checked and tested like any other code.
"""
