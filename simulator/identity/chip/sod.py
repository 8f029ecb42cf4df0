"""EF.SOD (Doc 9303-10 §4.6.2): CMS SignedData over the LDS security object, built and parsed.

`asn1crypto` gives the CMS and X.509 structures; the LDS security object is declared here with its core
types. `cryptography` signs and verifies. Parsing never trusts the file: anything malformed is a `SodError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from simulator.identity.chip.errors import SodError, TlvError
from simulator.identity.chip.lds import EF_SOD_TAG
from simulator.identity.chip.pki import DocumentSigner
from simulator.identity.chip.tlv import decode_one, encode_tlv

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
#: eContentType values of older documents still accepted when parsing (older ICAO arc; a Dutch variant).
LEGACY_LDS_SECURITY_OBJECT_OIDS = frozenset({"1.3.27.1.1.1", "1.2.528.1.1006.1.20.1"})
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
    "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}  # fmt: skip
_SET_TAG = 0x31


class DataGroupHash(core.Sequence):
    """DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING }."""

    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]  # noqa: RUF012


class DataGroupHashValues(core.SequenceOf):
    """SEQUENCE OF DataGroupHash."""

    _child_spec = DataGroupHash


class LDSVersionInfo(core.Sequence):
    """LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString }."""

    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]  # noqa: RUF012


class LDSSecurityObject(core.Sequence):
    """LDSSecurityObject ::= SEQUENCE { version, hashAlgorithm, dataGroupHashValues, ldsVersionInfo OPT }."""

    _fields = [  # noqa: RUF012
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LDSVersionInfo, {"optional": True}),
    ]


def hash_data(algorithm: str, data: bytes) -> bytes:
    """Digest of ``data`` under an asn1crypto hash name (``sha256`` ...); `SodError` if unsupported."""
    if algorithm not in _HASHES:
        raise SodError(f"unsupported hash algorithm {algorithm!r}")
    return hashlib.new(algorithm, data).digest()


@dataclass(frozen=True)
class ParsedSod:
    """What a verifier needs from EF.SOD, with the exact signed bytes kept for signature checks."""

    content_type: str
    lso_version: int
    hash_algorithm: str
    dg_hashes: Mapping[int, bytes]
    lds_version: str | None
    unicode_version: str | None
    econtent: bytes
    digest_algorithm: str
    signed_attributes: bytes | None
    signed_content_type: str | None
    message_digest: bytes | None
    signing_time: dt.datetime | None
    signature_algorithm: str
    signature: bytes
    certificates: tuple[x509.Certificate, ...]
    signer_certificate: x509.Certificate | None

    def signature_valid(self, certificate: x509.Certificate) -> bool:
        """Whether the signature over the signed attributes (as a DER SET) verifies with the key given."""
        if self.signed_attributes is None:
            return False
        try:
            return _verify(certificate.public_key(), self, self.signed_attributes)
        except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
            return False


def _verify(public_key: object, sod: ParsedSod, message: bytes) -> bool:
    name = sod.signature_algorithm
    algorithm = algos.SignedDigestAlgorithm({"algorithm": name})
    hash_name = sod.digest_algorithm if name in ("rsassa_pss", "ecdsa") else algorithm.hash_algo
    if hash_name not in _HASHES:
        return False
    chosen = _HASHES[hash_name]()
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(sod.signature, message, ec.ECDSA(chosen))
        return True
    if isinstance(public_key, rsa.RSAPublicKey):
        scheme: padding.AsymmetricPadding
        if name == "rsassa_pss":
            scheme = padding.PSS(padding.MGF1(chosen), padding.PSS.AUTO)
        else:
            scheme = padding.PKCS1v15()
        public_key.verify(sod.signature, message, scheme, chosen)
        return True
    return False


def build_security_object(
    data_groups: Mapping[int, bytes],
    *,
    hash_algorithm: str = "sha256",
    lds_version: str | None = None,
    unicode_version: str = "040000",
) -> bytes:
    """DER LDSSecurityObject hashing each data-group file (tag and length included)."""
    if not data_groups:
        raise SodError("an LDS security object covers at least one data group")
    values = [
        {"data_group_number": number, "data_group_hash_value": hash_data(hash_algorithm, data_groups[number])}
        for number in sorted(data_groups)
    ]
    fields: dict[str, object] = {
        "version": 0 if lds_version is None else 1,
        "hash_algorithm": {"algorithm": hash_algorithm},
        "data_group_hash_values": values,
    }
    if lds_version is not None:
        fields["lds_version_info"] = {"lds_version": lds_version, "unicode_version": unicode_version}
    return LDSSecurityObject(fields).dump()


def build_sod(
    data_groups: Mapping[int, bytes],
    signer: DocumentSigner,
    *,
    signed_at: dt.datetime,
    hash_algorithm: str = "sha256",
    lds_version: str | None = None,
    econtent: bytes | None = None,
) -> bytes:
    """The EF.SOD file (`77` L DER ContentInfo) over ``data_groups``, signed by ``signer``.

    ``econtent`` overrides the security object (a forgery knob: sign arbitrary content).
    """
    content = econtent if econtent is not None else build_security_object(
        data_groups, hash_algorithm=hash_algorithm, lds_version=lds_version
    )
    attributes = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [LDS_SECURITY_OBJECT_OID]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": signed_at.astimezone(dt.UTC)})]},
            {"type": "message_digest", "values": [hash_data(hash_algorithm, content)]},
        ]
    )
    signed_bytes = attributes.dump()
    key = signer.private_key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(signed_bytes, ec.ECDSA(_HASHES[hash_algorithm]()))
        signature_algorithm = f"{hash_algorithm}_ecdsa"
    else:
        signature = key.sign(signed_bytes, padding.PKCS1v15(), _HASHES[hash_algorithm]())
        signature_algorithm = f"{hash_algorithm}_rsa"
    certificate = asn1_x509.Certificate.load(signer.certificate.public_bytes(serialization.Encoding.DER))
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": certificate.issuer,
                        "serial_number": certificate.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": hash_algorithm},
            "signed_attrs": attributes,
            "signature_algorithm": {"algorithm": signature_algorithm},
            "signature": signature,
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": hash_algorithm}],
            "encap_content_info": {
                "content_type": LDS_SECURITY_OBJECT_OID,
                "content": core.ParsableOctetString(content),
            },
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    info = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    return encode_tlv(EF_SOD_TAG, info.dump())


def parse_sod(ef_sod: bytes) -> ParsedSod:
    """Parse the EF.SOD file; any structural problem is a `SodError` naming what is wrong."""
    try:
        wrapper = decode_one(ef_sod)
    except TlvError as exc:
        raise SodError(f"EF.SOD is not one BER-TLV object: {exc}") from exc
    if wrapper.tag != EF_SOD_TAG:
        raise SodError(f"EF.SOD starts with tag {wrapper.tag:X}, expected 77")
    try:
        return _parse_content_info(wrapper.value)
    except SodError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise SodError(f"EF.SOD CMS structure is malformed: {exc}") from exc


def _parse_content_info(der: bytes) -> ParsedSod:
    info = cms.ContentInfo.load(der, strict=True)
    if info["content_type"].native != "signed_data":
        raise SodError(f"EF.SOD content type is {info['content_type'].dotted}, not signedData")
    signed_data = info["content"]
    encap = signed_data["encap_content_info"]
    content_type = encap["content_type"].dotted
    if content_type != LDS_SECURITY_OBJECT_OID and content_type not in LEGACY_LDS_SECURITY_OBJECT_OIDS:
        raise SodError(f"eContentType {content_type} is not the LDS security object")
    if encap["content"].native is None:
        raise SodError("EF.SOD has no encapsulated content")
    econtent = encap["content"].contents
    lso = LDSSecurityObject.load(econtent, strict=True)
    hash_algorithm = lso["hash_algorithm"]["algorithm"].native
    if hash_algorithm not in _HASHES:
        raise SodError(f"LDS security object uses unsupported hash algorithm {hash_algorithm!r}")
    dg_hashes: dict[int, bytes] = {}
    for item in lso["data_group_hash_values"]:
        number = item["data_group_number"].native
        if not 1 <= number <= 16 or number in dg_hashes:
            raise SodError(f"LDS security object lists data group {number} out of range or twice")
        dg_hashes[number] = item["data_group_hash_value"].native
    version_info = lso["lds_version_info"]
    lso_version = lso["version"].native
    has_version_info = not isinstance(version_info, core.Void)
    if lso_version != (1 if has_version_info else 0):
        raise SodError(f"LDS security object version {lso_version} does not match its ldsVersionInfo")
    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        raise SodError(f"EF.SOD has {len(signer_infos)} signer infos, expected one")
    signer_info = signer_infos[0]
    certificates = tuple(
        _load_certificate(choice.chosen.dump())
        for choice in (signed_data["certificates"] or [])
        if choice.name == "certificate"
    )
    attrs = signer_info["signed_attrs"]
    signed_attributes = signed_content_type = message_digest = signing_time = None
    if not isinstance(attrs, core.Void):
        raw = attrs.dump()
        signed_attributes = bytes([_SET_TAG]) + raw[1:]
        for attribute in attrs:
            kind = attribute["type"]
            values = attribute["values"]
            if kind.native == "content_type":
                signed_content_type = values[0].dotted
            elif kind.native == "message_digest":
                message_digest = values[0].native
            elif kind.native == "signing_time":
                signing_time = values[0].native
    return ParsedSod(
        content_type=content_type,
        lso_version=lso_version,
        hash_algorithm=hash_algorithm,
        dg_hashes=dg_hashes,
        lds_version=version_info["lds_version"].native if has_version_info else None,
        unicode_version=version_info["unicode_version"].native if has_version_info else None,
        econtent=econtent,
        digest_algorithm=signer_info["digest_algorithm"]["algorithm"].native,
        signed_attributes=signed_attributes,
        signed_content_type=signed_content_type,
        message_digest=message_digest,
        signing_time=signing_time,
        signature_algorithm=signer_info["signature_algorithm"]["algorithm"].native,
        signature=signer_info["signature"].native,
        certificates=certificates,
        signer_certificate=_find_signer(signer_info["sid"], certificates),
    )


def _load_certificate(der: bytes) -> x509.Certificate:
    """Load an embedded certificate and touch the parts verification uses, so damage shows up here."""
    try:
        certificate = x509.load_der_x509_certificate(der)
        certificate.extensions  # noqa: B018 - parsed lazily; force it now
        certificate.public_key()
        certificate.not_valid_after_utc  # noqa: B018
    except (
        ValueError,
        TypeError,
        UnsupportedAlgorithm,
        x509.InvalidVersion,
        x509.DuplicateExtension,
        x509.UnsupportedGeneralNameType,
    ) as exc:
        raise SodError(f"EF.SOD embeds a certificate that cannot be used: {exc}") from exc
    return certificate


def _find_signer(
    sid: cms.SignerIdentifier, certificates: tuple[x509.Certificate, ...]
) -> x509.Certificate | None:
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                certificate.serial_number == wanted["serial_number"].native
                and certificate.issuer.public_bytes() == wanted["issuer"].dump()
            ):
                return certificate
        elif sid.name == "subject_key_identifier":
            try:
                ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                continue
            if ski == sid.chosen.native:
                return certificate
    return None
