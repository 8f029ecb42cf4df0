"""The device's view of server time.

3.2+ ECIES timestamps and token timestamps are checked by the server against *its* clock, which in
the simulator may be a virtual clock that tests move forward by hours. Like the real SDK's time
synchronisation, the phone keeps an offset learned from authenticated server timestamps (the signed
temporary-key JWT, MAC-protected ECIES responses) and stamps its own requests with local time plus
that offset.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def local_now_ms() -> int:
    """The phone's own wall clock, Unix milliseconds."""
    return time.time_ns() // 1_000_000


class ServerClock:
    """Local time corrected by the last offset learned from the server."""

    def __init__(self, local: Callable[[], int] = local_now_ms) -> None:
        self._local = local
        self.offset_ms = 0
        self.synchronized = False

    def now_ms(self) -> int:
        """Best estimate of the server's current time."""
        return self._local() + self.offset_ms

    def observe(self, server_ms: int) -> None:
        """Adopt an authenticated server timestamp taken just now."""
        self.offset_ms = server_ms - self._local()
        self.synchronized = True
