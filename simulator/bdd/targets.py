"""Where the suite finds the parties: the embedded stack by default, or real systems at URLs.

A bank points the suite at its own adapter with a TOML file named by ``RSIM_TARGETS``::

    [parties]
    bank = "https://adapter.test.bank.example"

or with one environment variable per party (``RSIM_WULTRA_URL``, ``RSIM_BANK_URL``,
``RSIM_SMS_GATEWAY_URL``, ``RSIM_BIOMETRY_URL``), which win over the file.  Every party not named
is started on loopback as a mock.  ``admin_token`` (file ``[admin] token`` or ``RSIM_ADMIN_TOKEN``)
is sent to the mocks' admin APIs when they are guarded.  A party at a URL that is itself one of
our mocks (``rsim serve`` on another host, a mock behind a proxy) keeps its admin API usable when
listed in ``[admin] parties = ["bank"]`` or ``RSIM_ADMIN_PARTIES=bank,sms-gateway``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ENV_VARS", "PARTY_NAMES", "TargetsConfig", "TargetsError", "load_targets"]

PARTY_NAMES = ("wultra", "bank", "sms-gateway", "biometry")

#: Party → environment variable naming its URL.
ENV_VARS: dict[str, str] = {name: f"RSIM_{name.upper().replace('-', '_')}_URL" for name in PARTY_NAMES}

TARGETS_FILE_VAR = "RSIM_TARGETS"
ADMIN_TOKEN_VAR = "RSIM_ADMIN_TOKEN"
ADMIN_PARTIES_VAR = "RSIM_ADMIN_PARTIES"


class TargetsError(ValueError):
    """The targets file or a URL variable is unusable (unreadable, not TOML, unknown party, bad URL)."""


@dataclass(frozen=True)
class TargetsConfig:
    """Parties replaced by real systems (``external``: name → URL) and the admin token, if any."""

    external: dict[str, str] = field(default_factory=dict)
    admin_token: str | None = None
    source: str = "embedded stack"
    admin_parties: frozenset[str] = frozenset()

    def is_mocked(self, party: str) -> bool:
        """Whether ``party`` is one of our mocks (its admin API may be used)."""
        return party not in self.external or party in self.admin_parties

    @property
    def real_parties(self) -> frozenset[str]:
        """Parties that are real systems: no admin API, no virtual clock."""
        return frozenset(p for p in self.external if not self.is_mocked(p))


def _url(party: str, value: object, where: str) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise TargetsError(f"{where}: the URL of {party} must start with http:// or https://, got {value!r}")
    return value.rstrip("/")


def _party_list(names: object, where: str) -> frozenset[str]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TargetsError(f"{where}: admin parties must be a list of party names")
    unknown = sorted(set(names) - set(PARTY_NAMES))
    if unknown:
        raise TargetsError(f"{where}: unknown admin part{'ies' if len(unknown) > 1 else 'y'} "
                           f"{', '.join(unknown)}; known: {', '.join(PARTY_NAMES)}")
    return frozenset(names)


def _from_file(path: Path) -> tuple[dict[str, str], str | None, frozenset[str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TargetsError(f"cannot read the targets file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TargetsError(f"the targets file {path} is not valid TOML: {exc}") from exc
    parties = data.get("parties", {})
    if not isinstance(parties, dict):
        raise TargetsError(f"{path}: [parties] must be a table of party = URL")
    unknown = sorted(set(parties) - set(PARTY_NAMES))
    if unknown:
        raise TargetsError(f"{path}: unknown part{'ies' if len(unknown) > 1 else 'y'} "
                           f"{', '.join(unknown)}; known: {', '.join(PARTY_NAMES)}")
    urls = {name: _url(name, value, str(path)) for name, value in parties.items()}
    admin = data.get("admin", {})
    if not isinstance(admin, dict):
        raise TargetsError(f"{path}: [admin] must be a table")
    token = admin.get("token")
    if token is not None and not isinstance(token, str):
        raise TargetsError(f"{path}: [admin] token must be a string")
    return urls, token, _party_list(admin.get("parties", []), str(path))


def load_targets(env: Mapping[str, str] | None = None) -> TargetsConfig:
    """The targets from ``RSIM_TARGETS`` (a TOML file) and the ``RSIM_*_URL`` variables."""
    env = os.environ if env is None else env
    urls: dict[str, str] = {}
    token: str | None = None
    admin_parties: frozenset[str] = frozenset()
    sources: list[str] = []
    file_name = env.get(TARGETS_FILE_VAR, "").strip()
    if file_name:
        urls, token, admin_parties = _from_file(Path(file_name))
        sources.append(file_name)
    for party, var in ENV_VARS.items():
        value = env.get(var, "").strip()
        if value:
            urls[party] = _url(party, value, var)
            sources.append(var)
    token = env.get(ADMIN_TOKEN_VAR) or token
    listed = [n.strip() for n in env.get(ADMIN_PARTIES_VAR, "").split(",") if n.strip()]
    if listed:
        admin_parties = _party_list(listed, ADMIN_PARTIES_VAR)
    return TargetsConfig(external=urls, admin_token=token, admin_parties=admin_parties,
                         source=", ".join(sources) if sources else "embedded stack")
