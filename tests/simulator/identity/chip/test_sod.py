"""EF.SOD: CMS SignedData over the LDS security object, built and parsed back."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from asn1crypto import cms
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.identity.chip.errors import SodError
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.pki import DocumentSigner, create_csca, issue_document_signer
from simulator.identity.chip.sod import (
    LDS_SECURITY_OBJECT_OID,
    LDSSecurityObject,
    build_security_object,
    build_sod,
    parse_sod,
)
from simulator.identity.chip.tlv import decode_one

GROUPS = {1: b"\x61\x03\x5f\x1f\x00", 2: b"\x75\x00", 11: b"\x6b\x00"}


def test_structure_of_a_built_sod(dsc: DocumentSigner, now: dt.datetime) -> None:
    ef_sod = build_sod(GROUPS, dsc, signed_at=now, lds_version="0108")
    wrapper = decode_one(ef_sod)
    assert wrapper.tag == 0x77
    info = cms.ContentInfo.load(wrapper.value)
    assert info["content_type"].dotted == "1.2.840.113549.1.7.2"
    signed = info["content"]
    assert signed["version"].native == "v3"
    assert signed["encap_content_info"]["content_type"].dotted == "2.23.136.1.1.1"
    signer_info = signed["signer_infos"][0]
    assert signer_info["version"].native == "v1"
    assert signer_info["sid"].name == "issuer_and_serial_number"
    names = [attribute["type"].native for attribute in signer_info["signed_attrs"]]
    assert {"content_type", "message_digest", "signing_time"} <= set(names)


def test_parse_gives_hashes_signer_and_a_verifying_signature(dsc: DocumentSigner, now: dt.datetime) -> None:
    parsed = parse_sod(build_sod(GROUPS, dsc, signed_at=now, lds_version="0108"))
    assert parsed.content_type == LDS_SECURITY_OBJECT_OID == parsed.signed_content_type
    assert parsed.lso_version == 1 and (parsed.lds_version, parsed.unicode_version) == ("0108", "040000")
    assert parsed.hash_algorithm == "sha256" == parsed.digest_algorithm
    assert parsed.dg_hashes == {n: hashlib.sha256(data).digest() for n, data in GROUPS.items()}
    assert parsed.message_digest == hashlib.sha256(parsed.econtent).digest()
    assert parsed.signing_time == now
    assert parsed.signature_algorithm == "sha256_ecdsa"
    assert parsed.signer_certificate == dsc.certificate and parsed.certificates == (dsc.certificate,)
    assert parsed.signature_valid(dsc.certificate)
    assert parsed.signed_attributes is not None and parsed.signed_attributes[0] == 0x31


def test_signature_fails_with_another_key(dsc: DocumentSigner, now: dt.datetime) -> None:
    other = issue_document_signer(create_csca("UTO", not_before=now), not_before=now)
    assert not parse_sod(build_sod(GROUPS, dsc, signed_at=now)).signature_valid(other.certificate)


def test_version_0_without_version_info_and_sha384_rsa(now: dt.datetime) -> None:
    root = create_csca("AUT", not_before=now, key_type="rsa")
    signer = issue_document_signer(root, not_before=now, key_type="rsa")
    parsed = parse_sod(build_sod(GROUPS, signer, signed_at=now, hash_algorithm="sha384"))
    assert parsed.lso_version == 0 and parsed.lds_version is None
    assert parsed.hash_algorithm == "sha384" and parsed.signature_algorithm == "sha384_rsa"
    assert parsed.dg_hashes[2] == hashlib.sha384(GROUPS[2]).digest()
    assert parsed.signature_valid(signer.certificate)


def test_security_object_is_der_of_the_declared_asn1() -> None:
    der = build_security_object({1: b"a", 2: b"b"})
    lso = LDSSecurityObject.load(der)
    assert lso["version"].native == 0
    assert lso["hash_algorithm"]["algorithm"].dotted == "2.16.840.1.101.3.4.2.1"
    items = lso["data_group_hash_values"]
    pairs = [(i["data_group_number"].native, i["data_group_hash_value"].native) for i in items]
    assert pairs == [
        (1, hashlib.sha256(b"a").digest()),
        (2, hashlib.sha256(b"b").digest()),
    ]


def test_sod_of_an_issued_chip(genuine: ChipImage, dsc: DocumentSigner) -> None:
    assert genuine.ef_sod is not None
    parsed = parse_sod(genuine.ef_sod)
    assert set(parsed.dg_hashes) == {1, 2}
    assert parsed.dg_hashes[2] == hashlib.sha256(genuine.data_groups()[2]).digest()
    assert parsed.signature_valid(dsc.certificate)


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x77\x00", b"\x60\x00", b"\x77\x03\x30\x01\x00", b"\x77\x05\x30\x03\x06\x01\x00"],
)
def test_malformed_sod_raises_sod_error(bad: bytes) -> None:
    with pytest.raises(SodError):
        parse_sod(bad)


def test_wrong_econtent_type_and_bad_hash_name(dsc: DocumentSigner, now: dt.datetime) -> None:
    ef_sod = build_sod(GROUPS, dsc, signed_at=now)
    oid_der = bytes.fromhex("0606678108010101")  # 2.23.136.1.1.1
    assert oid_der in ef_sod
    with pytest.raises(SodError, match="eContentType"):
        parse_sod(ef_sod.replace(oid_der, bytes.fromhex("0606678108010102"), 1))
    with pytest.raises(SodError):
        build_security_object({1: b"x"}, hash_algorithm="md5")
    with pytest.raises(SodError):
        build_security_object({})


@pytest.mark.filterwarnings("ignore:Parsed a serial number:cryptography.utils.CryptographyDeprecationWarning")
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_corrupted_sod_bytes_never_crash(data: st.DataObject, dsc: DocumentSigner, now: dt.datetime) -> None:
    ef_sod = bytearray(build_sod(GROUPS, dsc, signed_at=now))  # ECDSA: the length varies a little
    position = data.draw(st.integers(0, 10_000)) % len(ef_sod)
    ef_sod[position] ^= data.draw(st.integers(1, 255))
    try:
        parsed = parse_sod(bytes(ef_sod))
    except SodError:
        return
    assert isinstance(parsed.signature_valid(dsc.certificate), bool)
