"""PowerAuth Server activations: the CREATED → PENDING_COMMIT → ACTIVE ⇄ BLOCKED → REMOVED machine.

Records live in the store as JSON-able dicts:

* ``act:<activationId>`` - the activation (keys as Base64, timestamps as Unix seconds of the
  virtual clock);
* ``code:<activationCode>`` - claims a code while its activation is CREATED or PENDING_COMMIT, so
  codes stay unique among those states (released on commit and removal; an expired activation keeps
  its claim so that a late attempt is reported as expired).

Expiry is lazy, as on the real server: an activation still CREATED or PENDING_COMMIT after its
``timestampActivationExpire`` turns REMOVED the next time anyone reads it.

Every status change goes through one atomic update that also appends the history event
(:mod:`.history`); once stored, the application's callbacks are notified (:mod:`.callbacks`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mocks.framework import now, random_uuid, rng, store
from simulator.powerauth.activation import ActivationLayer2Request, ActivationLayer2Response
from simulator.powerauth.activation_code import encode_activation_code, sign_activation_code
from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.ecies import EncryptorId, dumps_compact, loads_json_object
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.fingerprint import activation_fingerprint
from simulator.powerauth.keys import (
    private_key_from_bytes,
    private_key_to_bytes,
    public_key_from_bytes,
    public_key_to_bytes,
)
from simulator.powerauth.status_blob import (
    ActivationStatus,
    build_status_blob,
    encrypt_status_blob,
)

from . import models
from .callbacks import notify_status_change
from .ecies_service import OpenedRequest, activation_keys, open_request
from .ecies_service import protocol_version as protocol_version_of
from .exceptions import (
    ActivationExpiredError,
    ActivationNotFoundError,
    ActivationOtpMismatchError,
    IncorrectActivationStateError,
    InvalidApplicationError,
    InvalidInputFormatError,
    InvalidRequestError,
    NoApplicationIdError,
    NoUserIdError,
)
from .history import note_status_change
from .keygen import seeded_bytes, seeded_private_key
from .settings import powerauth_settings

Record = dict[str, Any]

PENDING_STATES = ("CREATED", "PENDING_COMMIT")
CODE_ATTEMPTS = 10


def _now() -> float:
    return now().timestamp()


def iso(ts: float | None) -> str | None:
    """A stored Unix time as the ISO-8601 text the REST API speaks."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def _key(activation_id: str) -> str:
    return f"act:{activation_id}"


# --------------------------------------------------------------------------- reading and expiry


def _expire_if_due(record: Record) -> Record:
    """Lazy expiry: a pending activation past its deadline becomes REMOVED (and frees its code)."""
    if record["activationStatus"] in PENDING_STATES and _now() > record["timestampActivationExpire"]:
        def expire(current: Any) -> Any:
            if current is not None and current["activationStatus"] in PENDING_STATES:
                before = current["activationStatus"]
                current["activationStatus"] = "REMOVED"
                current["removedReason"] = "EXPIRED"
                current["timestampLastChange"] = _now()
                note_status_change(current, before, "ACTIVATION_EXPIRED", _now())
            return current

        # The code stays claimed, so presenting it later is told apart as expired (ERR0007).
        before = record["activationStatus"]
        record = store().update(_key(record["activationId"]), expire)
        if record is not None and record["activationStatus"] != before:
            notify_status_change(record)
    return record


def find(activation_id: str) -> Record | None:
    """The activation (after lazy expiry), or ``None``."""
    record = store().get(_key(activation_id))
    return _expire_if_due(record) if isinstance(record, dict) else None


def get(activation_id: str) -> Record:
    """The activation, or ERR0009."""
    record = find(activation_id)
    if record is None:
        raise ActivationNotFoundError(f"activation {activation_id!r} does not exist")
    return record


def all_activations() -> list[Record]:
    """Every activation of the session (expired ones already REMOVED), oldest first."""
    records = [_expire_if_due(r) for r in store().scan("act:").values() if isinstance(r, dict)]
    return sorted(records, key=lambda r: (r["timestampCreated"], r["activationId"]))


def _transition(activation_id: str, change: Any, reason: str | None = None) -> Record:
    """Apply ``change(record)`` atomically; it raises to refuse. Returns the stored record.

    A change of status is written to the activation's history with ``reason``.
    """
    get(activation_id)
    seen: dict[str, str] = {}

    def apply(current: Any) -> Any:
        if current is None:
            raise ActivationNotFoundError(f"activation {activation_id!r} does not exist")
        before = seen["before"] = current["activationStatus"]
        change(current)
        current["timestampLastChange"] = _now()
        note_status_change(current, before, reason, _now())
        return current

    updated = store().update(_key(activation_id), apply)
    if updated["activationStatus"] != seen["before"]:
        notify_status_change(updated)
    return updated


