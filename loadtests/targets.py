"""Where the load goes: the four parties' base URLs, from a file or the environment.

A load run addresses the parties by URL only, so it can run against our embedded stack or a bank's
system.  Two forms are accepted, by ``--targets`` or ``RSIM_TARGETS``:

* a JSON file ``{"wultra": URL, "bank": URL, "sms-gateway": URL, "biometry": URL,
  "external": ["bank"], "admin_token": "..."}`` (``external`` and ``admin_token`` optional; a party
  in ``external`` is a real system whose admin API is not ours to use);
* inline ``wultra=URL,bank=URL,sms-gateway=URL,biometry=URL``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.journey.world import Targets

__all__ = ["PARTY_NAMES", "TargetsError", "TargetsSpec", "load_targets", "parse_targets"]

PARTY_NAMES = ("wultra", "bank", "sms-gateway", "biometry")


class TargetsError(ValueError):
    """The targets are missing, unreadable or incomplete."""


@dataclass(frozen=True)
class TargetsSpec:
    """The parties' URLs as given, and which of them are real systems."""

    urls: dict[str, str]
    external: frozenset[str] = field(default_factory=frozenset)
    admin_token: str | None = None

    def targets(self) -> Targets:
        return Targets.from_urls(self.urls, external=self.external, admin_token=self.admin_token)

    def is_ours(self, party: str) -> bool:
        """Whether ``party`` is one of our mocks (its admin API may be used)."""
        return party not in self.external

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.urls)
        data["external"] = sorted(self.external)
        if self.admin_token:
            data["admin_token"] = self.admin_token
        return data


def _check(urls: dict[str, Any], external: Any, admin_token: Any) -> TargetsSpec:
    missing = [name for name in PARTY_NAMES if name not in urls]
    if missing:
        raise TargetsError(f"targets lack {', '.join(missing)}; "
                           f"every one of {', '.join(PARTY_NAMES)} is needed")
    unknown = sorted(set(urls) - set(PARTY_NAMES))
    if unknown:
        plural = "ies" if len(unknown) > 1 else "y"
        raise TargetsError(f"unknown part{plural} in targets: {', '.join(unknown)}")
    clean: dict[str, str] = {}
    for name in PARTY_NAMES:
        url = urls[name]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise TargetsError(f"URL of {name} must start with http:// or https://, got {url!r}")
        clean[name] = url.rstrip("/")
    names: list[Any] = list(external) if isinstance(external, list | tuple | set | frozenset) else [None]
    if any(name not in PARTY_NAMES for name in names):
        raise TargetsError(f"'external' must list party names among {', '.join(PARTY_NAMES)}, "
                           f"got {external!r}")
    if admin_token is not None and not isinstance(admin_token, str):
        raise TargetsError("'admin_token' must be a string")
    return TargetsSpec(clean, frozenset(names), admin_token)


def parse_targets(text: str) -> TargetsSpec:
    """Inline ``party=url,...`` → :class:`TargetsSpec`."""
    urls: dict[str, str] = {}
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        name, sep, url = item.partition("=")
        if not sep:
            raise TargetsError(f"target {item!r} is not PARTY=URL")
        urls[name.strip()] = url.strip()
    return _check(urls, [], None)


def load_targets(value: str) -> TargetsSpec:
    """A JSON file path, or inline ``party=url,...`` (told apart by the ``=``)."""
    if "=" in value and not Path(value).is_file():
        return parse_targets(value)
    try:
        data = json.loads(Path(value).read_text(encoding="utf-8"))
    except OSError as exc:
        raise TargetsError(f"cannot read targets file {value}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise TargetsError(f"targets file {value} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise TargetsError(f"targets file {value} must hold a JSON object")
    urls = {k: v for k, v in data.items() if k not in ("external", "admin_token")}
    return _check(urls, data.get("external", []), data.get("admin_token"))
