"""Against a real party (no admin API), scenarios that need that mock's admin API skip and say why;
the others still run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from simulator.bdd.traceability import FEATURES_DIR
from simulator.stack import PARTIES, Stack, StackSettings


def test_admin_steps_skip_with_a_reason_against_a_real_sms_gateway(tmp_path: Path) -> None:
    plans = tuple(p for p in PARTIES if p.name == "sms-gateway")
    with Stack(StackSettings(free_ports=True, seed=7), parties=plans) as gateway:
        env = {**os.environ, "RSIM_BDD_ARTIFACTS": str(tmp_path),
               "RSIM_SMS_GATEWAY_URL": gateway.urls["sms-gateway"]}
        env.pop("RSIM_ADMIN_PARTIES", None)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(FEATURES_DIR), "-q", "-p", "no:cacheprovider", "-rs",
             "-m", "(RX-04 and negative and smoke) or (RX-22 and negative)"],
            cwd=FEATURES_DIR.parent, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    results = {r["scenario"]: r for r in
               (json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "scenarios").glob("*.json"))}
    unknown = results["Someone the bank does not know gets the same answer and no SMS"]
    assert unknown["outcome"] == "skipped"
    assert "sms-gateway" in unknown["failure"] and "real system" in unknown["failure"]
    plain = results["A plain-text request to the onboarding server is refused"]
    assert plain["outcome"] == "passed"
    assert "sms-gateway" not in {e["party"] for e in plain["exchanges"]}, "a real party's journal is not read"
