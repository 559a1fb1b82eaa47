"""Sealing reporters' identities (DOMAIN.md rule 14): AES-GCM under a data key per complaint,
data keys wrapped (X25519 + HKDF-SHA256 + AES-GCM) for the readers rule 10 entitles, kept in
a key store apart from the event log; private keys in key files outside any database.

The exports load with their module when first asked for: ``keystore`` needs no cryptography,
``keyfile`` and ``vault`` do, and a command that reads no identity needs neither.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "NATIONAL_READER": "keyfile",
    "KeyRing": "keyfile",
    "ReaderKey": "keyfile",
    "admin_reader": "keyfile",
    "check_reader": "keyfile",
    "Disclosure": "keystore",
    "KeyStore": "keystore",
    "ReaderPublicKey": "keystore",
    "keystore_target": "keystore",
    "IdentityVault": "vault",
    "SealedReporter": "vault",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


if TYPE_CHECKING:
    from .keyfile import NATIONAL_READER, KeyRing, ReaderKey, admin_reader, check_reader
    from .keystore import Disclosure, KeyStore, ReaderPublicKey, keystore_target
    from .vault import IdentityVault, SealedReporter

__all__ = [
    "NATIONAL_READER",
    "Disclosure",
    "IdentityVault",
    "KeyRing",
    "KeyStore",
    "ReaderKey",
    "ReaderPublicKey",
    "SealedReporter",
    "admin_reader",
    "check_reader",
    "keystore_target",
]
