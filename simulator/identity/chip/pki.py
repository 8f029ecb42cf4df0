"""Synthetic eMRTD PKI (Doc 9303-12): a country signing CA per state, document signers under it, trust lists.

X.509 names carry ISO 3166 alpha-2 country codes, and Utopia (`UTO`, the ICAO specimen state) has none, so
fictional states get user-assigned alpha-2 codes (ISO 3166 reserves AA, QM-QZ, XA-XZ and ZZ) from the table
below. Private keys live only in the issuer objects; a verifier is given a `TrustList` of certificates.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from simulator.identity.chip.errors import PkiError

KeyType = Literal["ec", "rsa"]
SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

#: Issuing-state codes of the MRZ (alpha-3 or ICAO special) to the alpha-2 code written in certificates.
STATE_ALPHA2: dict[str, str] = {
    "UTO": "XU",  # Utopia, the ICAO specimen state (user-assigned code)
    "XTA": "XT",  # a second fictional state for cross-country tests (user-assigned code)
    "AUT": "AT", "BEL": "BE", "CZE": "CZ", "D": "DE", "DEU": "DE", "ESP": "ES", "FRA": "FR",
    "GBR": "GB", "HUN": "HU", "ITA": "IT", "NLD": "NL", "POL": "PL", "SVK": "SK", "USA": "US",
}  # fmt: skip

CSCA_VALIDITY = dt.timedelta(days=15 * 365)
DSC_VALIDITY = dt.timedelta(days=11 * 365)


def alpha2_for_state(state: str) -> str:
    """Alpha-2 certificate country code for an MRZ issuing state such as ``UTO`` or ``D<<``."""
    code = STATE_ALPHA2.get(state.rstrip("<"))
    if code is None:
        raise PkiError(f"no alpha-2 country code known for issuing state {state!r}")
    return code


def _new_key(key_type: KeyType) -> SigningKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise PkiError(f"unknown key type {key_type!r} (ec or rsa)")


def _name(country: str, organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise PkiError("certificate times must be timezone-aware (UTC)")
    return moment.astimezone(dt.UTC)


def certificate_country(certificate: x509.Certificate, *, issuer: bool = False) -> str | None:
    """The ``C=`` of a certificate's subject (or issuer)."""
    name = certificate.issuer if issuer else certificate.subject
    values = name.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(values[0].value) if values else None


def _private_pem(key: SigningKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_private(pem: bytes) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise PkiError(f"not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise PkiError(f"unsupported signing key type {type(key).__name__}")
    return key


def _load_certificate(pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise PkiError(f"not a PEM certificate: {exc}") from exc


@dataclass(frozen=True)
class CountrySigningCA:
    """A state's CSCA: self-signed root certificate and its private key (the issuer fixture keeps it)."""

    certificate: x509.Certificate
    private_key: SigningKey

    @property
    def country(self) -> str:
        """Alpha-2 code of the CSCA subject."""
        return certificate_country(self.certificate) or ""

    def to_pem(self) -> bytes:
        """Certificate then PKCS#8 private key, both PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM) + _private_pem(self.private_key)

    @classmethod
    def from_pem(cls, pem: bytes) -> CountrySigningCA:
        """Inverse of `to_pem`."""
        return cls(_load_certificate(pem), _load_private(pem))


@dataclass(frozen=True)
class DocumentSigner:
    """A document signer: its certificate (issued by a CSCA) and private key signing EF.SOD."""

    certificate: x509.Certificate
    private_key: SigningKey

    def to_pem(self) -> bytes:
        """Certificate then PKCS#8 private key, both PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM) + _private_pem(self.private_key)

    @classmethod
    def from_pem(cls, pem: bytes) -> DocumentSigner:
        """Inverse of `to_pem`."""
        return cls(_load_certificate(pem), _load_private(pem))


def create_csca(
    state: str,
    *,
    not_before: dt.datetime,
    validity: dt.timedelta = CSCA_VALIDITY,
    key_type: KeyType = "ec",
    organisation: str | None = None,
    common_name: str | None = None,
) -> CountrySigningCA:
    """A self-signed CSCA for ``state`` (MRZ code) with keyCertSign + cRLSign and a path length of 0."""
    country = alpha2_for_state(state)
    name = _name(country, organisation or f"{state} Document Authority", common_name or f"CSCA {state}")
    return _self_signed(name, _aware(not_before), validity, key_type)


def lookalike_csca(
    genuine: CountrySigningCA, *, not_before: dt.datetime, key_type: KeyType = "ec"
) -> CountrySigningCA:
    """A CSCA with the same subject name as ``genuine`` but a key of its own (what a forger would make)."""
    return _self_signed(genuine.certificate.subject, _aware(not_before), CSCA_VALIDITY, key_type)


def _self_signed(
    name: x509.Name, start: dt.datetime, validity: dt.timedelta, key_type: KeyType
) -> CountrySigningCA:
    key = _new_key(key_type)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return CountrySigningCA(certificate, key)


def issue_document_signer(
    csca: CountrySigningCA,
    *,
    not_before: dt.datetime,
    validity: dt.timedelta = DSC_VALIDITY,
    key_type: KeyType = "ec",
    common_name: str | None = None,
) -> DocumentSigner:
    """A DSC under ``csca`` (same country, keyUsage digitalSignature) valid from ``not_before``."""
    start = _aware(not_before)
    key = _new_key(key_type)
    issuer = csca.certificate.subject
    organisation = issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    subject = _name(
        csca.country,
        str(organisation[0].value) if organisation else "Document Authority",
        common_name or f"DS {csca.country} {start:%Y%m%d}",
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(csca.private_key.public_key()), critical=False
        )
        .sign(csca.private_key, hashes.SHA256())
    )
    return DocumentSigner(certificate, key)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s subject names the certificate's issuer and its key verifies the signature."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def issue_crl(
    csca: CountrySigningCA,
    revoked: Iterable[x509.Certificate],
    *,
    this_update: dt.datetime,
    next_update: dt.timedelta = dt.timedelta(days=90),
) -> x509.CertificateRevocationList:
    """A CRL signed by ``csca`` listing the serial numbers of ``revoked`` document signers."""
    start = _aware(this_update)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(csca.certificate.subject)
        .last_update(start)
        .next_update(start + next_update)
    )
    for certificate in revoked:
        if certificate.issuer != csca.certificate.subject:
            raise PkiError("a CSCA can only revoke certificates it issued")
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(start)
            .build()
        )
    return builder.sign(csca.private_key, hashes.SHA256())


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----\s*", re.DOTALL)


