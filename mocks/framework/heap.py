"""The C heap of a process that serves parties: two malloc arenas, not one per busy thread.

glibc gives a thread that allocates under contention an arena of its own (up to eight per core),
and freed blocks stay in the arena that served them.  The parties' request threads all handle the
same big bodies - document pages, face frames, ECIES envelopes, hundreds of kB per copy - so every
arena grows to the biggest mix it has seen.  In the 10-minute soak the threaded parties' RSS sat
about 100 MB higher with glibc's default than with two arenas and swung by tens of MB, while the
Python heap itself stayed flat (tracemalloc: 97 -> 99 MB between minutes 1.5 and 4.5).  Servers
commonly set ``MALLOC_ARENA_MAX=2`` for this: production workers get that environment variable
(unless the caller set one), and a process hosting threaded parties calls
:func:`limit_malloc_arenas`.  Elsewhere than glibc both do nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import MutableMapping

__all__ = ["ARENAS", "arena_environment", "limit_malloc_arenas"]

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Cap this process's malloc arenas at ``count`` (glibc ``mallopt``); whether it took effect."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, count))


def arena_environment(env: MutableMapping[str, str], count: int = ARENAS) -> None:
    """``MALLOC_ARENA_MAX`` for a child process, unless ``env`` sets one already."""
    env.setdefault("MALLOC_ARENA_MAX", str(count))
