"""PowerAuth online and offline signatures: data normalisation, computation and verification.

Component ``i`` (keys in factor order P, K, B): ``D = HMAC(K[i], ctr)``; for ``j < i``:
``D = HMAC(HMAC(K[j+1], ctr), D)``; ``C_i = HMAC(D, DATA)``. This is the reference code's
algorithm, which differs from the docs' pseudo-code; only this one passes the vectors.
3.1+ online signatures are ``B64(C_0[16:] ‖ C_1[16:] ‖ …)``; 3.0 and offline are decimal.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from urllib.parse import parse_qsl, quote

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.counter import CTR_DATA_LENGTH, next_ctr_data
from simulator.powerauth.errors import SignatureFormatError
from simulator.powerauth.fingerprint import decimalize
from simulator.powerauth.kdf import hmac_sha256
from simulator.powerauth.versions import ProtocolVersion, parse_version

OFFLINE_APP_SECRET = "offline"
ONLINE_COMPONENT_LENGTH = 8
DEFAULT_LOOK_AHEAD = 20
_DECIMAL_PATTERN = re.compile(r"[0-9]{4,8}(?:-[0-9]{4,8}){0,2}")


class Factor(StrEnum):
    """The three signature factors, in the order their keys are used."""

    POSSESSION = "possession"
    KNOWLEDGE = "knowledge"
    BIOMETRY = "biometry"


class SignatureType(StrEnum):
    """``pa_signature_type`` values (the server enum is the upper-case form)."""

    POSSESSION = "possession"
    KNOWLEDGE = "knowledge"
    BIOMETRY = "biometry"
    POSSESSION_KNOWLEDGE = "possession_knowledge"
    POSSESSION_BIOMETRY = "possession_biometry"
    POSSESSION_KNOWLEDGE_BIOMETRY = "possession_knowledge_biometry"

    @property
    def factors(self) -> tuple[Factor, ...]:
        """The factors, in key order."""
        return tuple(Factor(name) for name in self.value.split("_"))

    @classmethod
    def parse(cls, value: str) -> SignatureType:
        """Accept either case (``POSSESSION_KNOWLEDGE`` or ``possession_knowledge``)."""
        try:
            return cls(value.lower()) if isinstance(value, str) else cls(value)
        except ValueError as exc:
            raise SignatureFormatError(f"unknown signature type {value!r}") from exc


class SignatureFormat(Enum):
    """How components are rendered: 8-digit decimals (3.0, offline) or Base64 (3.1+)."""

    DECIMAL = "decimal"
    BASE64 = "base64"

    @classmethod
    def for_version(cls, version: ProtocolVersion | str) -> SignatureFormat:
        """``3.0`` → DECIMAL; ``3.1`` and later → BASE64."""
        ver = parse_version(version, SignatureFormatError)
        return cls.DECIMAL if ver.uses_decimal_signature else cls.BASE64


@dataclass(frozen=True, slots=True)
class SignatureKeys:
    """The activation's factor keys; knowledge and biometry may be absent on a device."""

    possession: bytes
    knowledge: bytes | None = None
    biometry: bytes | None = None

    def for_type(self, signature_type: SignatureType) -> list[bytes]:
        """The keys for ``signature_type`` in factor order; a missing key is an error."""
        keys = []
        for factor in signature_type.factors:
            key = getattr(self, factor.value)
            if key is None:
                raise SignatureFormatError(f"no {factor.value} key available for {signature_type} signature")
            keys.append(key)
        return keys


def _b64_text(value: bytes | str) -> str:
    return value if isinstance(value, str) else b64encode(value)


def normalize_get_query(params: Mapping[str, str] | Sequence[tuple[str, str]] | str) -> bytes:
    """Canonical GET "body": decode pairs, sort by key then value, URL-encode, join with ``&``."""
    pairs = (
        parse_qsl(params, keep_blank_values=True)
        if isinstance(params, str)
        else list(params.items() if isinstance(params, Mapping) else params)
    )
    encoded = sorted((k, v) for k, v in pairs)
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in encoded).encode("utf-8")


def request_data(method: str, uri_id: str, nonce: bytes | str, body: bytes) -> bytes:
    """``REQUEST_DATA = METHOD & B64(uriId) & nonceB64 & B64(body)`` (what the ES sends as ``data``)."""
    parts = [method.upper(), b64encode(uri_id.encode("utf-8")), _b64_text(nonce), b64encode(body)]
    return "&".join(parts).encode("ascii")


def signature_base_string(request_data_bytes: bytes, application_secret: str) -> bytes:
    """``DATA = REQUEST_DATA & APP_SECRET_B64`` (``offline`` as the secret for offline signatures)."""
    return request_data_bytes + b"&" + application_secret.encode("ascii")


