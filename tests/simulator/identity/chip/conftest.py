"""Shared fixtures: a synthetic Utopia issuer, a genuine chip and an attacker kit, built once per session."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from PIL import Image

from simulator.identity.chip.forgery import AttackerKit
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.issuance import issue_chip
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import (
    CountrySigningCA,
    DocumentSigner,
    TrustList,
    create_csca,
    issue_document_signer,
)

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
TD3_SPECIMEN = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def make_jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (120, 160), noise: int = 0) -> bytes:
    """A small real JPEG; ``noise`` > 0 adds a seeded pattern so the file grows like a photo would."""
    picture = Image.new("RGB", size, colour)
    if noise:
        pixels = picture.load()
        state = noise
        for y in range(size[1]):
            for x in range(size[0]):
                state = (state * 1103515245 + 12345) & 0x7FFFFFFF
                pixels[x, y] = (state & 0xFF, (state >> 8) & 0xFF, (state >> 16) & 0xFF)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def scripted(*chunks: bytes) -> Callable[[int], bytes]:
    """A random source that returns the given values in order (and checks the sizes asked for)."""
    queue = list(chunks)

    def draw(size: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == size, f"asked for {size} random bytes, script has {len(value)}"
        return value

    return draw


@pytest.fixture(scope="session")
def scripted_rng() -> Callable[..., Callable[[int], bytes]]:
    """Factory of scripted random sources (importlib mode forbids importing conftest helpers)."""
    return scripted


@pytest.fixture(scope="session")
def jpeg() -> Callable[..., bytes]:
    """Factory of small JPEG portraits."""
    return make_jpeg


@pytest.fixture(scope="session")
def now() -> dt.datetime:
    return NOW


@pytest.fixture(scope="session")
def csca() -> CountrySigningCA:
    return create_csca("UTO", not_before=NOW - dt.timedelta(days=400))


@pytest.fixture(scope="session")
def dsc(csca: CountrySigningCA) -> DocumentSigner:
    return issue_document_signer(csca, not_before=NOW - dt.timedelta(days=300))


@pytest.fixture(scope="session")
def portrait() -> bytes:
    return make_jpeg((200, 150, 120))


@pytest.fixture(scope="session")
def genuine(dsc: DocumentSigner, portrait: bytes) -> ChipImage:
    return issue_chip(TD3_SPECIMEN, portrait, dsc, signed_at=NOW - dt.timedelta(days=10))


@pytest.fixture(scope="session")
def genuine_aa(dsc: DocumentSigner, portrait: bytes) -> ChipImage:
    """The same document on a chip with Active Authentication (DG14, DG15 and a chip key)."""
    signed_at = NOW - dt.timedelta(days=10)
    return issue_chip(TD3_SPECIMEN, portrait, dsc, signed_at=signed_at, active_authentication=True)


@pytest.fixture(scope="session")
def access_key() -> MrzKey:
    return MrzKey.from_mrz_lines(TD3_SPECIMEN)


@pytest.fixture(scope="session")
def kit(csca: CountrySigningCA) -> AttackerKit:
    return AttackerKit.create(csca, now=NOW, attacker_portrait=make_jpeg((30, 60, 90)))


@pytest.fixture(scope="session")
def trust(csca: CountrySigningCA, kit: AttackerKit) -> TrustList:
    """The verifier trusts Utopia's CSCA (and its CRL) and the foreign state's CSCA, never the attacker's."""
    return TrustList([csca.certificate, kit.foreign_csca.certificate], [kit.revocations])
