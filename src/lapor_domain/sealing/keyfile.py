"""Reader key files: the private keys a process holds, outside any database.

A key file is JSON, ``{"format": "lapor-keys/1", "keys": [{"reader", "key_id", "private"}]}``
with each private key the raw 32 bytes of an X25519 key in base64. It is written whole or not
at all (a temporary file beside it, fsynced, renamed over it), owner-only (mode 0600), and
refused when others may read it, as ssh refuses such a key. Readers are named
``lapor-sp4n`` (the national desk) and ``tim-admin:INSTITUTION`` (an institution's admin team).
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ..errors import InvalidInput
from .crypto import key_id

FORMAT = "lapor-keys/1"
NATIONAL_READER = "lapor-sp4n"
_ADMIN_PREFIX = "tim-admin:"
_READER = re.compile(r"lapor-sp4n|tim-admin:[a-z0-9][a-z0-9-]*")


def admin_reader(institution: str) -> str:
    return _ADMIN_PREFIX + institution


def check_reader(name: str) -> str:
    if not isinstance(name, str) or not _READER.fullmatch(name):
        raise InvalidInput("a reader is lapor-sp4n or tim-admin:INSTITUTION, not {name!r}", name=name)
    return name


@dataclass(frozen=True)
class ReaderKey:
    """One reader's private key, as a key file holds it."""

    reader: str
    private: X25519PrivateKey

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes_raw()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    @classmethod
    def generate(cls, reader: str) -> ReaderKey:
        return cls(check_reader(reader), X25519PrivateKey.generate())


class KeyRing:
    """The private reader keys this process holds (none: identities read as sealed)."""

    def __init__(self, keys: Iterable[ReaderKey] = ()) -> None:
        self._keys = {k.key_id: k for k in keys}

    def __iter__(self) -> Iterator[ReaderKey]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, kid: str) -> ReaderKey | None:
        return self._keys.get(kid)

    @property
    def readers(self) -> list[str]:
        return sorted({k.reader for k in self})

    def __or__(self, other: KeyRing) -> KeyRing:
        return KeyRing([*self, *other])

    @classmethod
    def generate(cls, readers: Iterable[str]) -> KeyRing:
        return cls(ReaderKey.generate(reader) for reader in readers)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyRing:
        """The keys in a key file; InvalidInput if it is missing, unreadable, or open to others."""
        file = Path(path)
        try:
            mode = file.stat().st_mode
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(
                "cannot read the key file {file}: {reason}", file=file, reason=str(exc.strerror or exc)
            ) from None
        if stat.S_IMODE(mode) & 0o077:
            raise InvalidInput(
                "the key file {file} may be read by others (mode {mode:o}): chmod 600 it",
                file=file,
                mode=stat.S_IMODE(mode),
            )
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} file")
            keys = [
                ReaderKey(
                    check_reader(k["reader"]),
                    X25519PrivateKey.from_private_bytes(base64.b64decode(k["private"])),
                )
                for k in data["keys"]
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(
                "{file} is not a lapor key file: {reason}", file=file, reason=str(exc)
            ) from None
        return cls(keys)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the key file whole or not at all, mode 0600."""
        file = Path(path)
        keys = [
            {"reader": k.reader, "key_id": k.key_id, "private": base64.b64encode(_raw(k.private)).decode()}
            for k in self
        ]
        text = json.dumps({"format": FORMAT, "keys": keys}, indent=1) + "\n"
        handle, name = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(name, file)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise


def _raw(private: X25519PrivateKey) -> bytes:
    return private.private_bytes_raw()
