"""Chaining a transaction's events: each one's digest, its leaf in the tree, the new tree head.

Every recorder calls ``chain`` inside its write transaction, after reading the tree head
(``HEAD_TABLE``: one row, the size and the ``Frontier``'s stored bytes) and the digest of
each touched complaint's event before the batch; it writes the events with their ledger
columns (``leaf``, ``digest``, ``previous``) and the new head in the same transaction.
The work is O(events + log size's bit count) hashes: the head is a frontier, never a rescan.

A log written before rule 15 has no head row (or one marked incomplete while ``upgrade``
runs): writes are refused with ``LogNotUpgraded`` until ``lapor upgrade`` has chained it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol
from uuid import UUID

from ..errors import LogNotUpgraded, StoreCorrupt
from ..ledger.digest import GENESIS, event_digest
from ..merkle import Frontier, leaf_hash

if TYPE_CHECKING:
    from .recorders import DeadlineRow

HEAD_TABLE = "lapor_tree_head"
SIGNED_TABLE = "lapor_signed_heads"
OVERRIDES_TABLE = "lapor_overrides"
LEDGER_COLUMNS = ("leaf", "digest", "previous")
EMPTY_FRONTIER = Frontier().to_bytes()

Key = UUID | str
Row = tuple[Key, int, str, bytes]
"""A stored event's columns: originator_id, originator_version, topic, state."""


class Chained(NamedTuple):
    leaf: int
    digest: bytes
    previous: bytes


class Head(NamedTuple):
    """The tree head row: how many events it covers, their frontier, and whether the log is
    fully chained (False while an upgrade is under way); read for a verifier, also the log's
    latest position in the same snapshot."""

    size: int
    frontier: bytes
    complete: bool
    position: int = 0


def wanted_previous(rows: Sequence[Row]) -> dict[Key, int]:
    """The (complaint, version) whose digest the batch needs from the store: each touched
    complaint's event before its first one here (none for a new complaint)."""
    wanted: dict[Key, int] = {}
    seen: set[Key] = set()
    for cid, version, _, _ in rows:
        if cid not in seen:
            seen.add(cid)
            if version > 1:
                wanted[cid] = version - 1
    return wanted


def writable(head: Head | None, store: str) -> Frontier:
    """The frontier a write continues, or ``LogNotUpgraded``."""
    if head is None or not head.complete:
        raise LogNotUpgraded(
            "{store} holds events written before the log was chained (rule 15), or an "
            "upgrade is unfinished: run `lapor upgrade` (LaporApp.upgrade()) before "
            "recording more",
            store=store,
        )
    return Frontier.from_bytes(head.frontier)


def chain(
    rows: Sequence[Row], frontier: Frontier, previous: Mapping[Key, bytes]
) -> tuple[list[Chained], Frontier]:
    """The ledger columns of ``rows`` (in the order they take positions) and the head after them."""
    last: dict[Key, bytes] = {}
    chained: list[Chained] = []
    for cid, version, topic, state in rows:
        before = last.get(cid)
        if before is None:
            before = GENESIS if version == 1 else previous.get(cid)
            if before is None:
                raise StoreCorrupt(
                    "the event {previous} of complaint {complaint} has no digest to chain event {event} to",
                    previous=version - 1,
                    complaint=cid,
                    event=version,
                    complaint_id=str(cid),
                    version=version - 1,
                )
        digest = event_digest(cid, version, topic, state, before)
        chained.append(Chained(frontier.size, digest, before))
        frontier = frontier.append(leaf_hash(digest))
        last[cid] = digest
    return chained, frontier


LedgerRow = tuple[int, Key, int, str, bytes, int | None, bytes | None, bytes | None]
"""A stored event with its ledger columns: position, originator_id, originator_version,
topic, state, leaf, digest, previous (the last three None where nothing was chained)."""


class SignedRow(NamedTuple):
    """A signed tree head as stored (the signature is checked against a trusted key, never
    against ``public_key`` alone: whoever can write the table can replace it)."""

    size: int
    root: bytes
    instant_us: int
    public_key: bytes
    signature: bytes


class OverrideRow(NamedTuple):
    """An accepted damage: who accepted it, when, why, and where verification failed."""

    instant_us: int
    actor: str
    reason: str
    size: int
    place: str


class Upgraded(NamedTuple):
    chained: int
    head: Head


class LedgerStore(Protocol):
    """What the ledger (``lapor_domain.ledger``) reads and writes beside the events."""

    def ledger_head(self) -> Head | None: ...

    def ledger_page(self, *, after: int, until: int, limit: int) -> list[LedgerRow]:
        """Events at positions in (after, until], in position order, with their ledger columns."""

    def ledger_digest(self, complaint_id: Key, version: int) -> bytes | None:
        """The stored digest of one event (None if it has none or does not exist)."""

    def ledger_chain(self, complaint_id: UUID) -> list[LedgerRow]:
        """One complaint's events in version order, with their ledger columns."""

    def signed_heads(self) -> list[SignedRow]: ...

    def add_signed_head(self, row: SignedRow) -> None: ...

    def overrides(self) -> list[OverrideRow]: ...

    def add_override(self, row: OverrideRow) -> None: ...

    def all_deadlines(self) -> list[DeadlineRow]:
        """Every deadline index row, whole, by complaint."""

    def upgrade_ledger(self, limit: int) -> Upgraded:
        """Chain up to ``limit`` events stored without digests, in log order, continuing the
        head, in one transaction; the head is marked complete when none is left."""
