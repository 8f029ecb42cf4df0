"""Settings of the document API, read from ``MockConfig.extra`` with safe defaults.

``document_api_key``: the key every call carries as ``Authorization: api_key <key>``.
``document_trust_seed``: the seed the provider's seeded CSCAs are derived from (see :mod:`.trust`).
``document_retention_seconds``: how long (virtual time) an investigation and its pages are kept.
``document_transition``: the default transition policy of an investigation (PENDING → DONE) when a
test has not set one for its session over ``/_admin/transitions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mocks.framework import TransitionPolicy, current_runtime

from .trust import DEFAULT_TRUST_SEED

DEFAULT_API_KEY = "rsim-documents-api-key"
TRANSITION_KIND = "documents.investigation"
VERDICT_KIND = "document-investigation"
#: A phone photo of a page is 100-500 kB; 2.5 MiB leaves room for PNG, and its Base64 fits the 4 MiB body.
MAX_IMAGE_BYTES = 5 * 512 * 1024
MIN_IMAGE_SIDE = 320
MAX_PAGES = 4
#: A week: far longer than any onboarding process (3 h), short enough to bound a long load test's state.
RETENTION_SECONDS = 7 * 86400.0
#: Largest chip file a plain READ BINARY reaches (15-bit offset), as on a real chip.
MAX_CHIP_FILE_BYTES = 32 * 1024


@dataclass(frozen=True)
class DocumentSettings:
    api_key: str
    trust_seed: str
    transition: TransitionPolicy
    retention: float


def document_settings() -> DocumentSettings:
    """The running mock's document-API settings."""
    extra: dict[str, Any] = current_runtime().config.extra
    raw_policy = extra.get("document_transition")
    policy = TransitionPolicy.model_validate(raw_policy) if raw_policy else TransitionPolicy()
    return DocumentSettings(
        api_key=str(extra.get("document_api_key", DEFAULT_API_KEY)),
        trust_seed=str(extra.get("document_trust_seed", DEFAULT_TRUST_SEED)),
        transition=policy,
        retention=float(extra.get("document_retention_seconds", RETENTION_SECONDS)),
    )