def signature_data(
    method: str, uri_id: str, nonce: bytes | str, body: bytes, application_secret: str
) -> bytes:
    """The full signed string ``METHOD&B64(uriId)&nonce&B64(body)&APP_SECRET`` in one call."""
    return signature_base_string(request_data(method, uri_id, nonce, body), application_secret)


def signature_components(keys: Sequence[bytes], ctr_data: bytes, data: bytes) -> list[bytes]:
    """The 32-byte components ``C_i`` for the given factor keys."""
    if len(ctr_data) != CTR_DATA_LENGTH:
        raise SignatureFormatError(f"ctrData must be {CTR_DATA_LENGTH} bytes, got {len(ctr_data)}")
    if not 1 <= len(keys) <= 3:
        raise SignatureFormatError("a signature uses 1 to 3 factor keys")
    per_key = [hmac_sha256(key, ctr_data) for key in keys]
    components = []
    for i in range(len(keys)):
        derived = per_key[i]
        for j in range(i):
            derived = hmac_sha256(per_key[j + 1], derived)
        components.append(hmac_sha256(derived, data))
    return components


def format_signature(components: Sequence[bytes], fmt: SignatureFormat, component_length: int = 8) -> str:
    """Render components as Base64 of the last 16 bytes each, or as dash-joined decimals."""
    if fmt is SignatureFormat.BASE64:
        return b64encode(b"".join(component[16:] for component in components))
    if not 4 <= component_length <= 8:
        raise SignatureFormatError("decimal component length must be 4 to 8")
    return "-".join(decimalize(component, component_length) for component in components)


def compute_signature(
    keys: SignatureKeys,
    signature_type: SignatureType | str,
    ctr_data: bytes,
    data: bytes,
    fmt: SignatureFormat = SignatureFormat.BASE64,
    component_length: int = ONLINE_COMPONENT_LENGTH,
) -> str:
    """Sign ``data`` (the full base string with the app secret) with the factors of the type."""
    sig_type = SignatureType.parse(signature_type) if isinstance(signature_type, str) else signature_type
    components = signature_components(keys.for_type(sig_type), ctr_data, data)
    return format_signature(components, fmt, component_length)


def compute_offline_signature(
    keys: SignatureKeys,
    signature_type: SignatureType | str,
    ctr_data: bytes,
    data: bytes,
    component_length: int = ONLINE_COMPONENT_LENGTH,
) -> str:
    """Offline signature: always decimal, components of 4 to 8 digits."""
    return compute_signature(keys, signature_type, ctr_data, data, SignatureFormat.DECIMAL, component_length)


def check_signature_format(signature: str, signature_type: SignatureType, fmt: SignatureFormat) -> None:
    """Reject a signature whose shape cannot match the type and format (before any crypto)."""
    count = len(signature_type.factors)
    if not isinstance(signature, str):
        raise SignatureFormatError("signature must be a string")
    if fmt is SignatureFormat.DECIMAL:
        if not _DECIMAL_PATTERN.fullmatch(signature) or signature.count("-") + 1 != count:
            raise SignatureFormatError(f"decimal signature must have {count} dash-joined components")
        if len({len(part) for part in signature.split("-")}) != 1:
            raise SignatureFormatError("decimal signature components must have equal length")
        return
    b64decode(signature, what="signature", length=16 * count, error=SignatureFormatError)


@dataclass(frozen=True, slots=True)
class SignatureMatch:
    """A successful verification: which counter matched and what the server stores next."""

    offset: int
    matched_ctr_data: bytes
    next_ctr_data: bytes


def verify_signature(
    signature: str,
    keys: SignatureKeys,
    signature_type: SignatureType | str,
    ctr_data: bytes,
    data: bytes,
    fmt: SignatureFormat = SignatureFormat.BASE64,
    *,
    look_ahead: int = DEFAULT_LOOK_AHEAD,
    component_length: int | None = None,
) -> SignatureMatch | None:
    """Server check over ``ctr_data … next^(look_ahead-1)``; returns the match or None.

    The comparison is constant time per candidate. A malformed signature raises
    :class:`SignatureFormatError` instead of counting as a mismatch.
    """
    sig_type = SignatureType.parse(signature_type) if isinstance(signature_type, str) else signature_type
    check_signature_format(signature, sig_type, fmt)
    if fmt is SignatureFormat.DECIMAL and component_length is None:
        component_length = len(signature.split("-")[0])
    length = component_length or ONLINE_COMPONENT_LENGTH
    factor_keys = keys.for_type(sig_type)
    expected_bytes = signature.encode("ascii")
    candidate = ctr_data
    for offset in range(look_ahead):
        computed = format_signature(signature_components(factor_keys, candidate, data), fmt, length)
        following = next_ctr_data(candidate)
        if hmac.compare_digest(computed.encode("ascii"), expected_bytes):
            return SignatureMatch(offset, candidate, following)
        candidate = following
    return None
