"""``/pa/v3/activation/status``: a fresh challenge out, the encrypted status blob back.

The blob is decrypted with the transport key and the challenge/nonce IV, then compared with the
phone's counter; when the server is ahead (signatures the phone computed but never learnt the fate
of, or a clone used the same activation) the phone adopts the server's counter, as the SDK does.
"""

from __future__ import annotations

import os

from simulator.powerauth.codec import b64decode, b64encode
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.status_blob import CounterSync, decrypt_status_blob, synchronize_counter

from .errors import ServerResponseError, UnreadableStatusError
from .http import EnrollmentClient
from .models import ActivationStatusInfo
from .storage import ActivationData

PATH_STATUS = "/pa/v3/activation/status"
CHALLENGE_LENGTH = 16


def fetch_status(client: EnrollmentClient, activation: ActivationData) -> ActivationStatusInfo:
    """Ask, decrypt, resynchronise ``activation``'s counter in place; report what the blob says."""
    challenge = os.urandom(CHALLENGE_LENGTH)
    answer = client.post_object(
        PATH_STATUS, {"activationId": activation.activation_id, "challenge": b64encode(challenge)}
    )
    blob_text, nonce_text = answer.get("encryptedStatusBlob"), answer.get("nonce")
    if not isinstance(blob_text, str) or not isinstance(nonce_text, str):
        raise ServerResponseError("status answer lacks encryptedStatusBlob or nonce")
    try:
        nonce = b64decode(nonce_text, what="status nonce", length=16)
        blob = decrypt_status_blob(blob_text, activation.transport_key, challenge, nonce)
        sync = synchronize_counter(blob, activation.transport_key, activation.ctr_data, activation.ctr_byte)
    except PowerAuthError as exc:
        raise UnreadableStatusError(
            f"status blob rejected (unknown activation, or tampered answer): {exc}"
        ) from exc
    if sync.outcome is CounterSync.UPDATED:
        activation.ctr_data, activation.ctr_byte = sync.ctr_data, sync.ctr_byte
    custom = answer.get("customObject")
    return ActivationStatusInfo(
        activation_id=activation.activation_id,
        status=blob.status,
        failed_attempts=blob.failed_attempts,
        max_failed_attempts=blob.max_failed_attempts,
        current_version=blob.current_version,
        upgrade_version=blob.upgrade_version,
        counter=sync.outcome,
        custom_object=custom if isinstance(custom, dict) else None,
    )
