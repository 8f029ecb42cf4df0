"""Forged chips the simulator can hand to a verifier, each of which must fail for its own reason.

The primitives edit a genuine `ChipImage` the way an attacker would (swap the portrait, edit DG1, inject a
data group, re-sign with their own or a stale key ...). `forge` ties each `Forgery` kind to the reason the
verifier must give, so personas and tests share one catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from simulator.identity.chip import aa
from simulator.identity.chip.errors import ForgeryError
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.issuance import assemble_chip, face_from_jpeg
from simulator.identity.chip.lds import (
    DG_TAGS,
    EF_COM_FID,
    EF_SOD_FID,
    build_dg1,
    build_dg2,
    build_dg11,
    build_ef_com,
    dg_fid,
    parse_dg1,
    parse_dg2,
    parse_ef_com,
)
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import (
    CountrySigningCA,
    DocumentSigner,
    create_csca,
    issue_crl,
    issue_document_signer,
    lookalike_csca,
)
from simulator.identity.chip.sod import hash_data, parse_sod
from simulator.identity.chip.verifier import Reason


class Forgery(StrEnum):
    """The attacks a forged chip can carry."""

    PORTRAIT_SWAP = "portrait_swap"
    DG1_EDITED = "dg1_edited"
    INJECTED_DATA_GROUP = "injected_data_group"
    UNTRUSTED_SIGNER = "untrusted_signer"
    EXPIRED_SIGNER = "expired_signer"
    REVOKED_SIGNER = "revoked_signer"
    FOREIGN_SIGNER = "foreign_signer"
    CORRUPT_SIGNATURE = "corrupt_signature"
    SOD_HASH_PATCHED = "sod_hash_patched"
    CLONED_CHIP = "cloned_chip"
    WRONG_ACCESS_KEY = "wrong_access_key"


#: The reason the verifier (or the reader, for BAC) must give for each forgery.
EXPECTED_REASON: dict[Forgery, Reason] = {
    Forgery.PORTRAIT_SWAP: Reason.DG_HASH_MISMATCH,
    Forgery.DG1_EDITED: Reason.DG_HASH_MISMATCH,
    Forgery.INJECTED_DATA_GROUP: Reason.DG_NOT_IN_SOD,
    Forgery.UNTRUSTED_SIGNER: Reason.UNTRUSTED_SIGNER,
    Forgery.EXPIRED_SIGNER: Reason.SIGNER_EXPIRED,
    Forgery.REVOKED_SIGNER: Reason.SIGNER_REVOKED,
    Forgery.FOREIGN_SIGNER: Reason.COUNTRY_MISMATCH,
    Forgery.CORRUPT_SIGNATURE: Reason.SOD_SIGNATURE_INVALID,
    Forgery.SOD_HASH_PATCHED: Reason.SOD_CONTENT_ALTERED,
    Forgery.CLONED_CHIP: Reason.ACTIVE_AUTHENTICATION_FAILED,
    Forgery.WRONG_ACCESS_KEY: Reason.BAC_FAILED,
}


def swap_portrait(image: ChipImage, portrait_jpeg: bytes) -> ChipImage:
    """Replace the DG2 face with another JPEG, leaving EF.SOD as it was."""
    old = image.data_group(2)
    sex_code = parse_dg2(old)[0].gender if old is not None else 0
    face = replace(face_from_jpeg(portrait_jpeg), gender=sex_code)
    return image.with_file(dg_fid(2), build_dg2(face))


def edit_dg1(image: ChipImage, mrz_lines: list[str]) -> ChipImage:
    """Rewrite DG1 with other MRZ lines, leaving EF.SOD and the BAC key as they were."""
    return image.with_file(dg_fid(1), build_dg1(mrz_lines))


def rename_holder(image: ChipImage, surname: str) -> ChipImage:
    """Edit the primary identifier in DG1's name field (a typical after-signing change)."""
    dg1 = image.data_group(1)
    if dg1 is None:
        raise ForgeryError("chip has no DG1 to edit")
    lines = parse_dg1(dg1)
    if len(lines) == 3:
        lines[2] = (surname + "<<" + lines[2].split("<<", 1)[-1])[:30].ljust(30, "<")
    else:
        width = len(lines[0])
        head, rest = lines[0][:5], lines[0][5:]
        lines[0] = (head + surname + "<<" + rest.split("<<", 1)[-1])[:width].ljust(width, "<")
    return edit_dg1(image, lines)


