"""``python -m mocks.framework --factory module:function``: serve one mock (see :mod:`.serving`)."""

from .serving import main

raise SystemExit(main())
