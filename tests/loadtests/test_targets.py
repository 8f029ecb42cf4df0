"""Targets of a load run: inline or JSON file, complete and well-formed, or refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadtests.targets import PARTY_NAMES, TargetsError, load_targets, parse_targets

URLS = {name: f"http://127.0.0.1:{9000 + i}/" for i, name in enumerate(PARTY_NAMES)}
INLINE = ",".join(f"{name}={url}" for name, url in URLS.items())


def test_inline_targets_become_journey_targets() -> None:
    spec = load_targets(INLINE)
    targets = spec.targets()
    assert targets.wultra == "http://127.0.0.1:9000" and targets.biometry == "http://127.0.0.1:9003"
    assert targets.bank_admin is True and spec.is_ours("sms-gateway")


def test_json_file_names_real_systems_and_token(tmp_path: Path) -> None:
    path = tmp_path / "targets.json"
    path.write_text(json.dumps({**URLS, "external": ["bank"], "admin_token": "t0k"}))
    spec = load_targets(str(path))
    assert not spec.is_ours("bank") and spec.targets().bank_admin is False
    assert spec.admin_token == "t0k"
    assert load_targets(str(_write(tmp_path, spec.to_json()))) == spec


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "again.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(("value", "reason"), [
    ("wultra=http://a", "lack bank"),
    (INLINE + ",extra=http://x", "unknown party in targets: extra"),
    (INLINE.replace("http://127.0.0.1:9000/", "ftp://x"), "URL of wultra"),
    ("wultra", "cannot read targets file"),
])
def test_bad_targets_are_refused(value: str, reason: str) -> None:
    with pytest.raises(TargetsError, match=reason):
        load_targets(value)


@pytest.mark.parametrize("content", ["not json", "[1, 2]", json.dumps({**URLS, "external": [{}]}),
                                     json.dumps({**URLS, "external": "bank"}),
                                     json.dumps({**URLS, "admin_token": 5})])
def test_bad_targets_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content)
    with pytest.raises(TargetsError):
        load_targets(str(path))


@given(st.text(max_size=80))
def test_any_inline_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        spec = parse_targets(text)
    except TargetsError:
        return
    assert set(spec.urls) == set(PARTY_NAMES)