def require_state(record: Record, *states: str) -> None:
    """ERR0008 unless the activation is in one of ``states``."""
    if record["activationStatus"] not in states:
        raise IncorrectActivationStateError(
            f"activation is {record['activationStatus']}, expected {' or '.join(states)}"
        )


# --------------------------------------------------------------------------- init


def _claim_code(activation_id: str) -> str:
    """A fresh activation code claimed for ``activation_id`` (unique among pending activations)."""
    for _ in range(CODE_ATTEMPTS):
        code = encode_activation_code(rng("activation-codes").randbytes(10))
        if store().put_if_absent(f"code:{code}", activation_id):
            return code
    raise InvalidRequestError("unable to generate a unique activation code")


def init_activation(
    *,
    user_id: str | None,
    application_id: str | None,
    expire_at: datetime | None,
    max_failure_count: int | None,
    commit_phase: str | None,
    activation_otp: str | None,
) -> Record:
    """Create a CREATED activation with its code, code signature and server key pair."""
    if not user_id:
        raise NoUserIdError("userId is required")
    if not application_id:
        raise NoApplicationIdError("applicationId is required")
    application = models.get_application(application_id)
    created = _now()
    settings = powerauth_settings()
    expires = expire_at.timestamp() if expire_at is not None else created + settings.activation_validity
    if expires <= created:
        raise InvalidRequestError("timestampActivationExpire lies in the past")
    activation_id = random_uuid(rng("activation-ids"))
    code = _claim_code(activation_id)
    server_key = seeded_private_key("server-keys")
    phase = commit_phase or "ON_COMMIT"
    record: Record = {
        "activationId": activation_id,
        "applicationId": application_id,
        "userId": user_id,
        "activationCode": code,
        "activationSignature": sign_activation_code(code, models.master_private_key(application)),
        "activationStatus": "CREATED",
        "blockedReason": None,
        "commitPhase": phase,
        "activationOtpValidation": "NONE" if activation_otp is None else phase,
        "activationOtp": activation_otp,
        "serverPrivateKey": b64encode(private_key_to_bytes(server_key)),
        "serverPublicKey": b64encode(public_key_to_bytes(server_key.public_key())),
        "devicePublicKey": None,
        "devicePublicKeyFingerprint": None,
        "ctrData": None,
        "counter": 0,
        "failedAttempts": 0,
        "maxFailedAttempts": max_failure_count or settings.max_failed_attempts,
        "activationName": None,
        "platform": None,
        "deviceInfo": None,
        "extras": None,
        "externalId": None,
        "version": None,
        "activationFlags": [],
        "timestampCreated": created,
        "timestampLastUsed": created,
        "timestampLastChange": created,
        "timestampActivationExpire": expires,
        "history": [],
    }
    note_status_change(record, None, None, created)
    store().put(_key(activation_id), record)
    return record


# --------------------------------------------------------------------------- prepare


def open_layer2(
    ecies_fields: Record, protocol_version: str | None
) -> tuple[OpenedRequest, ActivationLayer2Request]:
    """Decrypt the layer-2 request (sh1 ``/pa/activation``, master or temporary key)."""
    version = protocol_version_of(protocol_version)
    opened = open_request(ecies_fields, version=version, encryptor_id=EncryptorId.ACTIVATION_LAYER_2,
                          application_key=ecies_fields["applicationKey"])
    try:
        layer2 = ActivationLayer2Request.from_json(loads_json_object(opened.plaintext, "layer-2 request"))
    except PowerAuthError as exc:
        raise InvalidInputFormatError(f"invalid layer-2 payload: {exc}") from None
    return opened, layer2


def bind_device(
    record: Record, opened: OpenedRequest, layer2: ActivationLayer2Request, *, activate: bool
) -> tuple[Record, Record]:
    """CREATED → PENDING_COMMIT (or ACTIVE): store the device key and answer layer 2.

    ``record`` is the activation as the caller just read it (its server key pair is fixed at init;
    the state is checked again in the atomic update).  Returns the updated activation and the
    encrypted layer-2 response fields.
    """
    activation_id = record["activationId"]
    server_key = private_key_from_bytes(b64decode(record["serverPrivateKey"]))
    server_public = server_key.public_key()
    device_key = public_key_from_bytes(layer2.device_public_key)
    ctr_data = seeded_bytes("ctr-data", 16)
    version = opened.decryptor.context.version

    def bind(current: Record) -> None:
        require_state(current, "CREATED")
        current.update({
            "activationStatus": "ACTIVE" if activate else "PENDING_COMMIT",
            "devicePublicKey": b64encode(public_key_to_bytes(device_key)),
            "devicePublicKeyFingerprint": activation_fingerprint(device_key, activation_id, server_public),
            "ctrData": b64encode(ctr_data),
            "activationName": layer2.activation_name,
            "platform": (layer2.platform or "unknown").lower(),
            "deviceInfo": layer2.device_info,
            "extras": layer2.extras,
            "externalId": layer2.external_id,
            "version": 3,
            "protocolVersion": version.value,
            "failedAttempts": 0,
        })

    updated = _transition(activation_id, bind)
    if activate:
        store().delete(f"code:{updated['activationCode']}")
    plain = ActivationLayer2Response(activation_id, public_key_to_bytes(server_public), ctr_data)
    return updated, opened.respond(dumps_compact(plain.to_json()))