def inject_data_group(image: ChipImage, number: int, data: bytes) -> ChipImage:
    """Add a data group (listed in EF.COM so readers fetch it) that EF.SOD does not cover."""
    if data[:1] != bytes([DG_TAGS[number]]):
        raise ForgeryError(f"DG{number} content must start with tag {DG_TAGS[number]:02X}")
    com = parse_ef_com(image.ef_com) if image.ef_com is not None else None
    present = set(com.data_groups if com else image.data_groups()) | {number}
    lds = com.lds_version if com else "0108"
    return image.with_file(dg_fid(number), data).with_file(EF_COM_FID, build_ef_com(present, lds))


def resign(image: ChipImage, signer: DocumentSigner, *, signed_at: dt.datetime) -> ChipImage:
    """Recompute EF.SOD over the chip's current data groups and sign it with ``signer``."""
    current = parse_sod(image.ef_sod) if image.ef_sod is not None else None
    return assemble_chip(
        image.data_groups(),
        signer,
        bac_key_seed=image.bac_key_seed,
        signed_at=signed_at,
        lds_version=(current.lds_version if current and current.lds_version else "0108"),
        hash_algorithm=current.hash_algorithm if current else "sha256",
        aa_private_key=image.aa_private_key,
    )


def corrupt_sod_signature(image: ChipImage) -> ChipImage:
    """Flip one bit in the last byte of the EF.SOD signature value."""
    if image.ef_sod is None:
        raise ForgeryError("chip has no EF.SOD")
    signature = parse_sod(image.ef_sod).signature
    if image.ef_sod.count(signature) != 1:
        raise ForgeryError("signature bytes are not unique inside EF.SOD")
    altered = signature[:-1] + bytes([signature[-1] ^ 0x01])
    return image.with_file(EF_SOD_FID, image.ef_sod.replace(signature, altered))


def patch_sod_hash(image: ChipImage, number: int) -> ChipImage:
    """Write the hash of the chip's current DG ``number`` into EF.SOD without re-signing it.

    The DG hashes then match, but the signed messageDigest no longer matches the security object.
    """
    data = image.data_group(number)
    if image.ef_sod is None or data is None:
        raise ForgeryError(f"chip has no EF.SOD or no DG{number}")
    sod = parse_sod(image.ef_sod)
    old = sod.dg_hashes.get(number)
    if old is None or image.ef_sod.count(old) != 1:
        raise ForgeryError(f"DG{number} hash is not uniquely present in EF.SOD")
    new = hash_data(sod.hash_algorithm, data)
    return image.with_file(EF_SOD_FID, image.ef_sod.replace(old, new))


def clone(image: ChipImage) -> ChipImage:
    """Copy every file onto a blank chip: the AA private key cannot be copied, so the clone has its own."""
    if image.aa_private_key is None:
        raise ForgeryError("chip has no Active Authentication key; a clone of it cannot be told apart by AA")
    key = aa.new_key().private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return image.with_aa_key(key)


def wrong_access_key(key: MrzKey) -> MrzKey:
    """The same key with the document number's last character changed (a mistyped or wrong MRZ)."""
    last = key.document_number[-1]
    replacement = "1" if last != "1" else "2"
    return MrzKey(key.document_number[:-1] + replacement, key.date_of_birth, key.date_of_expiry)


