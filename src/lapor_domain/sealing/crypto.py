"""The sealing primitives, all from the ``cryptography`` package (nothing hand-made here).

* An identity is sealed with AES-256-GCM under a **data key** of the complaint's own, with
  the complaint id as associated data (a ciphertext moved to another complaint does not open).
* A data key is **wrapped** for a reader with an ECIES-style construction: an ephemeral
  X25519 key agreement with the reader's public key, HKDF-SHA256 over the shared secret
  (salted with both public keys), AES-256-GCM over the data key, with the complaint id, the
  reader's name and the key id as associated data. Any process can wrap (public keys only);
  only the holder of the reader's private key unwraps. Wrapped form: ephemeral public key
  (32 bytes) || nonce (12) || ciphertext and tag (48).
* The reporter's account id becomes a **pseudonym** per complaint: HMAC-SHA256 under a random
  secret of the complaint's own, kept in the key store beside the wraps and destroyed on
  erasure. ``reply`` compares pseudonyms, so no private key is needed to know the reporter.
"""

from __future__ import annotations

import base64
import hashlib
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..model.identity import AES_GCM, ReporterIdentity, SealedIdentity

KEY_BYTES = 32
NONCE_BYTES = 12
_IDENTITY_AAD = b"lapor-identity/1|"
_WRAP_INFO = b"lapor-wrap/1"
_PSEUDONYM_PREFIX = "anon-"


class Unreadable(Exception):
    """A ciphertext or a wrap did not open with the key given (wrong key, or tampered)."""


def new_secret() -> bytes:
    """A fresh random 256-bit key: a data key, or a pseudonym secret."""
    return os.urandom(KEY_BYTES)


def seal(data_key: bytes, complaint_id: UUID, identity: ReporterIdentity) -> SealedIdentity:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, identity.to_bytes(), _IDENTITY_AAD + complaint_id.bytes)
    return SealedIdentity(scheme=AES_GCM, nonce=_b64(nonce), ciphertext=_b64(sealed))


def open_sealed(data_key: bytes, complaint_id: UUID, sealed: SealedIdentity) -> ReporterIdentity:
    try:
        plain = AESGCM(data_key).decrypt(
            base64.b64decode(sealed.nonce),
            base64.b64decode(sealed.ciphertext),
            _IDENTITY_AAD + complaint_id.bytes,
        )
    except (InvalidTag, ValueError) as exc:
        raise Unreadable(f"the identity of complaint {complaint_id} does not open with its data key") from exc
    return ReporterIdentity.from_bytes(plain)


def pseudonym(secret: bytes, account: str) -> str:
    """The reporter's pseudonym for one complaint: 128 bits of HMAC-SHA256, as hex."""
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(account.encode())
    return _PSEUDONYM_PREFIX + mac.finalize()[:16].hex()


def public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes_raw()


def key_id(public: bytes) -> str:
    """A reader key's id: the first 16 hex digits of the SHA-256 of its raw public key."""
    return hashlib.sha256(public).hexdigest()[:16]


def _aad(complaint_id: UUID, reader: str, kid: str) -> bytes:
    return b"|".join((_WRAP_INFO, complaint_id.bytes, reader.encode(), kid.encode()))


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient, info=_WRAP_INFO
    ).derive(shared)


def wrap(public: bytes, reader: str, complaint_id: UUID, data_key: bytes) -> bytes:
    """The data key wrapped for the reader whose raw X25519 public key this is."""
    return Wrapper(public)(reader, complaint_id, data_key)


class Wrapper:
    """Wraps for one reader's public key under one ephemeral key agreement: a batch of reserved
    data keys costs one X25519 key pair and exchange per reader, not one per key. Each wrap has
    its own random nonce and is bound to its complaint by the associated data; the wrapped form
    (ephemeral public key, nonce, ciphertext) and ``unwrap`` are the same as a single wrap's."""

    def __init__(self, public: bytes) -> None:
        ephemeral = X25519PrivateKey.generate()
        self._ephemeral_public = ephemeral.public_key().public_bytes_raw()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
        self._aead = AESGCM(_kek(shared, self._ephemeral_public, public))
        self._kid = key_id(public)

    def __call__(self, reader: str, complaint_id: UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, data_key, _aad(complaint_id, reader, self._kid))
        return self._ephemeral_public + nonce + sealed


def unwrap(private: X25519PrivateKey, reader: str, complaint_id: UUID, wrapped: bytes) -> bytes:
    public = private.public_key().public_bytes_raw()
    ephemeral_public, nonce, sealed = wrapped[:32], wrapped[32:44], wrapped[44:]
    try:
        kek = _kek(
            private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public)), ephemeral_public, public
        )
        return AESGCM(kek).decrypt(nonce, sealed, _aad(complaint_id, reader, key_id(public)))
    except (InvalidTag, ValueError) as exc:
        raise Unreadable(
            f"a wrapped data key of complaint {complaint_id} does not open for {reader}"
        ) from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
