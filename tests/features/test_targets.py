"""Targets: the embedded stack by default, real parties from a TOML file and env vars (which win)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.bdd.targets import ENV_VARS, PARTY_NAMES, TargetsError, load_targets


def test_nothing_configured_means_everything_embedded() -> None:
    config = load_targets({})
    assert config.external == {} and config.source == "embedded stack"
    assert all(config.is_mocked(party) for party in PARTY_NAMES)


def test_file_and_env_vars_combine_and_env_wins(tmp_path: Path) -> None:
    file = tmp_path / "targets.toml"
    file.write_text('[parties]\nbank = "http://bank.test:9000/"\nbiometry = "https://bio.test"\n'
                    '[admin]\ntoken = "t0ken"\n', encoding="utf-8")
    config = load_targets({"RSIM_TARGETS": str(file), "RSIM_BANK_URL": "http://adapter.test"})
    assert config.external == {"bank": "http://adapter.test", "biometry": "https://bio.test"}
    assert config.admin_token == "t0ken"
    assert not config.is_mocked("bank") and config.is_mocked("wultra")
    assert "RSIM_BANK_URL" in config.source and str(file) in config.source


def test_parties_at_urls_that_are_mocks_keep_their_admin_api(tmp_path: Path) -> None:
    file = tmp_path / "targets.toml"
    file.write_text('[parties]\nbank = "http://proxy.test"\n[admin]\nparties = ["bank"]\n', encoding="utf-8")
    assert load_targets({"RSIM_TARGETS": str(file)}).is_mocked("bank")
    config = load_targets({"RSIM_BANK_URL": "http://b.test", "RSIM_SMS_GATEWAY_URL": "http://s.test",
                           "RSIM_ADMIN_PARTIES": "bank"})
    assert config.is_mocked("bank") and not config.is_mocked("sms-gateway")
    assert config.real_parties == {"sms-gateway"}
    with pytest.raises(TargetsError, match="unknown admin party vault"):
        load_targets({"RSIM_ADMIN_PARTIES": "bank, vault"})


def test_env_var_names_follow_the_party_names() -> None:
    assert ENV_VARS == {"wultra": "RSIM_WULTRA_URL", "bank": "RSIM_BANK_URL",
                        "sms-gateway": "RSIM_SMS_GATEWAY_URL", "biometry": "RSIM_BIOMETRY_URL"}


@pytest.mark.parametrize("content, message", [
    ('[parties]\nbank = "ftp://x"', "must start with http"),
    ('[parties]\nvault = "http://x"', "unknown party vault"),
    ("[parties", "not valid TOML"),
    ('parties = "http://x"', "must be a table"),
    ('[admin]\ntoken = 5', "token must be a string"),
])
def test_bad_files_are_typed_errors(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "targets.toml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(TargetsError, match=message):
        load_targets({"RSIM_TARGETS": str(file)})


def test_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(TargetsError, match="cannot read"):
        load_targets({"RSIM_TARGETS": str(tmp_path / "absent.toml")})


@given(st.text(max_size=40))
def test_any_url_value_is_accepted_only_with_a_scheme(value: str) -> None:
    env = {"RSIM_WULTRA_URL": value}
    stripped = value.strip()
    if not stripped:
        assert load_targets(env).external == {}
    elif stripped.startswith(("http://", "https://")):
        assert load_targets(env).external["wultra"] == stripped.rstrip("/")
    else:
        with pytest.raises(TargetsError):
            load_targets(env)
