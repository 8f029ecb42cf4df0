"""Basic Access Control (Doc 9303-11 §4.3): key seed, mutual authentication and session keys.

The functions are pure — randomness is passed in — so both the virtual chip and the reader use the same
code and the Appendix D worked example can be replayed byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from simulator.identity.chip.errors import BacError
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.tdes import (
    ENC_COUNTER,
    MAC_COUNTER,
    derive_key,
    retail_mac,
    tdes_decrypt,
    tdes_encrypt,
)

NONCE = 8
KEY_MATERIAL = 16
CRYPTOGRAM = 2 * NONCE + KEY_MATERIAL  # 32 bytes, then an 8-byte MAC


def key_seed(mrz_information: str) -> bytes:
    """K_seed: the first 16 bytes of SHA-1 over the MRZ information."""
    return hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]


@dataclass(frozen=True)
class KeyPair:
    """A two-key 3DES encryption key and retail-MAC key."""

    enc: bytes
    mac: bytes

    @classmethod
    def from_seed(cls, seed: bytes) -> KeyPair:
        """KDF(seed, 1) and KDF(seed, 2)."""
        return cls(derive_key(seed, ENC_COUNTER), derive_key(seed, MAC_COUNTER))

    @classmethod
    def from_mrz_key(cls, key: MrzKey) -> KeyPair:
        """The document basic access keys from the MRZ fields."""
        return cls.from_seed(key_seed(key.information()))


@dataclass(frozen=True)
class Session:
    """Session keys and the initial send-sequence counter after mutual authentication."""

    keys: KeyPair
    ssc: int


def seal(keys: KeyPair, plaintext: bytes) -> bytes:
    """Encrypt 32 bytes with K_enc (IV 0) and append their retail MAC with K_mac: E || M."""
    cryptogram = tdes_encrypt(keys.enc, plaintext)
    return cryptogram + retail_mac(keys.mac, cryptogram)


def open_sealed(keys: KeyPair, data: bytes) -> bytes:
    """Check the MAC of E || M and decrypt E; `BacError` on a wrong size or a MAC mismatch."""
    if len(data) != CRYPTOGRAM + NONCE:
        raise BacError(f"mutual authentication data has {len(data)} bytes, expected {CRYPTOGRAM + NONCE}")
    cryptogram, mac = data[:CRYPTOGRAM], data[CRYPTOGRAM:]
    if not hmac.compare_digest(retail_mac(keys.mac, cryptogram), mac):
        raise BacError("mutual authentication MAC does not verify (wrong access key?)")
    return tdes_decrypt(keys.enc, cryptogram)


def session_from(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> Session:
    """K_seed' = K.IFD xor K.IC -> KS_enc, KS_mac; SSC = last 4 bytes of RND.IC || of RND.IFD."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    return Session(KeyPair.from_seed(seed), int.from_bytes(rnd_ic[-4:] + rnd_ifd[-4:], "big"))


def terminal_command(keys: KeyPair, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes) -> bytes:
    """EXTERNAL AUTHENTICATE data: E.IFD || M.IFD over S = RND.IFD || RND.IC || K.IFD."""
    _check_sizes(rnd_ic, rnd_ifd, k_ifd)
    return seal(keys, rnd_ifd + rnd_ic + k_ifd)


def chip_response(keys: KeyPair, command: bytes, rnd_ic: bytes, k_ic: bytes) -> tuple[bytes, Session]:
    """The chip's side: verify the terminal's cryptogram, check its own RND.IC, answer E.IC || M.IC."""
    plain = open_sealed(keys, command)
    rnd_ifd, echoed, k_ifd = plain[:NONCE], plain[NONCE : 2 * NONCE], plain[2 * NONCE :]
    if not hmac.compare_digest(echoed, rnd_ic):
        raise BacError("terminal cryptogram does not carry the chip's challenge")
    _check_sizes(rnd_ic, rnd_ifd, k_ic)
    return seal(keys, rnd_ic + rnd_ifd + k_ic), session_from(k_ifd, k_ic, rnd_ic, rnd_ifd)


def terminal_finish(keys: KeyPair, response: bytes, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes) -> Session:
    """The terminal's side: verify the chip's cryptogram and the echoed nonces, derive the session."""
    plain = open_sealed(keys, response)
    if not hmac.compare_digest(plain[:NONCE], rnd_ic) or not hmac.compare_digest(
        plain[NONCE : 2 * NONCE], rnd_ifd
    ):
        raise BacError("chip cryptogram does not echo this session's nonces (replayed response?)")
    return session_from(k_ifd, plain[2 * NONCE :], rnd_ic, rnd_ifd)


def _check_sizes(rnd_ic: bytes, rnd_ifd: bytes, key_material: bytes) -> None:
    if len(rnd_ic) != NONCE or len(rnd_ifd) != NONCE or len(key_material) != KEY_MATERIAL:
        raise BacError("BAC nonces have 8 bytes and key material 16 bytes")
