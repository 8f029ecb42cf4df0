"""Request objects of the REST methods around keys and secrets: keystore, ECIES decryptor,
signature verification, tokens and the vault (spec §8-§9 field names)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .schemas import EciesFields, _Wire

SHORT = Field(min_length=1, max_length=255)


class CreateTemporaryKeyRequest(_Wire):
    jwt: str = Field(min_length=1, max_length=8192)


class RemoveTemporaryKeyRequest(_Wire):
    id: str = SHORT


class EciesDecryptorRequest(_Wire):
    activationId: str | None = Field(default=None, max_length=64)
    applicationKey: str = SHORT
    temporaryKeyId: str | None = Field(default=None, max_length=255)
    ephemeralPublicKey: str = Field(min_length=1, max_length=512)
    nonce: str | None = Field(default=None, max_length=512)
    protocolVersion: str = Field(default="3.2", max_length=8)
    timestamp: int | None = None


class VerifySignatureRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    applicationKey: str = SHORT
    data: str = Field(min_length=1, max_length=1_000_000)
    signature: str = Field(min_length=1, max_length=512)
    signatureType: str = Field(min_length=1, max_length=64)
    signatureVersion: str = Field(default="3.1", max_length=8)
    forcedSignatureVersion: int | None = None


class CreateTokenRequest(EciesFields):
    activationId: str = Field(min_length=1, max_length=64)
    signatureType: str = Field(default="POSSESSION", max_length=64)


class ValidateTokenRequest(_Wire):
    tokenId: str = SHORT
    tokenDigest: str = Field(min_length=1, max_length=512)
    nonce: str = Field(min_length=1, max_length=512)
    timestamp: int
    protocolVersion: str = Field(default="3.2", max_length=8)


class RemoveTokenRequest(_Wire):
    tokenId: str = SHORT
    activationId: str | None = Field(default=None, max_length=64)


class VaultUnlockRequest(EciesFields):
    activationId: str = Field(min_length=1, max_length=64)
    signedData: str = Field(min_length=1, max_length=1_000_000)
    signature: str = Field(min_length=1, max_length=512)
    signatureType: str = Field(min_length=1, max_length=64)
    signatureVersion: str = Field(default="3.1", max_length=8)


class PersonalizedOfflineRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    data: str = Field(min_length=1, max_length=100_000)
    nonce: str | None = Field(default=None, max_length=64)


class NonPersonalizedOfflineRequest(_Wire):
    applicationId: str = SHORT
    data: str = Field(min_length=1, max_length=100_000)
    nonce: str | None = Field(default=None, max_length=64)


class VerifyOfflineSignatureRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    data: str = Field(min_length=1, max_length=1_000_000)
    signature: str = Field(min_length=1, max_length=64)
    biometryAllowed: bool = False


class VerifyEcdsaRequest(_Wire):
    activationId: str = Field(min_length=1, max_length=64)
    data: str = Field(min_length=1, max_length=1_000_000)
    signature: str = Field(min_length=1, max_length=512)
    signatureFormat: str = Field(default="DER", max_length=8)


class CallbackCreateRequest(_Wire):
    applicationId: str = SHORT
    name: str = SHORT
    type: Literal["ACTIVATION_STATUS_CHANGE", "OPERATION_STATUS_CHANGE"] = "ACTIVATION_STATUS_CHANGE"
    callbackUrl: str = Field(min_length=1, max_length=1024, pattern=r"^https?://")
    attributes: list[str] = Field(default_factory=list, max_length=20)


class CallbackUpdateRequest(_Wire):
    id: str = SHORT
    applicationId: str = SHORT
    name: str = SHORT
    callbackUrl: str = Field(min_length=1, max_length=1024, pattern=r"^https?://")
    attributes: list[str] = Field(default_factory=list, max_length=20)


class CallbackListRequest(_Wire):
    applicationId: str = SHORT


class CallbackRemoveRequest(_Wire):
    id: str = SHORT
