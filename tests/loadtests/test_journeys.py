"""The load client without locust: what it reports per step and per journey, and what it does not."""

from __future__ import annotations

import random

import pytest

from loadtests.journeys import (
    ARRANGE_STEP,
    EVIDENCE_CACHE_SIZE,
    DriverSettings,
    JourneyDriver,
    JourneyFailed,
    StepFailedUnexpectedly,
    step_name,
)
from loadtests.mix import parse_mix
from loadtests.slo import JOURNEY, STEP
from loadtests.targets import PARTY_NAMES, TargetsSpec
from simulator.journey.events import StepEvent
from simulator.journey.personas import persona
from simulator.load.locust_run import free_port

Reported = list[tuple[str, str, float, BaseException | None]]


def _driver(mix: str = "impostor", url: str = "http://127.0.0.1:9") -> tuple[JourneyDriver, Reported]:
    reported: Reported = []
    spec = TargetsSpec({name: url for name in PARTY_NAMES})
    driver = JourneyDriver(spec, DriverSettings(parse_mix(mix), seed_pool=1),
                           lambda *args: reported.append(args), random.Random(1))
    return driver, reported


def test_step_names_sort_in_flow_order() -> None:
    assert step_name(StepEvent(8)) == "08 OTP verified, activation code issued"
    names = [step_name(StepEvent(n)) for n in (11, 2, 10)]
    assert sorted(names) == [names[1], names[2], names[0]]


def test_expected_stop_is_no_error_but_an_unexpected_one_is() -> None:
    driver, reported = _driver()
    on_step = driver._on_step(persona("impostor"))
    on_step(StepEvent(7, ok=True, ms=12.0))
    on_step(StepEvent(8, ok=False, ms=30.0, detail="not verified"))  # an impostor must stop here
    on_step(StepEvent(6, ok=False, ms=5.0, detail="camera broke"))
    assert [(kind, name, ms) for kind, name, ms, _ in reported] == [
        (STEP, step_name(StepEvent(7)), 12.0), (STEP, step_name(StepEvent(8)), 30.0),
        (STEP, step_name(StepEvent(6)), 5.0)]
    errors = [error for *_, error in reported]
    assert errors[:2] == [None, None]
    assert isinstance(errors[2], StepFailedUnexpectedly) and "camera broke" in str(errors[2])


def test_a_step_cut_short_by_stopping_the_user_is_not_reported() -> None:
    driver, reported = _driver("honest-id-card")
    on_step = driver._on_step(persona("honest-id-card"))
    try:
        raise KeyboardInterrupt  # what a killed user's journey sees (GreenletExit is a BaseException too)
    except KeyboardInterrupt:
        on_step(StepEvent(4, ok=False, ms=80.0))
    assert reported == []


def test_unreachable_parties_fail_the_journey_before_step_one() -> None:
    driver, reported = _driver("honest-id-card", url=f"http://127.0.0.1:{free_port()}")
    assert driver.run_one() is None
    (step_kind, step, _, step_error), (kind, name, _, error) = reported
    assert (step_kind, step, kind, name) == (STEP, ARRANGE_STEP, JOURNEY, "honest-id-card")
    assert step_error is not None and isinstance(error, JourneyFailed)


def test_seed_pool_fits_the_evidence_cache() -> None:
    every = ",".join(f"{name}=1" for name in ("honest-id-card", "impostor", "otp-typo", "honest-passport"))
    settings = DriverSettings(parse_mix(every), seed_pool=500)
    assert settings.seeds_per_persona * 4 <= EVIDENCE_CACHE_SIZE
    assert DriverSettings(parse_mix("impostor"), seed_pool=3).seeds_per_persona == 3


@pytest.mark.parametrize("bad", [{"seed_pool": 0}, {"sms_seconds": -1.0}])
def test_bad_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DriverSettings(parse_mix("impostor"), **bad)  # type: ignore[arg-type]
