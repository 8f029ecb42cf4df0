"""Seeded randomness: reproducible per session, independent of other sessions, CSPRNG without a seed."""

from __future__ import annotations

import random

import requests

from mocks.framework import RandomSource, RunningServer, random_digits, random_token, random_uuid


def test_same_seed_same_stream_per_session() -> None:
    a, b = RandomSource(7), RandomSource(7)
    assert [a.for_session("s").random() for _ in range(5)] == [b.for_session("s").random() for _ in range(5)]
    assert RandomSource(7).for_session("s").random() != RandomSource(8).for_session("s").random()
    assert RandomSource(7).for_session("s").random() != RandomSource(7).for_session("t").random()


def test_streams_do_not_depend_on_other_sessions_or_purposes() -> None:
    alone = RandomSource(3)
    expected = [random_digits(alone.for_session("x"), 8) for _ in range(3)]
    mixed = RandomSource(3)
    got = []
    for _ in range(3):
        mixed.for_session("y").random()
        mixed.for_session("x", "faults").random()
        got.append(random_digits(mixed.for_session("x"), 8))
    assert got == expected


def test_reset_replays_a_session_from_the_start() -> None:
    source = RandomSource(11)
    first = random_uuid(source.for_session("s"))
    random_uuid(source.for_session("s"))
    source.reset("s")
    assert random_uuid(source.for_session("s")) == first


def test_unseeded_uses_the_os_csprng() -> None:
    source = RandomSource(None)
    assert isinstance(source.for_session("s"), random.SystemRandom)
    assert len(random_token(source.for_session("s"), 16)) == 32


def test_helpers_shapes() -> None:
    rng = random.Random(1)
    assert random_uuid(rng)[14] == "4"
    digits = random_digits(rng, 8)
    assert len(digits) == 8 and digits.isdigit()


def test_ids_over_http_are_reproducible_per_session(serve, http: requests.Session) -> None:
    def tokens(server: RunningServer, session: str) -> list[str]:
        return [http.post(f"{server.url}/demo/token", json={}, headers={"X-Sim-Session": session})
                .json()["responseObject"]["token"] for _ in range(3)]

    first, second = serve(seed=99), serve(seed=99)
    tokens(second, "noise")  # another session's traffic must not shift this session's ids
    assert tokens(first, "s") == tokens(second, "s")
    assert tokens(serve(seed=100), "s") != tokens(serve(seed=99), "s")
