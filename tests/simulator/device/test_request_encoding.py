"""The fast paths that write large JSON bodies produce the very bytes ``json`` produces."""

from __future__ import annotations

import base64
import json
import os

import pytest

from simulator.device.powerauth_sdk.encryption import compact_envelope
from simulator.powerauth.ecies import dumps_compact


@pytest.mark.parametrize("photos", [0, 1, 3])
def test_the_sdks_compact_json_is_what_the_json_encoder_writes(photos: int) -> None:
    images = [os.urandom(1000 + 7 * i) for i in range(photos)]
    body = {"requestObject": {"processId": "p-1", "name": "Dvořák \"ř\" \\ \n",
                              "documents": [{"filename": f"f{i}.jpg",
                                             "data": base64.b64encode(image).decode("ascii")}
                                            for i, image in enumerate(images)],
                              "resubmit": False, "n": 1.5, "none": None, "note": "é" * 2000}}
    expected = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert dumps_compact(body) == expected


def test_other_objects_are_still_refused() -> None:
    with pytest.raises(TypeError):
        dumps_compact({"image": "QUJD" * 1000, "x": object()})


@pytest.mark.parametrize("payload", [
    {"ephemeralPublicKey": "QUJD", "encryptedData": base64.b64encode(os.urandom(5000)).decode(),
     "mac": "bWFj", "nonce": "bm9uY2U=", "timestamp": 1_700_000_000_000},
    {"temporaryKeyId": "k\u00e9y\"1", "ephemeralPublicKey": "QUJD", "encryptedData": "ZGF0YQ==",
     "mac": "bWFj"},
    {"encryptedData": "not \"base64\"", "mac": "a\\b"},
    {"encryptedData": "line\nbreak\ttab\x00", "mac": "bWFj\x1f"},
])
def test_the_encrypted_envelope_is_what_json_dumps_writes(payload: dict[str, object]) -> None:
    assert compact_envelope(payload) == json.dumps(payload, separators=(",", ":")).encode("utf-8")
