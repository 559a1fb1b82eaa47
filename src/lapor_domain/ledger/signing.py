"""Signing tree heads (rule 15): Ed25519 keys in files outside the database, and checkpoints.

A signed tree head says "the log's first ``size`` events have the tree root ``root``", at an
``instant`` from the application's clock, signed with Ed25519 (the ``cryptography``
package). The signed message is ``b"lapor-tree-head/1\\x00"``, the size (8 bytes,
big-endian), the root (32 bytes) and the instant in UTC microseconds (8 bytes, signed).

A signing key lives in a PEM file (PKCS #8) that only its owner may read (mode 0600): never
in the database, whose writer could otherwise sign anything. A key's fingerprint is the
SHA-256 of its raw 32-byte public key, in hex. Signed heads are stored in the database with
their public key, but a verifier trusts only a key it was given (a fingerprint, a key file
or a kept checkpoint): whoever can write the database can replace a stored public key.

A checkpoint is one signed head as JSON, for an auditor to keep elsewhere::

    {"format": "lapor-checkpoint/1", "size": 1200, "root": "<hex>", "instant": "<ISO-8601>",
     "instant_us": 1764000000000000, "public_key": "<hex>", "fingerprint": "<hex>",
     "signature": "<hex>"}
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import InvalidInput
from ..merkle import HASH_SIZE
from ..model.instants import from_micros, to_micros

CHECKPOINT_FORMAT = "lapor-checkpoint/1"
_MESSAGE_PREFIX = b"lapor-tree-head/1\x00"
PUBLIC_KEY_SIZE = 32


def head_message(size: int, root: bytes, instant_us: int) -> bytes:
    """The bytes a signed tree head signs."""
    return _MESSAGE_PREFIX + size.to_bytes(8, "big") + root + instant_us.to_bytes(8, "big", signed=True)


def fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 public key a verifier trusts."""

    raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PublicKey:
        """A public key from a file: a PEM public key, a signing key (its public half) or a
        checkpoint (the key it was signed with)."""
        data = _read(Path(path), "a key file")
        if data.lstrip().startswith(b"{"):
            return Checkpoint.from_json(data.decode(errors="replace")).public_key
        try:
            if b"PRIVATE KEY" in data:
                return SigningKey.load(path).public
            loaded = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise InvalidInput("{path} holds no Ed25519 key: {reason}", path=path, reason=str(exc)) from None
        if not isinstance(loaded, Ed25519PublicKey):
            raise InvalidInput("{path} holds a key that is not Ed25519", path=path)
        return cls(loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    def to_pem(self) -> bytes:
        return Ed25519PublicKey.from_public_bytes(self.raw).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class SigningKey:
    """An Ed25519 private key, from a file only its owner may read."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public = PublicKey(raw)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the key to a new file of mode 0600 (an existing file is never overwritten)."""
        pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InvalidInput("{path} exists: a signing key is never overwritten", path=path) from None
        except OSError as exc:
            raise InvalidInput(
                "cannot write {path}: {reason}", path=path, reason=str(exc.strerror or exc)
            ) from None
        with os.fdopen(fd, "wb") as out:
            out.write(pem)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SigningKey:
        """The key in ``path``, refused if others than its owner may read it."""
        where = Path(path)
        data = _read(where, "a signing key")
        mode = stat.S_IMODE(where.stat().st_mode)
        if os.name == "posix" and mode & 0o077:
            raise InvalidInput(
                "the signing key {path} may be read by others (mode {mode:04o}): chmod 600 {path}",
                path=path,
                mode=mode,
            )
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(
                "{path} holds no unencrypted Ed25519 signing key: {reason}", path=path, reason=str(exc)
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput("{path} holds a key that is not Ed25519", path=path)
        return cls(key)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            "cannot read {what} from {path}: {reason}", what=what, path=path, reason=str(exc.strerror or exc)
        ) from None


@dataclass(frozen=True, slots=True)
class SignedHead:
    """A tree head signed with a key: the log's first ``size`` events have root ``root``."""

    size: int
    root: bytes
    instant: datetime
    public_key: PublicKey
    signature: bytes

    @property
    def message(self) -> bytes:
        return head_message(self.size, self.root, to_micros(self.instant))

    @property
    def fingerprint(self) -> str:
        return self.public_key.fingerprint

    def verifies(self) -> bool:
        """Whether the signature is the stated key's (which says nothing until that key is trusted)."""
        return self.public_key.verifies(self.signature, self.message)

    @classmethod
    def signed(cls, key: SigningKey, size: int, root: bytes, instant: datetime) -> SignedHead:
        signature = key.sign(head_message(size, root, to_micros(instant)))
        return cls(size, root, instant, key.public, signature)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed tree head an auditor keeps outside the system."""

    head: SignedHead

    @property
    def size(self) -> int:
        return self.head.size

    @property
    def root(self) -> bytes:
        return self.head.root

    @property
    def public_key(self) -> PublicKey:
        return self.head.public_key

    def to_dict(self) -> dict[str, Any]:
        head = self.head
        return {
            "format": CHECKPOINT_FORMAT,
            "size": head.size,
            "root": head.root.hex(),
            "instant": head.instant.isoformat(),
            "instant_us": to_micros(head.instant),
            "public_key": head.public_key.raw.hex(),
            "fingerprint": head.fingerprint,
            "signature": head.signature.hex(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """A checkpoint read back; malformed or wrongly signed, it is invalid input."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
                raise ValueError(f"not a {CHECKPOINT_FORMAT} document")
            size, instant_us = data["size"], data["instant_us"]
            if (
                not all(isinstance(v, int) and not isinstance(v, bool) for v in (size, instant_us))
                or size < 0
            ):
                raise ValueError("size and instant_us must be whole numbers")
            root, raw = bytes.fromhex(data["root"]), bytes.fromhex(data["public_key"])
            signature = bytes.fromhex(data["signature"])
            if len(root) != HASH_SIZE or len(raw) != PUBLIC_KEY_SIZE:
                raise ValueError("a root is 32 bytes and a public key 32")
            head = SignedHead(size, root, from_micros(instant_us), PublicKey(raw), signature)
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            raise InvalidInput("not a checkpoint: {reason}", reason=str(exc)) from None
        if not head.verifies():
            raise InvalidInput("the checkpoint's signature does not verify with its public key")
        return cls(head)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Checkpoint:
        return cls.from_json(_read(Path(path), "a checkpoint").decode(errors="replace"))

    def save(self, path: str | os.PathLike[str]) -> None:
        try:
            Path(path).write_text(self.to_json(), encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(
                "cannot write {path}: {reason}", path=path, reason=str(exc.strerror or exc)
            ) from None
