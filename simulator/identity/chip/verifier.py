"""Passive authentication (Doc 9303-11 §5.1) from raw chip files only, plus the Active Authentication
answer when the chip has DG15.

Every check runs and is reported by name, so a conformance report can show all that failed; the first
failure in check order is the headline reason. The check time is a parameter, so a virtual clock decides
whether a document signer has expired.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography import x509

from simulator.identity.chip import aa
from simulator.identity.chip.chip import RandomSource
from simulator.identity.chip.errors import (
    BacError,
    ChipStatusError,
    LdsError,
    PkiError,
    ReaderError,
    SecureMessagingError,
    SodError,
    TlvError,
)
from simulator.identity.chip.lds import parse_dg1, parse_dg2
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.pki import TrustList, alpha2_for_state, certificate_country
from simulator.identity.chip.reader import ChipRead, ChipReader, Transceive
from simulator.identity.chip.sod import ParsedSod, hash_data, parse_sod

MANDATORY_DATA_GROUPS = (1, 2)


class Reason(StrEnum):
    """Why passive authentication (or the read before it) failed."""

    BAC_FAILED = "bac_failed"
    CHIP_READ_FAILED = "chip_read_failed"
    SOD_MALFORMED = "sod_malformed"
    DG_MISSING = "dg_missing"
    DG_MALFORMED = "dg_malformed"
    DG_NOT_IN_SOD = "dg_not_in_sod"
    DG_HASH_MISMATCH = "dg_hash_mismatch"
    SOD_CONTENT_ALTERED = "sod_content_altered"
    SOD_SIGNATURE_INVALID = "sod_signature_invalid"
    UNTRUSTED_SIGNER = "untrusted_signer"
    SIGNER_REVOKED = "signer_revoked"
    SIGNER_EXPIRED = "signer_expired"
    SIGNER_NOT_YET_VALID = "signer_not_yet_valid"
    COUNTRY_MISMATCH = "country_mismatch"
    ACTIVE_AUTHENTICATION_FAILED = "active_authentication_failed"
    CHIP_PRINT_MISMATCH = "chip_print_mismatch"


@dataclass(frozen=True)
class Check:
    """One named check: passed or not, the reason and a human detail; DG numbers where relevant."""

    name: str
    passed: bool
    reason: Reason | None = None
    detail: str = ""
    data_groups: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "passed": self.passed,
            "reason": self.reason.value if self.reason else None,
            "detail": self.detail,
            "data_groups": list(self.data_groups),
        }


def _pass(name: str, detail: str = "") -> Check:
    return Check(name, True, None, detail)


def _fail(name: str, reason: Reason, detail: str, data_groups: Sequence[int] = ()) -> Check:
    return Check(name, False, reason, detail, tuple(data_groups))


@dataclass(frozen=True)
class PassiveAuthResult:
    """All checks in the order they ran; `ok` only when every one passed."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Whether the chip data is authentic."""
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """The failed checks."""
        return tuple(check for check in self.checks if not check.passed)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Reasons of the failed checks, in check order."""
        return tuple(check.reason for check in self.failures if check.reason is not None)

    @property
    def reason(self) -> Reason | None:
        """The headline reason: the first failure."""
        return self.reasons[0] if self.reasons else None

    def check(self, name: str) -> Check | None:
        """The check called ``name``, if it ran."""
        return next((check for check in self.checks if check.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "reason": self.reason.value if self.reason else None,
            "checks": [check.to_dict() for check in self.checks],
        }


def bac_failure(detail: str) -> PassiveAuthResult:
    """The result when the chip could not even be opened with the MRZ key."""
    return PassiveAuthResult((_fail("bac", Reason.BAC_FAILED, detail),))


def verify_passive(
    read: ChipRead,
    trust: TrustList,
    *,
    at: dt.datetime,
    printed_mrz: Sequence[str] | None = None,
) -> PassiveAuthResult:
    """Passive authentication of the files of ``read`` against ``trust`` at time ``at``."""
    if at.tzinfo is None:
        raise PkiError("the check time must be timezone-aware")
    try:
        sod = parse_sod(read.ef_sod)
    except SodError as exc:
        return PassiveAuthResult((_fail("sod_structure", Reason.SOD_MALFORMED, str(exc)),))
    checks = [
        _pass("sod_structure", f"LDS security object v{sod.lso_version}, {sod.hash_algorithm}"),
        _check_lds(read),
        _check_coverage(read, sod),
        _check_hashes(read, sod),
        _check_content_digest(sod),
        _check_signature(sod),
    ]
    chain, csca = _check_chain(sod, trust)
    checks += [chain, _check_validity(sod, csca, at), _check_country(read, sod)]
    if 15 in read.data_groups:
        checks.append(_check_active_authentication(read))
    if printed_mrz is not None:
        checks.append(_check_print(read, printed_mrz))
    return PassiveAuthResult(tuple(checks))


def _check_lds(read: ChipRead) -> Check:
    missing = [n for n in MANDATORY_DATA_GROUPS if n not in read.data_groups]
    if missing:
        return _fail("lds_structure", Reason.DG_MISSING, "mandatory data groups not read", missing)
    try:
        parse_dg1(read.data_groups[1])
    except LdsError as exc:
        return _fail("lds_structure", Reason.DG_MALFORMED, str(exc), [1])
    try:
        parse_dg2(read.data_groups[2])
    except LdsError as exc:
        return _fail("lds_structure", Reason.DG_MALFORMED, str(exc), [2])
    return _pass("lds_structure", "DG1 and DG2 parse")


def _check_coverage(read: ChipRead, sod: ParsedSod) -> Check:
    extra = sorted(set(read.data_groups) - set(sod.dg_hashes))
    if extra:
        names = ", ".join(f"DG{n}" for n in extra)
        return _fail("dg_coverage", Reason.DG_NOT_IN_SOD, f"{names} read but not covered by EF.SOD", extra)
    return _pass("dg_coverage", "every data group read is listed in EF.SOD")


def _check_hashes(read: ChipRead, sod: ParsedSod) -> Check:
    mismatched: list[int] = []
    for number, data in sorted(read.data_groups.items()):
        expected = sod.dg_hashes.get(number)
        if expected is not None and not hmac.compare_digest(hash_data(sod.hash_algorithm, data), expected):
            mismatched.append(number)
    if mismatched:
        names = ", ".join(f"DG{n}" for n in mismatched)
        return _fail("dg_hashes", Reason.DG_HASH_MISMATCH, f"{names}: hash differs from EF.SOD", mismatched)
    return _pass("dg_hashes", f"{len(read.data_groups)} data group hashes match")


def _check_content_digest(sod: ParsedSod) -> Check:
    if sod.signed_attributes is None or sod.message_digest is None:
        return _fail("sod_content_digest", Reason.SOD_CONTENT_ALTERED, "no signed messageDigest attribute")
    if sod.signed_content_type != sod.content_type:
        return _fail("sod_content_digest", Reason.SOD_CONTENT_ALTERED, "signed contentType differs")
    try:
        digest = hash_data(sod.digest_algorithm, sod.econtent)
    except SodError as exc:
        return _fail("sod_content_digest", Reason.SOD_CONTENT_ALTERED, str(exc))
    if not hmac.compare_digest(digest, sod.message_digest):
        return _fail("sod_content_digest", Reason.SOD_CONTENT_ALTERED, "messageDigest differs from eContent")
    return _pass("sod_content_digest", "messageDigest matches the security object")


def _check_signature(sod: ParsedSod) -> Check:
    if sod.signer_certificate is None:
        return _fail("sod_signature", Reason.SOD_SIGNATURE_INVALID, "EF.SOD carries no signer certificate")
    if not sod.signature_valid(sod.signer_certificate):
        return _fail("sod_signature", Reason.SOD_SIGNATURE_INVALID, "signature does not verify with the DSC")
    return _pass("sod_signature", f"{sod.signature_algorithm} signature verifies")


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _check_chain(sod: ParsedSod, trust: TrustList) -> tuple[Check, x509.Certificate | None]:
    dsc = sod.signer_certificate
    if dsc is None:
        return _fail("signer_chain", Reason.UNTRUSTED_SIGNER, "no document signer certificate"), None
    issuers = trust.issuers_of(dsc)
    if not issuers:
        detail = f"DSC issuer {dsc.issuer.rfc4514_string()} is not a trusted CSCA (or its signature fails)"
        return _fail("signer_chain", Reason.UNTRUSTED_SIGNER, detail), None
    if trust.is_revoked(dsc):
        detail = f"DSC serial {dsc.serial_number:X} is on the CRL of {dsc.issuer.rfc4514_string()}"
        return _fail("signer_chain", Reason.SIGNER_REVOKED, detail), issuers[0]
    usage = _key_usage(dsc)
    if usage is not None and not usage.digital_signature:
        return _fail("signer_chain", Reason.UNTRUSTED_SIGNER, "DSC key usage lacks digitalSignature"), None
    return _pass("signer_chain", f"DSC issued by {issuers[0].subject.rfc4514_string()}"), issuers[0]


def _check_validity(sod: ParsedSod, csca: x509.Certificate | None, at: dt.datetime) -> Check:
    certificates = [("DSC", sod.signer_certificate), ("CSCA", csca)]
    for label, certificate in certificates:
        if certificate is None:
            continue
        if at > certificate.not_valid_after_utc:
            detail = f"{label} expired {certificate.not_valid_after_utc:%Y-%m-%d %H:%M}Z"
            return _fail("signer_validity", Reason.SIGNER_EXPIRED, detail)
        if at < certificate.not_valid_before_utc:
            detail = f"{label} valid only from {certificate.not_valid_before_utc:%Y-%m-%d %H:%M}Z"
            return _fail("signer_validity", Reason.SIGNER_NOT_YET_VALID, detail)
    return _pass("signer_validity", f"valid at {at.isoformat()}")


def _check_country(read: ChipRead, sod: ParsedSod) -> Check:
    dsc = sod.signer_certificate
    dg1 = read.data_groups.get(1)
    if dsc is None or dg1 is None:
        return _fail("signer_country", Reason.COUNTRY_MISMATCH, "no DSC or no DG1 to compare")
    try:
        state = parse_dg1(dg1)[0][2:5]
        expected = alpha2_for_state(state)
    except (LdsError, PkiError) as exc:
        return _fail("signer_country", Reason.COUNTRY_MISMATCH, str(exc))
    signer_country = certificate_country(dsc, issuer=True)
    if signer_country != expected:
        detail = f"DG1 issuing state {state} ({expected}) but the signer is from {signer_country}"
        return _fail("signer_country", Reason.COUNTRY_MISMATCH, detail)
    return _pass("signer_country", f"signer country {expected} matches issuing state {state}")


def _check_active_authentication(read: ChipRead) -> Check:
    """DG15 present: the chip must have signed the reader's challenge with the key DG15 holds."""
    name = "active_authentication"
    try:
        public_key = aa.parse_dg15(read.data_groups[15])
    except LdsError as exc:
        return _fail(name, Reason.ACTIVE_AUTHENTICATION_FAILED, str(exc), [15])
    if read.aa_challenge is None or not read.aa_signature:
        return _fail(name, Reason.ACTIVE_AUTHENTICATION_FAILED, "chip gave no Active Authentication answer")
    if not aa.verify_challenge(public_key, read.aa_challenge, read.aa_signature):
        detail = f"challenge signature does not verify with the DG15 key {aa.key_fingerprint(public_key)}"
        return _fail(name, Reason.ACTIVE_AUTHENTICATION_FAILED, detail)
    return _pass(name, "chip signed the challenge with the DG15 key")


