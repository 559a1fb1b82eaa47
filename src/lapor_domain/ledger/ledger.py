"""``Ledger``: the tamper-evident record of one application's log (rule 15), as a typed API.

``LaporApp.ledger`` gives it. It reads what the recorders write with every append (each
event's digest, chained to its complaint's previous one, and the tree head over all digests
in log order), signs tree heads with a key kept outside the database, writes checkpoints,
verifies, and upgrades a log written before chaining. Everything a printed dossier needs is
here: ``chain`` (one complaint's stored bytes and digests, read by its key) and
``inclusion_proof`` (RFC 9162, against any tree size the log has reached).

``inclusion_proof`` reads the digests of the log's first ``size`` events once (one pass,
no decoding); ``chain`` reads one complaint's rows only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, cast
from uuid import UUID

from ..adapters.chaining import LedgerStore, OverrideRow, SignedRow
from ..adapters.eventlog import ComplaintLog
from ..adapters.recorders import DeadlineRow
from ..errors import ComplaintNotFound, InvalidInput, StoreCorrupt
from ..merkle import Frontier, RangeRoots, inclusion_ranges, leaf_hash, subtree_roots, verify_inclusion
from ..model.complaint import Complaint, fold
from ..model.deadlines import pending_deadline
from ..model.decisions import Rules
from ..model.events import FINISHING_EVENTS
from ..model.ids import parse_complaint_id
from ..model.instants import from_micros, to_micros
from ..states import deadline_row
from .audit import FAIL, PASS, AuditReport, Check, Place, verify_log
from .digest import event_digest
from .signing import Checkpoint, PublicKey, SignedHead, SigningKey

UPGRADE_BATCH = 20_000


class TreeHead(NamedTuple):
    """The log's tree head: how many events it covers and their root (RFC 9162)."""

    size: int
    root: bytes


class ChainLink(NamedTuple):
    """One stored event as its digest covers it, and its place in the log."""

    position: int
    leaf: int
    complaint_id: UUID
    version: int
    topic: str
    state: bytes
    digest: bytes
    previous: bytes

    def verifies(self) -> bool:
        """Whether the digest is the one the digest rule gives for these bytes."""
        return (
            event_digest(self.complaint_id, self.version, self.topic, self.state, self.previous)
            == self.digest
        )


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """That the event at ``leaf`` is in the log's tree of ``size`` leaves with root ``root``."""

    leaf: int
    size: int
    root: bytes
    path: tuple[bytes, ...]

    def verifies(self, digest: bytes) -> bool:
        return verify_inclusion(leaf_hash(digest), self.leaf, self.size, self.path, self.root)


@dataclass(frozen=True, slots=True)
class Override:
    """An operator accepted a damaged log (``rebuild --accept-damage``): who, when, why, where."""

    instant: datetime
    actor: str
    reason: str
    size: int
    place: str


FINISHING_TOPICS = frozenset(
    name for cls in FINISHING_EVENTS for name in (cls.stored_name, *cls.former_names)
)


