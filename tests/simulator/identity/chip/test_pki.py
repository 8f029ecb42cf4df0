"""Synthetic CSCA/DSC PKI and the trust list."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from simulator.identity.chip.errors import PkiError
from simulator.identity.chip.pki import (
    CountrySigningCA,
    DocumentSigner,
    TrustList,
    alpha2_for_state,
    certificate_country,
    create_csca,
    issue_crl,
    issue_document_signer,
    issued_by,
    lookalike_csca,
)


def test_csca_is_a_self_signed_root_with_user_assigned_country(csca: CountrySigningCA) -> None:
    certificate = csca.certificate
    assert certificate.subject == certificate.issuer
    assert certificate_country(certificate) == "XU" == alpha2_for_state("UTO")
    assert issued_by(certificate, certificate)
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert constraints.ca and usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert isinstance(csca.private_key, ec.EllipticCurvePrivateKey)


def test_dsc_is_issued_by_its_csca_with_validity(
    csca: CountrySigningCA, dsc: DocumentSigner, now: dt.datetime
) -> None:
    certificate = dsc.certificate
    assert certificate.issuer == csca.certificate.subject
    assert issued_by(certificate, csca.certificate)
    assert certificate_country(certificate) == "XU"
    assert certificate.not_valid_before_utc == now - dt.timedelta(days=300)
    assert certificate.not_valid_after_utc > now
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_lookalike_csca_has_the_same_name_but_does_not_verify(
    csca: CountrySigningCA, dsc: DocumentSigner
) -> None:
    fake = lookalike_csca(csca, not_before=dsc.certificate.not_valid_before_utc)
    assert fake.certificate.subject == csca.certificate.subject
    assert not issued_by(dsc.certificate, fake.certificate)
    assert TrustList([fake.certificate]).issuers_of(dsc.certificate) == []


def test_rsa_hierarchy(now: dt.datetime) -> None:
    root = create_csca("CZE", not_before=now, key_type="rsa")
    signer = issue_document_signer(root, not_before=now, key_type="rsa", validity=dt.timedelta(days=90))
    assert isinstance(signer.private_key, rsa.RSAPrivateKey)
    assert certificate_country(signer.certificate) == "CZ"
    lifetime = signer.certificate.not_valid_after_utc - signer.certificate.not_valid_before_utc
    assert lifetime == dt.timedelta(days=90)
    assert issued_by(signer.certificate, root.certificate)


def test_trust_list_pem_round_trip(csca: CountrySigningCA, now: dt.datetime, dsc: DocumentSigner) -> None:
    other = create_csca("XTA", not_before=now)
    trust = TrustList([csca.certificate, other.certificate, csca.certificate])
    assert len(trust) == 2
    loaded = TrustList.load_pem(trust.dump_pem())
    assert list(loaded) == [csca.certificate, other.certificate]
    assert csca.certificate in loaded
    assert loaded.issuers_of(dsc.certificate) == [csca.certificate]


def test_issuer_material_pem_round_trip(csca: CountrySigningCA, dsc: DocumentSigner) -> None:
    again = CountrySigningCA.from_pem(csca.to_pem())
    assert again.certificate == csca.certificate
    assert again.private_key.private_numbers() == csca.private_key.private_numbers()
    assert DocumentSigner.from_pem(dsc.to_pem()).certificate == dsc.certificate


def test_errors_are_typed(now: dt.datetime) -> None:
    with pytest.raises(PkiError):
        alpha2_for_state("QQQ")
    with pytest.raises(PkiError):
        TrustList.load_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(PkiError):
        create_csca("UTO", not_before=now.replace(tzinfo=None))
    with pytest.raises(PkiError):
        CountrySigningCA.from_pem(b"nothing")
    assert alpha2_for_state("D<<") == "DE"


def test_crl_revokes_and_travels_with_the_trust_list(
    csca: CountrySigningCA, dsc: DocumentSigner, now: dt.datetime
) -> None:
    victim = issue_document_signer(csca, not_before=now)
    crl = issue_crl(csca, [victim.certificate], this_update=now)
    trust = TrustList([csca.certificate], [crl])
    assert trust.is_revoked(victim.certificate) and not trust.is_revoked(dsc.certificate)
    loaded = TrustList.load_pem(trust.dump_pem())
    assert loaded.crls == (crl,) and loaded.is_revoked(victim.certificate)


def test_crl_from_an_untrusted_issuer_is_refused(csca: CountrySigningCA, now: dt.datetime) -> None:
    impostor = lookalike_csca(csca, not_before=now)
    forged_crl = issue_crl(impostor, [], this_update=now)
    with pytest.raises(PkiError, match="not signed by a trusted CSCA"):
        TrustList([csca.certificate], [forged_crl])
    other_signer = issue_document_signer(create_csca("XTA", not_before=now), not_before=now)
    with pytest.raises(PkiError, match="only revoke"):
        issue_crl(csca, [other_signer.certificate], this_update=now)


def test_pem_without_certificates_is_refused() -> None:
    with pytest.raises(PkiError, match="no PEM certificate"):
        TrustList.load_pem(b"just text")
