"""Load tests (locust), load shapes, SLO gates, and benchmarks (``loadtests/benchmarks``)."""
