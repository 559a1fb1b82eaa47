"""Sealing reporters' identities (DOMAIN.md rule 14): AES-GCM under a data key per complaint,
data keys wrapped (X25519 + HKDF-SHA256 + AES-GCM) for the readers rule 10 entitles, kept in
a key store apart from the event log; private keys in key files outside any database."""

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
