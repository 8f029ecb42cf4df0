"""Report rendering for the BDD conformance suite; generated files go to the ignored ``build/`` folder.

- :mod:`reports.rules` - the conformance rules of ``features/rules.toml`` as typed records.
- :mod:`reports.artifacts` - the suite's artifacts (per-scenario results with the mocks' journals,
  JUnit XML, cucumber JSON) loaded and checked; broken files are listed, never raised.
- :mod:`reports.crosscheck` - result files against the run's JUnit: lost results flagged, stale ones
  of an earlier run set aside.
- :mod:`reports.matrix` - the rule × scenario matrix and each rule's status.
- :mod:`reports.sequence` - a scenario's calls between the parties as an SVG sequence diagram.
- :mod:`reports.conformance` - ``build_report(artifacts_dir, out_html, rules_path=None)``: the one-file
  HTML report and its summary; ``python -m reports.conformance ARTIFACTS_DIR OUT_HTML`` for CI.
"""
