"""Report rendering: conformance report, JUnit and cucumber JSON. Generated files go to ``reports/out``."""
