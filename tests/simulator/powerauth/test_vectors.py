"""Every published PowerAuth vector, one test case each (ids name the file and the index).

A file in the vectors folder that no checker below maps fails ``test_every_vector_file_is_mapped``,
so a new file cannot be skipped silently.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.powerauth.activation_code import (
    decode_activation_code,
    sign_activation_code,
    verify_activation_signature,
)
from simulator.powerauth.counter import hash_counter_distance
from simulator.powerauth.ecies import (
    EciesContext,
    EciesDecryptor,
    EciesEncryptor,
    EciesRequest,
    EciesResponse,
    EncryptorId,
)
from simulator.powerauth.fingerprint import activation_fingerprint, public_key_x_minimal
from simulator.powerauth.kdf import aes_cbc_pkcs7_decrypt, aes_cbc_pkcs7_encrypt, hmac_sha256, x963_kdf_sha256
from simulator.powerauth.keys import (
    DerivedKeys,
    master_secret,
    private_key_from_bytes,
    public_key_from_bytes,
    public_key_to_bytes,
)
from simulator.powerauth.signature import SignatureFormat, SignatureKeys, compute_signature, verify_signature
from simulator.powerauth.status_blob import decrypt_status_blob, encrypt_status_blob, status_blob_iv

pytestmark = pytest.mark.vectors


def b64(value: str) -> bytes:
    return base64.b64decode(value)


def check_status_blob_data(v: dict[str, Any]) -> None:
    i, o = v["input"], v["output"]
    key, challenge, nonce = b64(i["transportKey"]), b64(i["challenge"]), b64(i["nonce"])
    blob = decrypt_status_blob(i["encryptedStatusBlob"], key, challenge, nonce)
    assert int(blob.status) == int(o["activationStatus"])
    assert blob.current_version == int(o["currentVersion"])
    assert blob.upgrade_version == int(o["upgradeVersion"])
    assert blob.failed_attempts == int(o["failedAttempts"])
    assert blob.max_failed_attempts == int(o["maxFailedAttempts"])
    assert blob.ctr_look_ahead == int(o["ctrLookAhead"])
    assert blob.ctr_byte == int(o["ctrByte"])
    assert blob.ctr_data_hash == b64(o["ctrDataHash"])
    distance = hash_counter_distance(key, b64(i["ctrData"]), blob.ctr_data_hash, blob.ctr_look_ahead)
    assert distance == int(o["counterDistance"])
    assert encrypt_status_blob(blob, key, challenge, nonce) == b64(i["encryptedStatusBlob"])


def check_status_blob_iv(v: dict[str, Any]) -> None:
    i = v["input"]
    iv = status_blob_iv(b64(i["transportKey"]), b64(i["challenge"]), b64(i["nonce"]))
    assert iv == b64(v["output"]["iv"])


def _check_derived(master: bytes, expected: dict[str, str]) -> None:
    keys = DerivedKeys.from_master_secret(master)
    assert keys.possession == b64(expected["signaturePossessionKey"])
    assert keys.knowledge == b64(expected["signatureKnowledgeKey"])
    assert keys.biometry == b64(expected["signatureBiometryKey"])
    assert keys.transport == b64(expected["transportKey"])
    assert keys.vault == b64(expected["vaultEncryptionKey"])


def check_derived_keys(v: dict[str, Any]) -> None:
    _check_derived(b64(v["input"]["masterSecretKey"]), v["output"])


def check_primitive_aes_kdf(v: dict[str, Any]) -> None:
    _check_derived(b64(v["masterSecretKey"]), v)


def check_master_secret(v: dict[str, Any]) -> None:
    i = v["input"]
    device_private = private_key_from_bytes(b64(i["devicePrivateKey"]))
    server_private = private_key_from_bytes(b64(i["serverPrivateKey"]))
    device_public = public_key_from_bytes(b64(i["devicePublicKey"]))
    server_public = public_key_from_bytes(b64(i["serverPublicKey"]))
    assert public_key_to_bytes(device_private.public_key()) == b64(i["devicePublicKey"])
    assert public_key_to_bytes(server_private.public_key()) == b64(i["serverPublicKey"])
    expected = b64(v["output"]["masterSecretKey"])
    assert master_secret(device_private, server_public) == expected
    assert master_secret(server_private, device_public) == expected


def check_e2ee(v: dict[str, Any]) -> None:
    context = EciesContext(
        version=v["protocolVersion"],
        encryptor_id=EncryptorId[v["encryptorId"]],
        application_key=v["applicationKey"],
        application_secret=v["applicationSecret"],
        activation_id=v.get("activationId"),
        transport_key=b64(v["transportKey"]) if "transportKey" in v else None,
        temporary_key_id=v.get("temporaryKeyId"),
    )
    assert context.scope.name + "_SCOPE" == v["encryptorScope"]
    assert context.shared_info2_base() == b64(v["sharedInfo2Base"])
    public_key_from_bytes(b64(v["serverPublicKey"]))
    envelope = b64(v["envelopeKey"])
    ephemeral = b64(v["requestEphemeralPublicKey"])
    nonce = b64(v["requestNonce"]) if "requestNonce" in v else None
    timestamp = int(v["timestampRequest"]) if "timestampRequest" in v else None

    # Client: the request encrypts to exactly the published bytes.
    encryptor = EciesEncryptor.with_envelope_key(context, envelope, ephemeral)
    request = encryptor.encrypt_request(v["requestData"].encode(), nonce=nonce, timestamp=timestamp)
    assert request.encrypted_data == b64(v["encryptedDataRequest"])
    assert request.mac == b64(v["requestMac"])

    # Server: the published request (as wire JSON) decrypts and the response matches.
    wire: dict[str, Any] = {
        "ephemeralPublicKey": v["requestEphemeralPublicKey"],
        "encryptedData": v["encryptedDataRequest"],
        "mac": v["requestMac"],
    }
    if nonce is not None:
        wire["nonce"] = v["requestNonce"]
    if timestamp is not None:
        wire["timestamp"] = timestamp
    if "temporaryKeyId" in v:
        wire["temporaryKeyId"] = v["temporaryKeyId"]
    decryptor = EciesDecryptor.with_envelope_key(context, envelope)
    assert (
        decryptor.decrypt_request(EciesRequest.from_json(wire, context.version)) == v["requestData"].encode()
    )
    response_nonce = b64(v["responseNonce"]) if "responseNonce" in v else None
    response_ts = int(v["timestampResponse"]) if "timestampResponse" in v else None
    response = decryptor.encrypt_response(
        v["responseData"].encode(), nonce=response_nonce, timestamp=response_ts
    )
    assert response.encrypted_data == b64(v["encryptedDataResponse"])
    assert response.mac == b64(v["responseMac"])

    # Client: the published response decrypts.
    parsed = EciesResponse.from_json(response.to_json(), context.version)
    assert encryptor.decrypt_response(parsed) == v["responseData"].encode()


def check_aes_cbc_pkcs7(v: dict[str, Any]) -> None:
    key, iv = bytes.fromhex(v["key"]), bytes.fromhex(v["iv"])
    plain, enc = bytes.fromhex(v["plain"]), bytes.fromhex(v["enc"])
    assert aes_cbc_pkcs7_encrypt(key, iv, plain) == enc
    assert aes_cbc_pkcs7_decrypt(key, iv, enc) == plain


def check_hmac(v: dict[str, Any]) -> None:
    expected = bytes.fromhex(v["hmac"])
    computed = hmac_sha256(bytes.fromhex(v["key"]), bytes.fromhex(v["data"]))
    assert computed[: len(expected)] == expected


def check_x963(v: dict[str, Any]) -> None:
    expected = bytes.fromhex(v["expected"])
    assert x963_kdf_sha256(bytes.fromhex(v["secret"]), bytes.fromhex(v["sinfo"]), len(expected)) == expected


def check_fingerprint(v: dict[str, Any]) -> None:
    i, o = v["input"], v["output"]
    device, server = b64(i["devicePublicKey"]), b64(i["serverPublicKey"])
    assert public_key_x_minimal(device) == b64(o["devicePublicKeyCoordX"])
    assert public_key_x_minimal(server) == b64(o["serverPublicKeyCoordX"])
    assert activation_fingerprint(device, o["activationId"], server) == o["fingerprint"]
    # The compressed forms give the same fingerprint.
    compressed = public_key_to_bytes(public_key_from_bytes(device), compressed=True)
    assert activation_fingerprint(compressed, o["activationId"], server) == o["fingerprint"]


def _check_signature(v: dict[str, Any], fmt: SignatureFormat) -> None:
    i = v["input"]
    keys = SignatureKeys(
        b64(i["signaturePossessionKey"]), b64(i["signatureKnowledgeKey"]), b64(i["signatureBiometryKey"])
    )
    length = int(i.get("signatureComponentLength", "8"))
    ctr, data, expected = b64(i["counterData"]), b64(i["data"]), v["output"]["signature"]
    assert compute_signature(keys, i["signatureType"], ctr, data, fmt, length) == expected
    match = verify_signature(expected, keys, i["signatureType"], ctr, data, fmt, look_ahead=1)
    assert match is not None and match.offset == 0


def check_signature_v3(v: dict[str, Any]) -> None:
    _check_signature(v, SignatureFormat.DECIMAL)


def check_signature_v31(v: dict[str, Any]) -> None:
    _check_signature(v, SignatureFormat.BASE64)


def check_activation_signature(v: dict[str, Any]) -> None:
    i = v["input"]
    code = i["activationCode"]
    decode_activation_code(code)
    master_private = private_key_from_bytes(b64(i["masterPrivateKey"]))
    master_public = public_key_from_bytes(b64(i["masterPublicKey"]))
    assert public_key_to_bytes(master_private.public_key()) == b64(i["masterPublicKey"])
    verify_activation_signature(code, v["output"]["activationSignature"], master_public)
    verify_activation_signature(code, sign_activation_code(code, master_private), master_public)


CHECKERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "activation-status-blob-data.json": check_status_blob_data,
    "activation-status-blob-iv.json": check_status_blob_iv,
    "compute-derived-keys.json": check_derived_keys,
    "compute-master-secret-key.json": check_master_secret,
    "e2ee_Activation_30.json": check_e2ee,
    "e2ee_Activation_31.json": check_e2ee,
    "e2ee_Activation_32.json": check_e2ee,
    "e2ee_Activation_33.json": check_e2ee,
    "e2ee_Application_30.json": check_e2ee,
    "e2ee_Application_31.json": check_e2ee,
    "e2ee_Application_32.json": check_e2ee,
    "e2ee_Application_33.json": check_e2ee,
    "primitive-aes-cbc-pkcs7.json": check_aes_cbc_pkcs7,
    "primitive-aes-kdf.json": check_primitive_aes_kdf,
    "primitive-hmac.json": check_hmac,
    "primitive-kdf-x963.json": check_x963,
    "public-key-fingerprint-v3.json": check_fingerprint,
    "signatures-offline.json": check_signature_v3,
    "signatures-v3.json": check_signature_v3,
    "signatures-v31.json": check_signature_v31,
    "verify-activation-data-signature-v3.json": check_activation_signature,
}


def test_vector(powerauth_vector: Any) -> None:
    """The named file's record at the given index passes its checker."""
    checker = CHECKERS.get(powerauth_vector.file)
    assert checker is not None, f"no checker maps vector file {powerauth_vector.file}"
    checker(powerauth_vector.record)


def test_every_vector_file_is_mapped(powerauth_vectors_dir: Path) -> None:
    """Each file in the folder has a checker, and each checker's file is present."""
    present = {path.name for path in powerauth_vectors_dir.glob("*.json")}
    assert present - CHECKERS.keys() == set(), "vector files without a checker"
    assert CHECKERS.keys() - present == set(), "checkers whose vector file is missing"


def test_vectors_are_not_trivially_few(powerauth_vectors_dir: Path) -> None:
    """Guard against an empty or truncated folder passing as success (1,247 published records)."""
    import json

    total = 0
    for path in powerauth_vectors_dir.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        total += sum(len(value) for value in document.values() if isinstance(value, list))
    assert total >= 1000
