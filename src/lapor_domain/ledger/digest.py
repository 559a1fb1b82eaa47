"""The digest rule of DOMAIN.md rule 15: one function, for the log and for any verifier.

An event's digest is SHA-256 over a canonical, length-prefixed encoding of what the log
stores for it and of the digest of the complaint's previous event::

    b"lapor-event/1\\x00"
    complaint id     16 bytes (the UUID's bytes)
    version           8 bytes, big-endian
    len(topic)        4 bytes, big-endian, then the topic (the stored name, UTF-8)
    len(state)        8 bytes, big-endian, then the stored state bytes
    previous         32 bytes: the digest of version - 1, or 32 zero bytes for version 1

Every field has a fixed size or a length before it, so no two different events encode
alike. The digests of one complaint form a chain (each covers the one before); the log's
Merkle tree (``lapor_domain.merkle``, RFC 9162) has one leaf per event, in log order, whose
entry is the event's digest. A printed dossier recomputes its digests with this function.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

GENESIS = bytes(32)
"""The previous digest of a complaint's first event."""
DIGEST_SIZE = 32
_PREFIX = b"lapor-event/1\x00"
_sha256 = hashlib.sha256


def event_digest(complaint_id: UUID | str, version: int, topic: str, state: bytes, previous: bytes) -> bytes:
    """The digest of one stored event, chained to ``previous``."""
    if isinstance(complaint_id, str):
        key = bytes.fromhex(complaint_id if len(complaint_id) == 32 else UUID(complaint_id).hex)
    else:
        key = complaint_id.bytes
    if len(key) != 16 or len(previous) != DIGEST_SIZE:
        raise ValueError("a digest covers a 16-byte complaint id and a 32-byte previous digest")
    name = topic.encode()
    return _sha256(
        b"".join(
            (
                _PREFIX,
                key,
                version.to_bytes(8, "big"),
                len(name).to_bytes(4, "big"),
                name,
                len(state).to_bytes(8, "big"),
                state,
                previous,
            )
        )
    ).digest()