@dataclass(frozen=True)
class AttackerKit:
    """Keys an attacker (or a careless issuer) brings: their own CSCA, a stale DSC, a foreign signer."""

    attacker_signer: DocumentSigner
    expired_signer: DocumentSigner
    revoked_signer: DocumentSigner
    revocations: x509.CertificateRevocationList
    foreign_csca: CountrySigningCA
    foreign_signer: DocumentSigner
    attacker_portrait: bytes

    @classmethod
    def create(
        cls,
        genuine_csca: CountrySigningCA,
        *,
        now: dt.datetime,
        attacker_portrait: bytes,
        foreign_state: str = "XTA",
    ) -> AttackerKit:
        """Build the kit relative to ``now``.

        The attacker CSCA copies the genuine CSCA's name with a key of its own; the stale DSC was issued
        by the genuine CSCA and expired a year before ``now``; the foreign CSCA (of ``foreign_state``)
        is meant to be trusted too, so only the country check can catch its signer. The revoked DSC is a
        genuine one listed on ``revocations``, a CRL of the genuine CSCA the verifier should load.
        """
        attacker_csca = lookalike_csca(genuine_csca, not_before=now - dt.timedelta(days=30))
        expired = issue_document_signer(
            genuine_csca, not_before=now - dt.timedelta(days=3 * 365), validity=dt.timedelta(days=2 * 365)
        )
        foreign = create_csca(foreign_state, not_before=now - dt.timedelta(days=30))
        revoked = issue_document_signer(genuine_csca, not_before=now - dt.timedelta(days=20))
        crl = issue_crl(genuine_csca, [revoked.certificate], this_update=now - dt.timedelta(days=1))
        return cls(
            attacker_signer=issue_document_signer(attacker_csca, not_before=now - dt.timedelta(days=1)),
            expired_signer=expired,
            revoked_signer=revoked,
            revocations=crl,
            foreign_csca=foreign,
            foreign_signer=issue_document_signer(foreign, not_before=now - dt.timedelta(days=1)),
            attacker_portrait=attacker_portrait,
        )


@dataclass(frozen=True)
class ForgedChip:
    """A forged chip image, the access key a reader will try, and the reason verification must give."""

    kind: Forgery
    image: ChipImage
    access_key: MrzKey
    expected_reason: Reason


def forge(
    kind: Forgery, genuine: ChipImage, key: MrzKey, kit: AttackerKit, *, now: dt.datetime
) -> ForgedChip:
    """Apply one forgery to a genuine chip (`CLONED_CHIP` needs a chip issued with Active Authentication)."""
    image = genuine
    access_key = key
    if kind is Forgery.PORTRAIT_SWAP:
        image = swap_portrait(genuine, kit.attacker_portrait)
    elif kind is Forgery.DG1_EDITED:
        image = rename_holder(genuine, "MALLORY")
    elif kind is Forgery.INJECTED_DATA_GROUP:
        image = inject_data_group(genuine, 11, build_dg11("MALLORY<<EVE"))
    elif kind is Forgery.UNTRUSTED_SIGNER:
        image = resign(swap_portrait(genuine, kit.attacker_portrait), kit.attacker_signer, signed_at=now)
    elif kind is Forgery.EXPIRED_SIGNER:
        signed_at = kit.expired_signer.certificate.not_valid_before_utc + dt.timedelta(days=1)
        image = resign(genuine, kit.expired_signer, signed_at=signed_at)
    elif kind is Forgery.REVOKED_SIGNER:
        image = resign(genuine, kit.revoked_signer, signed_at=now - dt.timedelta(days=5))
    elif kind is Forgery.FOREIGN_SIGNER:
        image = resign(genuine, kit.foreign_signer, signed_at=now)
    elif kind is Forgery.CORRUPT_SIGNATURE:
        image = corrupt_sod_signature(genuine)
    elif kind is Forgery.SOD_HASH_PATCHED:
        image = patch_sod_hash(rename_holder(genuine, "MALLORY"), 1)
    elif kind is Forgery.CLONED_CHIP:
        image = clone(genuine)
    elif kind is Forgery.WRONG_ACCESS_KEY:
        access_key = wrong_access_key(key)
    return ForgedChip(kind, image, access_key, EXPECTED_REASON[kind])

