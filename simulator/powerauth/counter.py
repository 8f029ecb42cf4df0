"""The hash-based signature counter (``CTR_DATA``) and its status-blob fingerprint.

``next(c) = fold(SHA256(c))``. The client advances its counter after every signature; the server
advances to the matched counter's successor. ``ctrDataHash = KDF_INTERNAL(KEY_TRANSPORT_CTR, c)``
lets the client resynchronise without the server revealing ``CTR_DATA``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from simulator.powerauth.errors import CryptoError
from simulator.powerauth.kdf import fold, kdf, kdf_internal, sha256
from simulator.powerauth.keys import INDEX_TRANSPORT_CTR

CTR_DATA_LENGTH = 16


def new_ctr_data() -> bytes:
    """A fresh random 16-byte ``CTR_DATA``, created by the server at prepare/create."""
    return os.urandom(CTR_DATA_LENGTH)


def next_ctr_data(ctr_data: bytes) -> bytes:
    """``next(c) = fold(SHA256(c))``."""
    if len(ctr_data) != CTR_DATA_LENGTH:
        raise CryptoError(f"ctrData must be {CTR_DATA_LENGTH} bytes, got {len(ctr_data)}")
    return fold(sha256(ctr_data))


def iterate_ctr_data(ctr_data: bytes, count: int) -> Iterator[bytes]:
    """``c, next(c), next²(c) …``: ``count`` values starting with ``ctr_data`` itself."""
    current = ctr_data
    for _ in range(count):
        yield current
        current = next_ctr_data(current)


def ctr_data_hash(transport_key: bytes, ctr_data: bytes) -> bytes:
    """``KDF_INTERNAL(KDF(KEY_TRANSPORT, 4000), CTR_DATA)``, 16 bytes."""
    return kdf_internal(kdf(transport_key, INDEX_TRANSPORT_CTR), ctr_data)


def hash_counter_distance(
    transport_key: bytes, ctr_data: bytes, expected_hash: bytes, look_ahead: int
) -> int:
    """Steps (0 … look_ahead−1) after which ``ctr_data`` hashes to ``expected_hash``, or −1."""
    ctr_key = kdf(transport_key, INDEX_TRANSPORT_CTR)
    for distance, value in enumerate(iterate_ctr_data(ctr_data, look_ahead)):
        if kdf_internal(ctr_key, value) == expected_hash:
            return distance
    return -1