class TrustList:
    """The CSCA certificates a verifier trusts (a master list, in effect) and their CRLs; PEM in and out."""

    def __init__(
        self,
        certificates: Iterable[x509.Certificate] = (),
        crls: Iterable[x509.CertificateRevocationList] = (),
    ) -> None:
        self._certificates: list[x509.Certificate] = []
        self._crls: list[x509.CertificateRevocationList] = []
        for certificate in certificates:
            self.add(certificate)
        for crl in crls:
            self.add_crl(crl)

    def add(self, certificate: x509.Certificate) -> None:
        """Trust one more CSCA certificate (duplicates are ignored)."""
        if certificate not in self._certificates:
            self._certificates.append(certificate)

    def add_crl(self, crl: x509.CertificateRevocationList) -> None:
        """Accept a CRL, but only one signed by a CSCA of this list (anyone else could revoke at will)."""
        if not any(
            crl.issuer == csca.subject and crl.is_signature_valid(csca.public_key())
            for csca in self._certificates
        ):
            raise PkiError(f"CRL of {crl.issuer.rfc4514_string()} is not signed by a trusted CSCA")
        self._crls.append(crl)

    @property
    def crls(self) -> tuple[x509.CertificateRevocationList, ...]:
        """The accepted CRLs."""
        return tuple(self._crls)

    def __iter__(self) -> Iterator[x509.Certificate]:
        return iter(list(self._certificates))

    def __len__(self) -> int:
        return len(self._certificates)

    def __contains__(self, certificate: object) -> bool:
        return certificate in self._certificates

    def issuers_of(self, certificate: x509.Certificate) -> list[x509.Certificate]:
        """Trusted CSCAs that verifiably issued ``certificate``."""
        return [csca for csca in self._certificates if issued_by(certificate, csca)]

    def is_revoked(self, certificate: x509.Certificate) -> bool:
        """Whether a CRL of the certificate's issuer lists its serial number."""
        return any(
            crl.issuer == certificate.issuer
            and crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None
            for crl in self._crls
        )

    def dump_pem(self) -> bytes:
        """Certificates then CRLs as concatenated PEM (the form of a `trust/csca.pem` file)."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self._certificates) + b"".join(
            crl.public_bytes(serialization.Encoding.PEM) for crl in self._crls
        )

    def dump_file(self, path: str | os.PathLike[str]) -> None:
        """Write the trust list as a PEM file (for example ``trust/csca.pem``)."""
        Path(path).write_bytes(self.dump_pem())

    @classmethod
    def load_file(cls, path: str | os.PathLike[str]) -> TrustList:
        """Read a PEM trust-list file; `PkiError` when it is missing or unreadable."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise PkiError(f"cannot read trust list {path}: {exc}") from exc
        return cls.load_pem(data)

    @classmethod
    def load_pem(cls, data: bytes) -> TrustList:
        """Load concatenated PEM certificates and CRLs; `PkiError` when none is there or one is broken."""
        certificates: list[x509.Certificate] = []
        crls: list[x509.CertificateRevocationList] = []
        try:
            for block in _PEM_BLOCK.finditer(data):
                kind = block.group(1)
                if kind == b"CERTIFICATE":
                    certificates.append(x509.load_pem_x509_certificate(block.group(0)))
                elif kind == b"X509 CRL":
                    crls.append(x509.load_pem_x509_crl(block.group(0)))
        except ValueError as exc:
            raise PkiError(f"trust list holds a broken PEM block: {exc}") from exc
        if not certificates:
            raise PkiError("trust list holds no PEM certificate")
        return cls(certificates, crls)
