"""The parties' Flask JSON: the text Flask's own provider writes, big Base64 bodies at SIMD speed.

Document pages, portraits and face frames travel as Base64 inside JSON, hundreds of kB each; the
standard library's escaper and parser go through them byte by byte.  :mod:`simulator.encoding`
gives the same text and the same values, so responses and parsed requests are unchanged.  Calls
with options :func:`simulator.encoding.json_dumps` does not take (``indent``, ``ensure_ascii``
off, ...) go to Flask's provider as they are.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from simulator.encoding import json_dumps, json_loads

_FAST_DUMP_OPTIONS = frozenset({"default", "ensure_ascii", "sort_keys", "separators", "allow_nan"})


class FastJSONProvider(DefaultJSONProvider):
    """Flask's :class:`DefaultJSONProvider` (keys in insertion order) over :mod:`simulator.encoding`."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        if kwargs["ensure_ascii"] and kwargs.keys() <= _FAST_DUMP_OPTIONS:
            return json_dumps(obj, separators=kwargs.get("separators"), sort_keys=kwargs["sort_keys"],
                              allow_nan=kwargs.get("allow_nan", True), default=kwargs["default"])
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json_loads(s) if not kwargs else super().loads(s, **kwargs)
