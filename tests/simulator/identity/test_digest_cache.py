"""The digest-keyed memo shared by the document reader's and the face matcher's callers."""

from __future__ import annotations

import pytest

from simulator.identity.digest_cache import DigestCache, digest


def test_kept_results_are_reused_and_the_least_recently_used_goes_first() -> None:
    cache: DigestCache[str, int] = DigestCache(2)
    calls: list[str] = []

    def compute(key: str) -> int:
        return cache.get_or_compute(key, lambda: calls.append(key) or len(calls))

    assert (compute("a"), compute("b"), compute("a")) == (1, 2, 1)
    compute("c")  # "b" is the least recently used
    assert len(cache) == 2 and compute("a") == 1
    assert compute("b") == 4 and calls == ["a", "b", "c", "b"]


def test_a_failed_computation_is_not_kept() -> None:
    cache: DigestCache[str, int] = DigestCache(4)

    def boom() -> int:
        raise ValueError("unreadable")

    with pytest.raises(ValueError):
        cache.get_or_compute("x", boom)
    assert len(cache) == 0 and cache.get_or_compute("x", lambda: 7) == 7


def test_a_changed_byte_is_another_key_and_a_cache_keeps_at_least_one() -> None:
    assert digest(b"page") == digest(b"page") != digest(b"pagf")
    with pytest.raises(ValueError):
        DigestCache(0)
