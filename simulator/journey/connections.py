"""Connections kept alive across the journeys of one load client."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

__all__ = ["SharedConnections", "shared_with"]


class SharedConnections(HTTPAdapter):
    """A pool of kept-alive connections that successive journeys of one client reuse.

    Each journey still builds its own sessions (headers, hooks, cookies); mounted on them, this adapter
    lends them its open connections instead of a new TCP connection per session and party. Closing
    a session leaves the pool open; :meth:`shutdown` closes it. For load clients that run one
    journey after another: where the parties keep connections alive (the production server, real
    systems), it spares the client and the parties a connect, a server thread and a close per session,
    which no check depends on. The threaded development server closes every connection after its
    response (Werkzeug's choice), so there it only saves building the pools.
    """

    def close(self) -> None:
        """Called by ``Session.close()``: the pool outlives the journey's sessions."""

    def shutdown(self) -> None:
        super().close()

    def mount_on(self, http: requests.Session) -> requests.Session:
        http.mount("http://", self)
        http.mount("https://", self)
        return http


def shared_with(http: requests.Session, target: requests.Session, url: str) -> None:
    """Mount ``http``'s pool for ``url`` on ``target`` too, if it is a :class:`SharedConnections`."""
    adapter = http.get_adapter(url)
    if isinstance(adapter, SharedConnections):
        adapter.mount_on(target)
