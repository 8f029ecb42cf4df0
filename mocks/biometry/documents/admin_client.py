"""Client of ``/_admin/document-trust`` for tests, the virtual device's set-up and scripts.

Built on the framework's :class:`AdminClient` (same token and session handling, same
:class:`AdminError` on a 4xx/5xx), so a scenario steers the trust list the way it steers the clock.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mocks.framework import AdminClient

PATH = "document-trust"


class DocumentTrustAdmin:
    """``DocumentTrustAdmin(admin_client)``: list, add, replace or reset the session's CSCA trust list."""

    def __init__(self, admin: AdminClient) -> None:
        self.admin = admin

    def list(self) -> dict[str, Any]:
        return dict(self.admin._call("GET", PATH))

    def add(self, *certificates: x509.Certificate | str) -> dict[str, Any]:
        """Trust more CSCAs (certificates or PEM text, CRLs allowed in the PEM)."""
        return dict(self.admin._call("POST", PATH, json={"pem": _pem(certificates)}))

    def replace(self, *certificates: x509.Certificate | str, include_seeded: bool = True) -> dict[str, Any]:
        """Replace the session's additions; ``include_seeded=False`` also drops the seeded CSCAs."""
        body = {"pem": _pem(certificates), "includeSeeded": include_seeded}
        return dict(self.admin._call("PUT", PATH, json=body))

    def reset(self) -> dict[str, Any]:
        """Back to the seeded CSCAs only."""
        return dict(self.admin._call("DELETE", PATH))


def _pem(items: tuple[x509.Certificate | str, ...]) -> str:
    return "".join(
        item if isinstance(item, str) else item.public_bytes(serialization.Encoding.PEM).decode("ascii")
        for item in items
    )
