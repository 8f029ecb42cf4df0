"""Active Authentication (Doc 9303-11 §6.1) with ECDSA P-256: DG14/DG15 content and the challenge signature.

Passive authentication proves the files are genuine, not the chip: a clone copies EF.SOD too. With AA the
chip signs a reader's random challenge with a private key that never leaves it; the public key sits in DG15,
itself covered by EF.SOD, so a copied chip without the key fails here.
"""

from __future__ import annotations

import hashlib

from asn1crypto import core
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from simulator.identity.chip.errors import LdsError, TlvError
from simulator.identity.chip.lds import DG_TAGS
from simulator.identity.chip.tlv import decode_one, encode_tlv

ACTIVE_AUTHENTICATION_OID = "2.23.136.1.1.5"
#: ecdsa-plain-SHA256 (BSI TR-03111): r || s over SHA-256 of the challenge.
ECDSA_PLAIN_SHA256_OID = "0.4.0.127.0.7.1.1.4.1.3"
CHALLENGE = 8
_COORDINATE = 32


class SecurityInfo(core.Sequence):
    """SecurityInfo ::= SEQUENCE { protocol OID, requiredData ANY, optionalData ANY OPTIONAL }."""

    _fields = [  # noqa: RUF012
        ("protocol", core.ObjectIdentifier),
        ("required_data", core.Any),
        ("optional_data", core.Any, {"optional": True}),
    ]


class SecurityInfos(core.SetOf):
    """SET OF SecurityInfo, the content of DG14."""

    _child_spec = SecurityInfo


def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 key for a chip."""
    return ec.generate_private_key(ec.SECP256R1())


def build_dg14() -> bytes:
    """DG14 announcing ECDSA Active Authentication (ActiveAuthenticationInfo, version 1)."""
    info = SecurityInfo(
        {
            "protocol": ACTIVE_AUTHENTICATION_OID,
            "required_data": core.Integer(1),
            "optional_data": core.ObjectIdentifier(ECDSA_PLAIN_SHA256_OID),
        }
    )
    return encode_tlv(DG_TAGS[14], SecurityInfos([info]).dump())


def parse_dg14_aa_algorithm(data: bytes) -> str | None:
    """The AA signature algorithm OID announced in DG14, or None when DG14 has no AA info."""
    try:
        item = decode_one(data)
        if item.tag != DG_TAGS[14]:
            raise LdsError(f"DG14 starts with tag {item.tag:X}")
        for info in SecurityInfos.load(item.value, strict=True):
            if info["protocol"].dotted == ACTIVE_AUTHENTICATION_OID:
                optional = info["optional_data"]
                if isinstance(optional, core.Void):
                    return None
                return core.ObjectIdentifier.load(optional.dump()).dotted
    except (TlvError, ValueError, TypeError, KeyError) as exc:
        raise LdsError(f"DG14 is malformed: {exc}") from exc
    return None


def build_dg15(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """DG15: the AA public key as a DER SubjectPublicKeyInfo."""
    return encode_tlv(DG_TAGS[15], _spki(public_key))


def parse_dg15(data: bytes) -> ec.EllipticCurvePublicKey:
    """The AA public key from DG15; `LdsError` when it is not an EC key."""
    try:
        item = decode_one(data)
    except TlvError as exc:
        raise LdsError(f"DG15 is not one BER-TLV object: {exc}") from exc
    if item.tag != DG_TAGS[15]:
        raise LdsError(f"DG15 starts with tag {item.tag:X}, expected 6F")
    try:
        key = serialization.load_der_public_key(item.value)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise LdsError(f"DG15 holds no readable public key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise LdsError(f"DG15 holds a {type(key).__name__}; only EC Active Authentication is supported")
    return key


def sign_challenge(private_key: ec.EllipticCurvePrivateKey, challenge: bytes) -> bytes:
    """The chip's answer to INTERNAL AUTHENTICATE: plain r || s over SHA-256(challenge)."""
    r, s = decode_dss_signature(private_key.sign(challenge, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(_COORDINATE, "big") + s.to_bytes(_COORDINATE, "big")


def verify_challenge(public_key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (plain r || s) signs ``challenge`` under ``public_key``."""
    if len(signature) != 2 * _COORDINATE:
        return False
    der = encode_dss_signature(
        int.from_bytes(signature[:_COORDINATE], "big"), int.from_bytes(signature[_COORDINATE:], "big")
    )
    try:
        public_key.verify(der, challenge, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def key_fingerprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """Short SHA-256 fingerprint of a public key, for logs and reports."""
    return hashlib.sha256(_spki(public_key)).hexdigest()[:16]


def _spki(public_key: ec.EllipticCurvePublicKey) -> bytes:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(serialization.Encoding.DER, spki)
