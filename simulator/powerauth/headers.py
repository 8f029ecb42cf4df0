"""``X-PowerAuth-Authorization``, ``X-PowerAuth-Token`` and ``X-PowerAuth-Encryption`` headers.

Format: ``PowerAuth key="value", key="value" …``. Parsing is lenient the way the server is (commas
optional, since the Android SDK omits them; whitespace tolerated; unquoted values accepted), but
anything that is not a ``key=value`` pair, or a missing or malformed required field, raises
:class:`HeaderParseError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.powerauth.activation_code import normalize_activation_id
from simulator.powerauth.codec import b64decode
from simulator.powerauth.errors import HeaderParseError, InvalidActivationIdError, SignatureFormatError
from simulator.powerauth.signature import SignatureType
from simulator.powerauth.versions import parse_version

AUTHORIZATION_HEADER = "X-PowerAuth-Authorization"
TOKEN_HEADER = "X-PowerAuth-Token"
ENCRYPTION_HEADER = "X-PowerAuth-Encryption"

_PREFIX = re.compile(r"\s*PowerAuth(?:\s+|$)")
_PAIR = re.compile(r'\s*,?\s*(\w+)\s*=\s*(?:"([^"]*)"|([^\s,"]+))\s*,?')
_DECIMAL_SIGNATURE = re.compile(r"[0-9]{8}(?:-[0-9]{8}){0,2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def parse_fields(value: str) -> dict[str, str]:
    """Split ``PowerAuth k="v", k2=v2 …`` into a dict; garbage raises :class:`HeaderParseError`."""
    if not isinstance(value, str):
        raise HeaderParseError("header value must be a string")
    prefix = _PREFIX.match(value)
    if prefix is None:
        raise HeaderParseError("header must start with 'PowerAuth '")
    fields: dict[str, str] = {}
    pos = prefix.end()
    while pos < len(value):
        match = _PAIR.match(value, pos)
        if match is None or match.end() == pos:
            if value[pos:].strip(" \t,") == "":
                break
            raise HeaderParseError(f"unparseable header text near {value[pos : pos + 20]!r}")
        key, quoted, bare = match.groups()
        if key in fields:
            raise HeaderParseError(f"header field {key!r} appears twice")
        fields[key] = quoted if quoted is not None else bare
        pos = match.end()
    return fields


def _format(fields: dict[str, str], *, commas: bool = True) -> str:
    separator = ", " if commas else " "
    return "PowerAuth " + separator.join(f'{key}="{value}"' for key, value in fields.items())


def _require(fields: dict[str, str], name: str) -> str:
    value = fields.get(name)
    if value is None or value == "":
        raise HeaderParseError(f"header field {name!r} is missing")
    return value


def _version(fields: dict[str, str], name: str) -> str:
    return parse_version(_require(fields, name), HeaderParseError).value


def _b64_16(fields: dict[str, str], name: str) -> str:
    value = _require(fields, name)
    b64decode(value, what=f"header field {name!r}", length=16, error=HeaderParseError)
    return value


def _activation_id(fields: dict[str, str], name: str) -> str:
    try:
        return normalize_activation_id(_require(fields, name))
    except InvalidActivationIdError as exc:
        raise HeaderParseError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class AuthorizationHeader:
    """``X-PowerAuth-Authorization``: a signed request's version, identities, nonce and signature."""

    version: str
    activation_id: str
    application_key: str
    nonce: str
    signature_type: SignatureType
    signature: str

    def format(self) -> str:
        """The header value in the SDK's layout."""
        return _format(
            {
                "pa_version": self.version,
                "pa_activation_id": self.activation_id,
                "pa_application_key": self.application_key,
                "pa_nonce": self.nonce,
                "pa_signature_type": self.signature_type.value,
                "pa_signature": self.signature,
            }
        )

    @classmethod
    def parse(cls, value: str) -> AuthorizationHeader:
        """Parse and validate every field as the server does."""
        fields = parse_fields(value)
        try:
            signature_type = SignatureType.parse(_require(fields, "pa_signature_type"))
        except SignatureFormatError as exc:
            raise HeaderParseError(str(exc)) from exc
        signature = _require(fields, "pa_signature")
        if not _DECIMAL_SIGNATURE.fullmatch(signature):
            if len(signature) not in (24, 44, 64):
                raise HeaderParseError("pa_signature is neither decimal nor Base64 of 16, 32 or 48 bytes")
            b64decode(signature, what="pa_signature", error=HeaderParseError)
        return cls(
            version=_version(fields, "pa_version"),
            activation_id=_activation_id(fields, "pa_activation_id"),
            application_key=_b64_16(fields, "pa_application_key"),
            nonce=_b64_16(fields, "pa_nonce"),
            signature_type=signature_type,
            signature=signature,
        )


@dataclass(frozen=True, slots=True)
class TokenHeader:
    """``X-PowerAuth-Token``: token id, digest, nonce and timestamp (ms, decimal text)."""

    version: str
    token_id: str
    token_digest: str
    nonce: str
    timestamp: str

    def format(self) -> str:
        """The header value in the SDK's layout."""
        return _format(
            {
                "version": self.version,
                "token_id": self.token_id,
                "token_digest": self.token_digest,
                "nonce": self.nonce,
                "timestamp": self.timestamp,
            }
        )

    @classmethod
    def parse(cls, value: str) -> TokenHeader:
        """Parse and validate: UUID token id, 32-byte digest, 16-byte nonce, decimal timestamp."""
        fields = parse_fields(value)
        token_id = _require(fields, "token_id")
        if not _UUID.fullmatch(token_id):
            raise HeaderParseError(f"token_id is not a UUID: {token_id!r}")
        digest = _require(fields, "token_digest")
        b64decode(digest, what="token_digest", length=32, error=HeaderParseError)
        timestamp = _require(fields, "timestamp")
        if not timestamp.isdigit():
            raise HeaderParseError("token timestamp must be decimal milliseconds")
        return cls(
            version=_version(fields, "version"),
            token_id=token_id,
            token_digest=digest,
            nonce=_b64_16(fields, "nonce"),
            timestamp=timestamp,
        )


@dataclass(frozen=True, slots=True)
class EncryptionHeader:
    """``X-PowerAuth-Encryption``: ECIES parameters for encrypted endpoints that are not signed."""

    version: str
    application_key: str
    activation_id: str | None = None

    def format(self, *, commas: bool = True) -> str:
        """The header value; ``commas=False`` gives the Android SDK's space-separated form."""
        fields = {"version": self.version, "application_key": self.application_key}
        if self.activation_id is not None:
            fields["activation_id"] = self.activation_id
        return _format(fields, commas=commas)

    @classmethod
    def parse(cls, value: str) -> EncryptionHeader:
        """Parse; ``activation_id`` is optional (present only for activation scope)."""
        fields = parse_fields(value)
        activation_id = _activation_id(fields, "activation_id") if "activation_id" in fields else None
        return cls(
            version=_version(fields, "version"),
            application_key=_b64_16(fields, "application_key"),
            activation_id=activation_id,
        )
