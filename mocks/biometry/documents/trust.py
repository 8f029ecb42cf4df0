"""The CSCA trust list the provider checks chips against: seeded CSCAs plus a session's additions.

Why seeded: a chip passes passive authentication only when its document signer chains to a CSCA the
provider trusts, and the virtual device issues its chips itself. Rather than a set-up call before every
scenario, the provider trusts one CSCA per issuing state whose P-256 key is *derived* from a seed
(:data:`DEFAULT_TRUST_SEED`, or ``MockConfig.extra["document_trust_seed"]``) and whose certificate is
built deterministically (fixed names, dates and serial, deterministic ECDSA): any process that knows the
seed gets the very same certificate and key with :func:`seeded_csca`, issues a document signer under it
(``simulator.identity.chip.pki.issue_document_signer``) and signs chips the provider accepts. A chip
signed under any other CSCA (a forger's look-alike, say) fails with ``untrusted_signer`` unless a test
adds that CSCA through ``/_admin/document-trust``, which is also what one would do with a real
provider's sandbox.

The seeded keys are public knowledge by design (the seed is in this file): this trust list protects a
simulation, not money.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from simulator.identity.chip.errors import PkiError
from simulator.identity.chip.pki import STATE_ALPHA2, CountrySigningCA, TrustList, alpha2_for_state

DEFAULT_TRUST_SEED = "rsim-document-trust-v1"
#: The seeded CSCAs are valid 2020-01-01 .. 2045-01-01, wide enough for any virtual clock a test sets.
SEEDED_NOT_BEFORE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
SEEDED_VALIDITY = dt.timedelta(days=25 * 365 + 6)
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


def seeded_countries() -> tuple[str, ...]:
    """Alpha-2 codes with a seeded CSCA: every state the identity world knows (``STATE_ALPHA2``)."""
    return tuple(sorted(set(STATE_ALPHA2.values())))


def _derive(seed: str, label: str) -> bytes:
    return hmac.new(seed.encode(), label.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=256)
def _seeded_csca(seed: str, country: str) -> CountrySigningCA:
    scalar = int.from_bytes(_derive(seed, f"csca-key:{country}"), "big") % (_P256_ORDER - 1) + 1
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{country} Document Authority (seeded)"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"CSCA {country} seeded"),
        ]
    )
    serial = int.from_bytes(_derive(seed, f"csca-serial:{country}")[:16], "big") >> 1 or 1
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(SEEDED_NOT_BEFORE)
        .not_valid_after(SEEDED_NOT_BEFORE + SEEDED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256(), ecdsa_deterministic=True)
    )
    return CountrySigningCA(certificate, key)


def seeded_csca(state: str, seed: str = DEFAULT_TRUST_SEED) -> CountrySigningCA:
    """The seeded CSCA (certificate and private key) of an MRZ issuing state such as ``UTO`` or ``CZE``.

    Raises :class:`PkiError` for a state without a known alpha-2 code.
    """
    return _seeded_csca(seed, alpha2_for_state(state))


@lru_cache(maxsize=16)
def seeded_trust_list(seed: str = DEFAULT_TRUST_SEED) -> tuple[x509.Certificate, ...]:
    """Every seeded CSCA certificate for ``seed``."""
    return tuple(_seeded_csca(seed, country).certificate for country in seeded_countries())


_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.DOTALL)


def split_pem(pem: str) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    """CA certificates and CRLs from PEM text; :class:`PkiError` when a block is broken, a certificate
    is not a CA, or nothing usable is there."""
    certificates: list[x509.Certificate] = []
    crls: list[x509.CertificateRevocationList] = []
    try:
        for block in _PEM_BLOCK.finditer(pem):
            data = block.group(0).encode("ascii", errors="replace")
            if block.group(1) == "CERTIFICATE":
                certificates.append(x509.load_pem_x509_certificate(data))
            elif block.group(1) == "X509 CRL":
                crls.append(x509.load_pem_x509_crl(data))
            else:
                raise PkiError(f"unexpected PEM block {block.group(1)!r} (certificates and CRLs only)")
    except ValueError as exc:
        raise PkiError(f"broken PEM block: {exc}") from exc
    if not certificates and not crls:
        raise PkiError("no PEM certificate or CRL found")
    for certificate in certificates:
        constraints = _basic_constraints(certificate)
        if constraints is None or not constraints.ca:
            raise PkiError(f"{certificate.subject.rfc4514_string()} is not a CA certificate")
    return certificates, crls


def _basic_constraints(certificate: x509.Certificate) -> x509.BasicConstraints | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None


def build_trust_list(seed: str, added_pem: str | None, include_seeded: bool) -> TrustList:
    """The effective trust list: the seeded CSCAs (unless dropped) plus the PEM a test added.

    Raises :class:`PkiError` for a CRL not signed by a CSCA of the resulting list.
    """
    certificates = list(seeded_trust_list(seed)) if include_seeded else []
    crls: list[x509.CertificateRevocationList] = []
    if added_pem:
        added_certificates, crls = split_pem(added_pem)
        certificates.extend(added_certificates)
    return TrustList(certificates, crls)


def describe(trust: TrustList, seed: str) -> dict[str, object]:
    """JSON view of a trust list for the admin API."""
    seeded = set(seeded_trust_list(seed))
    return {
        "certificates": [
            {
                "subject": certificate.subject.rfc4514_string(),
                "country": _country(certificate),
                "sha256": certificate.fingerprint(hashes.SHA256()).hex(),
                "notBefore": certificate.not_valid_before_utc.isoformat(),
                "notAfter": certificate.not_valid_after_utc.isoformat(),
                "seeded": certificate in seeded,
            }
            for certificate in trust
        ],
        "crls": len(trust.crls),
        "pem": trust.dump_pem().decode("ascii"),
    }


def _country(certificate: x509.Certificate) -> str | None:
    values = certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(values[0].value) if values else None


def certificate_pem(certificate: x509.Certificate) -> str:
    """One certificate as PEM text (what ``POST /_admin/document-trust`` takes)."""
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
