"""Properties of the parsers behind the API: uploads decode or fail with the contract's typed error,
never an unrelated crash; what is encoded comes back; the seeded trust anchors are reproducible."""

from __future__ import annotations

import base64
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocks.biometry.documents.checks.base import CATEGORY_OF, CODES
from mocks.biometry.documents.checks.data import name_key, name_matches
from mocks.biometry.documents.chipdata import decode_files
from mocks.biometry.documents.errors import ImageTooLargeError, InvalidChipDataError, InvalidImageError
from mocks.biometry.documents.pages import decode_image, decode_line, encode_line
from mocks.biometry.documents.trust import (
    build_trust_list,
    certificate_pem,
    seeded_countries,
    seeded_csca,
    seeded_trust_list,
    split_pem,
)
from simulator.identity.chip.errors import PkiError
from simulator.identity.chip.pki import issue_document_signer, issued_by
from simulator.identity.documents.ocr import ALL_CHARS, LineReading
from simulator.identity.mrz import format_name, split_name

_b64 = st.binary(min_size=1, max_size=64).map(lambda b: base64.b64encode(b).decode())
_names = st.sampled_from(
    [
        "EF.COM",
        "EF.SOD",
        "DG1.bin",
        "DG2.bin",
        "DG15.bin",
        "AA.challenge",
        "AA.signature",
        "DG0.bin",
        "DG17.bin",
        "dg1.bin",
        "EF.CARDACCESS",
        "",
    ]
)


@settings(deadline=None)
@given(st.dictionaries(_names, _b64 | st.text(max_size=20), max_size=8))
def test_chip_files_decode_or_fail_typed(files: dict[str, str]) -> None:
    try:
        decoded = decode_files(files)
    except InvalidChipDataError:
        return
    assert {"EF.COM", "EF.SOD", "DG1.bin"} <= set(decoded)
    assert all(base64.b64encode(decoded[name]).decode() == value for name, value in files.items())


@settings(deadline=None)
@given(
    st.dictionaries(st.sampled_from(["DG2.bin", "DG11.bin", "DG14.bin"]), st.binary(min_size=1, max_size=64)),
    st.binary(min_size=1, max_size=64),
)
def test_chip_files_round_trip(extra: dict[str, bytes], sod: bytes) -> None:
    files = {"EF.COM": b"\x60\x00", "EF.SOD": sod, "DG1.bin": b"\x61\x00", **extra}
    assert decode_files({k: base64.b64encode(v).decode() for k, v in files.items()}) == files


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=60)
    | st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode())
    | st.binary(max_size=60).map(lambda b: base64.b64encode(b"\xff\xd8\xff" + b).decode())
    | st.binary(max_size=60).map(lambda b: base64.b64encode(b"\x89PNG\r\n\x1a\n" + b).decode())
)
def test_page_images_decode_or_fail_typed(text: str) -> None:
    with pytest.raises((InvalidImageError, ImageTooLargeError)):
        decode_image(text)  # none of these is a decodable photo of at least 320 px


@settings(deadline=None)
@given(st.text(alphabet=ALL_CHARS, min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_line_readings_round_trip(text: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    candidates = rng.uniform(-1.0, 1.0, size=(len(text), len(ALL_CHARS)))
    scores = tuple(float(candidates[i, ALL_CHARS.index(c)]) for i, c in enumerate(text))
    back = decode_line(encode_line(LineReading(text, scores, candidates)))
    assert back.text == text
    assert back.scores == pytest.approx(scores, abs=1e-3)
    assert np.allclose(back.candidates, candidates, atol=1e-3)
    assert back.accepts(text)


_name_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáčďéěíňóřšťúůýžäöüß -", min_size=1, max_size=25)


@settings(deadline=None)
@given(_name_text, _name_text)
def test_names_match_their_own_mrz_form(surname: str, given_names: str) -> None:
    if not name_key(surname).strip():
        return
    for width in (30, 39):  # TD1 name field; TD3 name field
        primary, secondary = split_name(format_name(surname, given_names, width))
        truncated = len(name_key(surname)) + len(name_key(given_names)) + 2 > width
        assert name_matches(surname, primary, truncated)
        if name_key(given_names).strip():
            assert name_matches(given_names, secondary, truncated)


def test_a_different_name_does_not_match() -> None:
    assert not name_matches("Novak", "NOVAKOVA", False)
    assert not name_matches("Novakova", "NOVAK", False)
    assert name_matches("Nováková", "NOVAKOVA", False)
    assert name_matches("Müller", "MUELLER", False)


def test_seeded_csca_is_reproducible_and_seed_specific() -> None:
    first = seeded_csca("UTO")
    again = seeded_csca("UTO")
    assert first.certificate == again.certificate
    other_seed = seeded_csca("UTO", seed="another-world")
    assert other_seed.certificate.public_key() != first.certificate.public_key()
    assert seeded_csca("D").certificate == seeded_csca("DEU").certificate
    assert len(seeded_trust_list()) == len(seeded_countries())


def test_a_signer_under_a_rederived_csca_chains_to_the_providers_certificate() -> None:
    from mocks.biometry.documents import trust

    provider_copy = seeded_csca("CZE").certificate
    trust._seeded_csca.cache_clear()  # a fresh process: derive the key and certificate again
    device_csca = seeded_csca("CZE")
    assert device_csca.certificate == provider_copy  # deterministic ECDSA: byte-identical
    signer = issue_document_signer(device_csca, not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    assert issued_by(signer.certificate, provider_copy)


def test_pem_round_trip_and_refusals() -> None:
    certs = list(seeded_trust_list())[:3]
    pem = "".join(certificate_pem(c) for c in certs)
    parsed, crls = split_pem(pem)
    assert parsed == certs and crls == []
    assert len(build_trust_list("another-world", pem, include_seeded=False)) == 3
    signer = issue_document_signer(seeded_csca("UTO"), not_before=dt.datetime.now(dt.UTC))
    for bad in (
        "",
        "garbage",
        certificate_pem(signer.certificate),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    ):
        with pytest.raises(PkiError):
            split_pem(bad)


@settings(deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_pem_text_fails_typed(text: str) -> None:
    try:
        certificates, crls = split_pem(text)
    except PkiError:
        return
    assert certificates or crls


def test_every_validator_has_one_code_and_one_category() -> None:
    assert set(CODES) == set(CATEGORY_OF)
    assert len(set(CODES.values())) == len(CODES)
    assert set(CATEGORY_OF.values()) == {"QUALITY", "DATA", "AUTHENTICITY"}