def prepare_activation(
    activation_code: str, ecies_fields: Record, protocol_version: str | None
) -> tuple[Record, Record]:
    """Decrypt layer 2, bind the device key to the activation waiting for the code, answer layer 2.

    Returns the updated activation and the encrypted layer-2 response fields.
    """
    opened, layer2 = open_layer2(ecies_fields, protocol_version)
    activation_id = store().get(f"code:{activation_code}")
    record = find(activation_id) if isinstance(activation_id, str) else None
    if record is None or record["activationCode"] != activation_code:
        raise ActivationNotFoundError("no activation waits for this activation code")
    if record.get("removedReason") == "EXPIRED":
        raise ActivationExpiredError("the activation code has expired")
    require_state(record, "CREATED")
    if record["applicationId"] != opened.application["applicationId"]:
        raise InvalidApplicationError("the activation belongs to another application")
    expected_otp = record["activationOtp"] if record["commitPhase"] == "ON_KEY_EXCHANGE" else None
    if expected_otp is not None and layer2.activation_otp != expected_otp:
        _count_otp_failure(record["activationId"])
        raise ActivationOtpMismatchError("activation OTP does not match")
    return bind_device(record, opened, layer2,
                       activate=record["commitPhase"] == "ON_KEY_EXCHANGE")


def create_activation(
    *,
    user_id: str,
    application_id: str | None,
    ecies_fields: Record,
    protocol_version: str | None,
    max_failure_count: int | None = None,
    expire_at: datetime | None = None,
    activation_otp: str | None = None,
) -> tuple[Record, Record]:
    """Direct activation for a known user (REST ``activation/create``, custom activations).

    Layer 2 is decrypted first, so a request that does not decrypt leaves no activation behind.
    The activation ends PENDING_COMMIT; returns it and the encrypted layer-2 response fields.
    """
    opened, layer2 = open_layer2(ecies_fields, protocol_version)
    application_id = application_id or opened.application["applicationId"]
    if application_id != opened.application["applicationId"]:
        raise InvalidApplicationError("the application key belongs to another application")
    record = init_activation(user_id=user_id, application_id=application_id, expire_at=expire_at,
                             max_failure_count=max_failure_count, commit_phase="ON_COMMIT",
                             activation_otp=activation_otp)
    return bind_device(record, opened, layer2, activate=False)


def _count_otp_failure(activation_id: str) -> Record:
    """A wrong activation OTP counts; at the limit the activation is REMOVED."""
    def fail(current: Record) -> None:
        current["failedAttempts"] += 1
        if current["failedAttempts"] >= current["maxFailedAttempts"]:
            current["activationStatus"] = "REMOVED"

    record = _transition(activation_id, fail, "ACTIVATION_OTP_MAX_FAILED_ATTEMPTS")
    if record["activationStatus"] == "REMOVED":
        store().delete(f"code:{record['activationCode']}")
    return record


# --------------------------------------------------------------------------- lifecycle


def commit_activation(activation_id: str, activation_otp: str | None) -> Record:
    """PENDING_COMMIT → ACTIVE, checking the activation OTP when one was set for ON_COMMIT."""
    record = get(activation_id)
    if record.get("removedReason") == "EXPIRED":
        raise ActivationExpiredError("the activation has expired")
    require_state(record, "PENDING_COMMIT")
    expected = record["activationOtp"] if record["commitPhase"] == "ON_COMMIT" else None
    if expected is not None and activation_otp != expected:
        _count_otp_failure(activation_id)
        raise ActivationOtpMismatchError("activation OTP does not match")

    def activate(current: Record) -> None:
        require_state(current, "PENDING_COMMIT")
        current["activationStatus"] = "ACTIVE"

    updated = _transition(activation_id, activate)
    store().delete(f"code:{updated['activationCode']}")
    return updated


def update_otp(activation_id: str, activation_otp: str) -> Record:
    """Replace the activation OTP while the activation waits for its commit."""
    def change(current: Record) -> None:
        require_state(current, *PENDING_STATES)
        current["activationOtp"] = activation_otp
        current["activationOtpValidation"] = current["commitPhase"]
        current["failedAttempts"] = 0

    return _transition(activation_id, change)