class Ledger:
    """The log's digests, tree head, signed heads and checkpoints."""

    def __init__(self, log: ComplaintLog, rules: Rules, clock: Callable[[], datetime]) -> None:
        self._log = log
        self._rules = rules
        self._clock = clock  # the instant of a signature or an override

    @property
    def _store(self) -> LedgerStore:
        return cast(LedgerStore, self._log.recorder)

    def head(self) -> TreeHead:
        """The tree head as stored now."""
        head = self._store.ledger_head()
        if head is None:
            return TreeHead(0, Frontier().root())
        return TreeHead(head.size, Frontier.from_bytes(head.frontier).root())

    def chain(self, complaint_id: UUID | str) -> list[ChainLink]:
        """One complaint's events, as stored, with their digests and places in the log."""
        cid = parse_complaint_id(complaint_id)
        links = []
        for position, _, version, topic, state, leaf, digest, previous in self._store.ledger_chain(cid):
            if leaf is None or digest is None or previous is None:
                raise InvalidInput(
                    "complaint {complaint}'s events are not chained yet: run `lapor upgrade`", complaint=cid
                )
            links.append(ChainLink(position, leaf, cid, version, topic, bytes(state), digest, previous))
        if not links:
            raise ComplaintNotFound("no complaint {complaint}", complaint=complaint_id)
        return links

    def inclusion_proof(self, leaf: int, size: int | None = None) -> InclusionProof:
        """The audit path of leaf ``leaf`` in the tree of the log's first ``size`` events
        (default: the current head), computed from the stored digests."""
        head = self._store.ledger_head()
        top = head.size if head is not None else 0
        size = top if size is None else size
        if not isinstance(leaf, int) or not isinstance(size, int) or not 0 <= leaf < size <= top:
            raise InvalidInput(
                "no leaf {leaf!r} in a tree of {size!r} (the log's head covers {top})",
                leaf=leaf,
                size=size,
                top=top,
            )
        ranges = RangeRoots(inclusion_ranges(leaf, size))
        frontier = Frontier()
        for index, digest in enumerate(self._digests(size)):
            node = leaf_hash(digest)
            ranges.feed(index, node)
            frontier = frontier.append(node)
        return InclusionProof(leaf, size, frontier.root(), tuple(ranges.roots()))

    def inclusion_proofs(self, leaves: Collection[int], size: int | None = None) -> dict[int, InclusionProof]:
        """The audit paths of several leaves (one complaint's events, say) in the tree of the
        log's first ``size`` events, from one pass over the stored digests."""
        head = self._store.ledger_head()
        top = head.size if head is not None else 0
        size = top if size is None else size
        for leaf in leaves:
            if not isinstance(leaf, int) or not isinstance(size, int) or not 0 <= leaf < size <= top:
                raise InvalidInput(
                    "no leaf {leaf!r} in a tree of {size!r} (the log's head covers {top})",
                    leaf=leaf,
                    size=size,
                    top=top,
                )
        ranges = {leaf: inclusion_ranges(leaf, size) for leaf in leaves}
        wanted = {r for paths in ranges.values() for r in paths} | {(0, size)}
        roots = subtree_roots((leaf_hash(d) for d in self._digests(size)), wanted)
        return {
            leaf: InclusionProof(leaf, size, roots[(0, size)], tuple(roots[r] for r in path))
            for leaf, path in ranges.items()
        }

    def _digests(self, size: int) -> Iterator[bytes]:
        after, left = 0, size
        store = self._store
        while left > 0 and (page := store.ledger_page(after=after, until=2**62, limit=min(left, 20_000))):
            for row in page:
                digest = row[6]
                if digest is None:
                    raise InvalidInput("the log is not chained yet: run `lapor upgrade`")
                yield digest
            left -= len(page)
            after = page[-1][0]

    # -- signing -----------------------------------------------------------------------

    def sign(self, key: SigningKey) -> SignedHead:
        """Sign the current tree head and keep the signed head beside the log."""
        if not isinstance(key, SigningKey):
            raise InvalidInput("a tree head is signed with a SigningKey, not {kind}", kind=type(key).__name__)
        size, root = self.head()
        signed = SignedHead.signed(key, size, root, self._clock())
        self._store.add_signed_head(
            SignedRow(size, root, to_micros(signed.instant), key.public.raw, signed.signature)
        )
        return signed

    def sign_if_moved(self, key: SigningKey) -> SignedHead | None:
        """Sign the head unless this key has already signed it at this size (the sweep's habit)."""
        size = self.head().size
        done = any(s.size == size and s.public_key == key.public.raw for s in self._store.signed_heads())
        return None if done else self.sign(key)

    def checkpoint(self, key: SigningKey) -> Checkpoint:
        """A signed tree head for an auditor to keep elsewhere (it is kept here too)."""
        return Checkpoint(self.sign(key))

    def signed_heads(self) -> list[SignedHead]:
        return [
            SignedHead(r.size, r.root, from_micros(r.instant_us), PublicKey(r.public_key), r.signature)
            for r in self._store.signed_heads()
        ]

    # -- verification --------------------------------------------------------------------

    def verify(
        self,
        *,
        trust: Collection[PublicKey | str] = (),
        checkpoint: Checkpoint | None = None,
        deadlines: bool = True,
        progress: Callable[[int, int], object] | None = None,
    ) -> AuditReport:
        """Verify the chains, the tree head, the signed heads by ``trust``ed keys, consistency with
        ``checkpoint`` (trusted keys: ``PublicKey``s or fingerprints; the checkpoint's key is
        trusted too) and (with ``deadlines``) that the deadline index matches the events."""
        report = verify_log(
            self._store, trusted=trust, checkpoint=checkpoint, finishing=FINISHING_TOPICS, progress=progress
        )
        if deadlines and report.events:
            report = report.with_check(self._deadline_check(report.damaged))
        overrides = self.overrides()
        if overrides:
            last = overrides[-1]
            report = report.with_check(
                Check(
                    "overrides",
                    PASS,
                    f"{len(overrides)} accepted damage(s); the last by {last.actor} at "
                    f"{last.instant.isoformat()}: {last.reason}",
                    failures=0,
                )
            )
        return report

    def _deadline_check(self, damaged: frozenset[UUID]) -> Check:
        """The stored index against a fold of the events, row by row; a complaint whose chain
        does not verify is not folded (its events may not even read back)."""
        stored = {r.complaint_id: r for r in self._store.all_deadlines() if r.complaint_id not in damaged}
        first: tuple[UUID, str] | None = None
        count = 0

        def differ(cid: UUID, what: str) -> None:
            nonlocal first, count
            count += 1
            if first is None or cid < first[0]:
                first = (cid, what)

        try:
            for state in self._folded(damaged):  # one complaint in memory at a time
                row = deadline_row(state, pending_deadline(state, self._rules.calendars))
                have = stored.pop(state.id, None)
                want = None if row.due_us is None else row
                if not _same_row(have, want):
                    differ(state.id, "missing" if have is None else "extra" if want is None else "different")
        except StoreCorrupt as exc:
            return Check("deadline index", FAIL, f"not compared: {exc}", failures=1)
        for cid in stored:
            differ(cid, "extra (no such complaint)")
        return self._deadline_verdict(first, count)

    def _folded(self, damaged: frozenset[UUID]) -> Iterator[Complaint]:
        for events in self._log.read_by_complaint(until=self._log.head(), skip=damaged):
            state = fold(events)
            assert state is not None
            yield state

    @staticmethod
    def _deadline_verdict(first: tuple[UUID, str] | None, count: int) -> Check:
        if first is None:
            return Check("deadline index", PASS, "the deadline index matches a fold of the events")
        cid, what = first
        return Check(
            "deadline index",
            FAIL,
            f"{count} deadline row(s) differ from a fold of the events; the first is {what}",
            Place(complaint_id=cid),
            count,
        )

    # -- overrides and upgrade ---------------------------------------------------------------

    def accept_damage(self, report: AuditReport, *, reason: str, actor: str) -> Override:
        """Record that ``actor`` accepted the damage ``report`` found, and why (audited)."""
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput("accepting damage needs a reason")
        if report.ok:
            raise InvalidInput("the log verifies: there is no damage to accept")
        instant = self._clock()
        override = Override(instant, str(actor), reason.strip(), report.events, report.first_failure)
        self._store.add_override(
            OverrideRow(to_micros(instant), override.actor, override.reason, override.size, override.place)
        )
        return override

    def overrides(self) -> list[Override]:
        return [
            Override(from_micros(r.instant_us), r.actor, r.reason, r.size, r.place)
            for r in self._store.overrides()
        ]

    def upgrade(self, *, batch: int = UPGRADE_BATCH, progress: Callable[[int], object] | None = None) -> int:
        """Chain the events written before the log was chained, in log order, and set the tree
        head; a batch per transaction, so it resumes after an interruption. Idempotent: on a
        chained log it does nothing. Returns how many events it chained."""
        total = 0
        while True:
            done = self._store.upgrade_ledger(batch)
            total += done.chained
            if progress is not None:
                progress(total)
            if done.head.complete:
                return total


__all__ = ["FAIL", "PASS", "ChainLink", "InclusionProof", "Ledger", "Override", "TreeHead"]


def _same_row(have: DeadlineRow | None, want: DeadlineRow | None) -> bool:
    """Whether a stored index row is the one the events give. A row kept before the index held
    its clock's start (none stored) is judged by its due and clock: the repair of an amendment
    reads such a complaint's events instead."""
    if have is None or want is None:
        return have is want
    if have.start_us is None and have.institution is None:
        return have[:3] == want[:3]
    return have == want
