"""Steps that bend the world: a party down or erring, SMS dropped or late, forced verdicts, time."""

from __future__ import annotations

from pytest_bdd import given, parsers, when

from ..context import ScenarioContext

#: A dependency in the flow's words → (party, fault route pattern at that party).
DEPENDENCIES: dict[str, tuple[str, str]] = {
    "the face provider": ("biometry", "/api/v2/claim/*"),
    "the document provider": ("biometry", "/api/v1/documents/*"),
    "the bank adapter": ("bank", "/otp/send"),
    "the SMS gateway": ("sms-gateway", "*/Messages.json"),
}

_UNITS = {"second": 1, "seconds": 1, "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600}


def _dependency(name: str) -> tuple[str, str]:
    if name not in DEPENDENCIES:
        raise ValueError(f"unknown dependency {name!r}; say one of: {', '.join(DEPENDENCIES)}")
    return DEPENDENCIES[name]


@given(parsers.parse("{dependency} is down"))
@when(parsers.parse("{dependency} goes down"))
def dependency_down(ctx: ScenarioContext, dependency: str) -> None:
    """Every call to the dependency answers 503 for this scenario's session."""
    party, route = _dependency(dependency)
    rule = ctx.admin(party).add_fault(route=route, session=ctx.session, error={"status": 503})
    ctx.answers.setdefault("faults", []).append((party, rule["id"]))


@given(parsers.parse("{dependency} fails {percent:d}% of calls"))
def dependency_error_rate(ctx: ScenarioContext, dependency: str, percent: int) -> None:
    party, route = _dependency(dependency)
    rule = ctx.admin(party).add_fault(route=route, session=ctx.session, probability=percent / 100,
                                      error={"status": 503})
    ctx.answers.setdefault("faults", []).append((party, rule["id"]))


@when(parsers.parse("{dependency} is back"))
def dependency_back(ctx: ScenarioContext, dependency: str) -> None:
    party, _route = _dependency(dependency)
    faults = ctx.answers.get("faults", [])
    for owner, rule_id in [f for f in faults if f[0] == party]:
        ctx.admin(party).remove_faults(rule_id)
        faults.remove((owner, rule_id))


@given("SMS messages are dropped")
def sms_dropped(ctx: ScenarioContext) -> None:
    """The gateway accepts every message but none reaches a handset."""
    ctx.admin("sms-gateway")
    response = ctx.http.put(ctx.urls["sms-gateway"] + "/_admin/sms-faults",
                            json={"sendSeconds": 0.05, "deliverSeconds": 0.05, "drop": 1.0}, timeout=10)
    assert response.status_code == 200, response.text


@when("SMS delivery is back to normal")
def sms_normal(ctx: ScenarioContext) -> None:
    ctx.fast_sms()


@given(parsers.parse("SMS messages are delayed by {seconds:d} seconds"))
def sms_delayed(ctx: ScenarioContext, seconds: int) -> None:
    """Delivery takes ``seconds`` on the gateway's virtual clock (move time to let them arrive)."""
    ctx.admin("sms-gateway")
    response = ctx.http.put(ctx.urls["sms-gateway"] + "/_admin/sms-faults",
                            json={"sendSeconds": 0.05, "deliverSeconds": float(seconds)}, timeout=10)
    assert response.status_code == 200, response.text


@given("the face provider will judge the next capture as failed")
def forced_face_failure(ctx: ScenarioContext) -> None:
    ctx.admin("biometry").push_verdict("face-verify", {"passed": False, "reason": "forced_by_scenario"})


@when(parsers.parse("{amount:d} {unit} pass"))
@when(parsers.parse("{amount:d} {unit} passes"))
def time_passes(ctx: ScenarioContext, amount: int, unit: str) -> None:
    """Every mocked party's virtual clock moves on, for this scenario only; nothing sleeps."""
    if unit not in _UNITS:
        raise ValueError(f"time passes in seconds, minutes or hours, not {unit!r}")
    ctx.advance_clocks(amount * _UNITS[unit])