def remove_activation(activation_id: str) -> Record:
    """Any state → REMOVED (irreversible)."""
    def remove(current: Record) -> None:
        current["activationStatus"] = "REMOVED"

    updated = _transition(activation_id, remove)
    store().delete(f"code:{updated['activationCode']}")
    return updated


def block_activation(activation_id: str, reason: str | None) -> Record:
    """ACTIVE → BLOCKED with a reason (``NOT_SPECIFIED`` by default)."""
    def block(current: Record) -> None:
        require_state(current, "ACTIVE")
        current["activationStatus"] = "BLOCKED"
        current["blockedReason"] = reason or "NOT_SPECIFIED"

    return _transition(activation_id, block, reason or "NOT_SPECIFIED")


def unblock_activation(activation_id: str) -> Record:
    """BLOCKED → ACTIVE, failed attempts reset."""
    def unblock(current: Record) -> None:
        require_state(current, "BLOCKED")
        current["activationStatus"] = "ACTIVE"
        current["blockedReason"] = None
        current["failedAttempts"] = 0

    return _transition(activation_id, unblock)


def rename_activation(activation_id: str, name: str) -> Record:
    """Set the activation's display name (any state but REMOVED)."""
    def rename(current: Record) -> None:
        require_state(current, "CREATED", "PENDING_COMMIT", "ACTIVE", "BLOCKED")
        current["activationName"] = name

    return _transition(activation_id, rename)


def force_status(activation_id: str, status: str) -> Record:
    """``activation/status/update``: set a status by administrative decision (no lifecycle rules)."""
    def force(current: Record) -> None:
        current["activationStatus"] = status
        if status != "BLOCKED":
            current["blockedReason"] = None

    record = _transition(activation_id, force, "ADMINISTRATIVE")
    if status == "REMOVED":
        store().delete(f"code:{record['activationCode']}")
    return record


def change_flags(activation_id: str, flags: list[str], mode: str) -> Record:
    """Add (``create``), replace (``update``) or drop (``remove``) activation flags."""
    def apply(current: Record) -> None:
        existing: list[str] = current["activationFlags"]
        if mode == "create":
            current["activationFlags"] = existing + [f for f in dict.fromkeys(flags) if f not in existing]
        elif mode == "update":
            current["activationFlags"] = list(dict.fromkeys(flags))
        else:
            current["activationFlags"] = [f for f in existing if f not in flags]

    return _transition(activation_id, apply)


# --------------------------------------------------------------------------- status


def encrypted_status_blob(record: Record | None, challenge: bytes | None) -> tuple[str, str | None]:
    """(encryptedStatusBlob, encryptedStatusBlobNonce); random bytes when no device key is bound."""
    nonce = seeded_bytes("status-nonces", 16) if challenge is not None else None
    if record is None or record["devicePublicKey"] is None:
        noise = seeded_bytes("status-nonces", 32)
        return b64encode(noise), (b64encode(nonce) if nonce is not None else None)
    keys = activation_keys(record)
    blob = build_status_blob(
        status=ActivationStatus[record["activationStatus"]],
        transport_key=keys.transport,
        ctr_data=b64decode(record["ctrData"]),
        ctr=record["counter"],
        failed_attempts=min(record["failedAttempts"], 255),
        max_failed_attempts=min(record["maxFailedAttempts"], 255),
        ctr_look_ahead=powerauth_settings().signature_lookahead,
    )
    encrypted = encrypt_status_blob(blob, keys.transport, challenge, nonce)
    return b64encode(encrypted), (b64encode(nonce) if nonce is not None else None)


def status_check(activation_id: str, challenge: bytes | None) -> tuple[Record | None, str, str | None]:
    """(activation or None, encryptedStatusBlob, nonce) for a status request.

    A device asking with a challenge counts as using its activation: ``timestampLastUsed`` moves.
    """
    record = find(activation_id)
    if record is not None and challenge is not None and record["devicePublicKey"] is not None:
        def touch(current: Any) -> Any:
            if current is not None:
                current["timestampLastUsed"] = _now()
            return current

        record = store().update(_key(activation_id), touch)
    blob, nonce = encrypted_status_blob(record, challenge)
    return record, blob, nonce


def fingerprint_of(record: Record) -> str | None:
    """The 8-digit fingerprint the front-end shows, once the device key is known."""
    if record["devicePublicKey"] is None:
        return None
    return activation_fingerprint(
        public_key_from_bytes(b64decode(record["devicePublicKey"])),
        record["activationId"],
        public_key_from_bytes(b64decode(record["serverPublicKey"])),
    )