def _check_print(read: ChipRead, printed_mrz: Sequence[str]) -> Check:
    dg1 = read.data_groups.get(1)
    try:
        chip_lines = parse_dg1(dg1) if dg1 is not None else None
    except LdsError as exc:
        return _fail("chip_print", Reason.CHIP_PRINT_MISMATCH, str(exc), [1])
    if chip_lines != [line.strip() for line in printed_mrz]:
        return _fail("chip_print", Reason.CHIP_PRINT_MISMATCH, "DG1 MRZ differs from the printed MRZ", [1])
    return _pass("chip_print", "DG1 MRZ equals the printed MRZ")


def read_and_verify(
    transceive: Transceive,
    key: MrzKey,
    trust: TrustList,
    *,
    at: dt.datetime,
    printed_mrz: Sequence[str] | None = None,
    rng: RandomSource = os.urandom,
) -> tuple[PassiveAuthResult, ChipRead | None]:
    """Read the chip with ``key`` then verify it; a refused BAC or a broken read becomes a result."""
    try:
        read = ChipReader(transceive, rng=rng).read(key)
    except BacError as exc:
        return bac_failure(str(exc)), None
    except (ChipStatusError, SecureMessagingError, ReaderError, LdsError, TlvError) as exc:
        return PassiveAuthResult((_fail("chip_read", Reason.CHIP_READ_FAILED, str(exc)),)), None
    return verify_passive(read, trust, at=at, printed_mrz=printed_mrz), read
