"""P-256 key handling and the PowerAuth v3 key schedule.

Why the conversions: the Java server emits uncompressed SEC1 points and stores private keys as
``BigInteger.toByteArray()`` (two's complement, sometimes 33 bytes with a sign byte, sometimes fewer
than 32), while the mobile SDK emits compressed points. Both sides must accept every form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.powerauth.errors import InvalidKeyError
from simulator.powerauth.kdf import fold, kdf_many

CURVE = ec.SECP256R1()
#: Order of the P-256 group.
CURVE_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

# KDF indexes of the derived keys (crypto PowerAuthDerivedKey).
INDEX_POSSESSION = 1
INDEX_KNOWLEDGE = 2
INDEX_BIOMETRY = 3
INDEX_TRANSPORT = 1000
INDEX_VAULT = 2000
INDEX_TRANSPORT_IV = 3000
INDEX_TRANSPORT_CTR = 4000


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A fresh random P-256 private key."""
    return ec.generate_private_key(CURVE)


def public_key_from_bytes(data: bytes) -> ec.EllipticCurvePublicKey:
    """Load a SEC1 point, compressed (33 B) or uncompressed (65 B); anything else is rejected."""
    if not isinstance(data, bytes | bytearray):
        raise InvalidKeyError(f"public key must be bytes, got {type(data).__name__}")
    if len(data) not in (33, 65) or data[0] not in ((0x02, 0x03) if len(data) == 33 else (0x04,)):
        raise InvalidKeyError(f"not a SEC1 P-256 point encoding ({len(data)} bytes)")
    return _point(bytes(data))


@lru_cache(maxsize=1024)
def _point(data: bytes) -> ec.EllipticCurvePublicKey:
    """The key object of an encoding, kept by its bytes: the same server, master or temporary key
    is loaded for every ECIES request and signature check (a compressed point costs a square root),
    and key objects are immutable.  A refused encoding raises and is not kept."""
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVE, data)
    except ValueError as exc:
        raise InvalidKeyError("public key is not a point on P-256") from exc


def public_key_to_bytes(key: ec.EllipticCurvePublicKey, *, compressed: bool = False) -> bytes:
    """SEC1 encoding: uncompressed (server style, 65 B) or compressed (SDK style, 33 B)."""
    fmt = (
        serialization.PublicFormat.CompressedPoint
        if compressed
        else serialization.PublicFormat.UncompressedPoint
    )
    return key.public_bytes(serialization.Encoding.X962, fmt)


def private_key_from_bytes(data: bytes) -> ec.EllipticCurvePrivateKey:
    """Load a private scalar from big-endian bytes, Java ``BigInteger`` style (sign byte or short)."""
    if not isinstance(data, bytes | bytearray) or not 1 <= len(data) <= 33:
        raise InvalidKeyError("private key must be 1 to 33 big-endian bytes")
    if len(data) == 33 and data[0] != 0:
        raise InvalidKeyError("33-byte private key must start with a 0x00 sign byte")
    value = int.from_bytes(data, "big")
    if not 0 < value < CURVE_ORDER:
        raise InvalidKeyError("private key scalar is out of the P-256 range")
    return _derived_private_key(value)


@lru_cache(maxsize=1024)
def _derived_private_key(value: int) -> ec.EllipticCurvePrivateKey:
    """The key object of a scalar (its public point costs a scalar multiplication): servers load the
    same stored keys on every request. Key objects are immutable, so sharing them is safe."""
    return ec.derive_private_key(value, CURVE)


def private_key_to_bytes(key: ec.EllipticCurvePrivateKey, *, java_style: bool = False) -> bytes:
    """Private scalar as 32 unsigned bytes, or as Java ``BigInteger.toByteArray()`` when asked."""
    value = key.private_numbers().private_value
    if java_style:
        return value.to_bytes(value.bit_length() // 8 + 1, "big")
    return value.to_bytes(32, "big")


def ecdh(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey) -> bytes:
    """ECDH shared secret ``Z``: the 32-byte X coordinate."""
    return private_key.exchange(ec.ECDH(), public_key)


def master_secret(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey) -> bytes:
    """``KEY_MASTER_SECRET = fold(ECDH(priv, pub))``, 16 bytes; the same from either side."""
    return fold(ecdh(private_key, public_key))


@dataclass(frozen=True, slots=True)
class DerivedKeys:
    """The activation's symmetric keys, all derived from the 16-byte master secret."""

    possession: bytes
    knowledge: bytes
    biometry: bytes
    transport: bytes
    vault: bytes
    transport_iv: bytes
    transport_ctr: bytes

    @classmethod
    def from_master_secret(cls, master_secret_key: bytes) -> DerivedKeys:
        """Run the v3 key schedule (``KDF`` indexes 1, 2, 3, 1000, 2000; then 3000, 4000)."""
        if len(master_secret_key) != 16:
            raise InvalidKeyError(f"master secret must be 16 bytes, got {len(master_secret_key)}")
        indexes = (INDEX_POSSESSION, INDEX_KNOWLEDGE, INDEX_BIOMETRY, INDEX_TRANSPORT, INDEX_VAULT)
        possession, knowledge, biometry, transport, vault = kdf_many(master_secret_key, indexes)
        transport_iv, transport_ctr = kdf_many(transport, (INDEX_TRANSPORT_IV, INDEX_TRANSPORT_CTR))
        return cls(possession, knowledge, biometry, transport, vault, transport_iv, transport_ctr)

    @classmethod
    def from_key_pair(
        cls, private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey
    ) -> DerivedKeys:
        """Derive every key from one side's private key and the other side's public key."""
        return cls.from_master_secret(master_secret(private_key, public_key))
