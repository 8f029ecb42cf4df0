"""Connections kept alive across the journeys of one load client."""

from __future__ import annotations

from simulator.device.phone_http import ConnectionPool

__all__ = ["SharedConnections"]


class SharedConnections(ConnectionPool):
    """A pool of kept-alive connections that successive journeys of one client reuse.

    Each journey still builds its own sessions (headers, recorder, isolation); built over this pool,
    they borrow its open connections instead of a new TCP connection per session and party.  Closing
    a session leaves the pool open; :meth:`shutdown` closes it.  For load clients that run one
    journey after another: where the parties keep connections alive (the production server, real
    systems), it spares the client and the parties a connect, a server thread and a close per session,
    which no check depends on.  The threaded development server closes every connection after its
    response (Werkzeug's choice), so there each call connects anew.
    """

    def shutdown(self) -> None:
        self.close()
