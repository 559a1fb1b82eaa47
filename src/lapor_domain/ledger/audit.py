"""Verifying a log (rule 15): its chains, its tree head, signed heads and a kept checkpoint.

One pass over the log in position order, which needs no decoding, does it all:

* **chains**: each event's digest, recomputed from its stored bytes and its stored previous
  digest (``digest.event_digest``), equals the stored one; a complaint's first event chains
  to 32 zero bytes, every later one to the digest of the event before it;
* **tree head**: the events' leaves are numbered 0, 1, 2 ... in log order, and the tree of
  their digests is the stored head (size and root);
* **signatures**: each signed head whose key is trusted verifies and matches the root of the
  log's first ``size`` events; a key is trusted only if the caller names it;
* **checkpoint**: an RFC 9162 consistency proof, computed from the stored digests, from the
  checkpoint's size to the log's size verifies against the checkpoint's root.

Each check names the first event it finds wrong (by position, complaint and version) and how
many it found; the signatures and the checkpoint say how many events they cover. Memory is
bounded by the complaints still open at each point of the log: a finished complaint's last
digest is forgotten (a later event of it is looked up in the store).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from ..adapters.chaining import Head, LedgerRow, LedgerStore, SignedRow
from ..merkle import Frontier, RangeRoots, consistency_ranges, leaf_hash, node_hash, verify_consistency
from ..model.instants import from_micros
from .digest import GENESIS, event_digest
from .signing import Checkpoint, PublicKey, SignedHead

PAGE = 20_000

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a check first failed: an event's position, complaint and version (as known)."""

    position: int | None = None
    complaint_id: UUID | None = None
    version: int | None = None
    leaf: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.complaint_id is not None:
            parts.append(f"complaint {self.complaint_id}")
        if self.version is not None:
            parts.append(f"event {self.version}")
        if self.position is not None:
            parts.append(f"at position {self.position}")
        return " ".join(parts) or (f"leaf {self.leaf}" if self.leaf is not None else "the log")

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "complaint_id": None if self.complaint_id is None else str(self.complaint_id),
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class Check:
    """One check's verdict: ``pass``, ``fail`` or ``skipped``, what it found, where first."""

    name: str
    status: str
    summary: str
    first: Place | None = None
    failures: int = 0
    covers: int | None = None

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "status": self.status,
            "summary": self.summary,
            "first": None if self.first is None else self.first.to_dict(),
            "failures": self.failures,
            "covers": self.covers,
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What verification found: one ``Check`` each, the events read, the keys trusted."""

    events: int
    checks: tuple[Check, ...]
    trusted: tuple[str, ...] = ()
    damaged: frozenset[UUID] = field(default_factory=frozenset)
    """The complaints whose chain does not verify."""

    @property
    def ok(self) -> bool:
        return not any(check.failed for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.failed]

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def with_check(self, check: Check) -> AuditReport:
        return replace(self, checks=(*self.checks, check))

    @property
    def first_failure(self) -> str:
        """The first failed check and where, on one line ('' when all holds)."""
        for check in self.failures:
            return f"{check.name}: {check.summary}" + (f" (first: {check.first})" if check.first else "")
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "trusted_keys": list(self.trusted),
            "damaged_complaints": sorted(str(c) for c in self.damaged),
            "checks": [c.to_dict() for c in self.checks],
        }


class _Finding:
    """The first place and the count of one kind of failure."""

    def __init__(self) -> None:
        self.first: Place | None = None
        self.what = ""
        self.count = 0

    def add(self, place: Place, what: str) -> None:
        if self.first is None:
            self.first, self.what = place, what
        self.count += 1


def _place(row: LedgerRow) -> Place:
    return Place(row[0], _uuid(row[1]), row[2], row[5])


def _uuid(cid: object) -> UUID | None:
    if isinstance(cid, UUID):
        return cid
    try:
        return UUID(str(cid))
    except ValueError:
        return None


def _digest(cid: Any, version: int, topic: str, state: bytes, previous: bytes) -> bytes | None:
    """The rule's digest, or None for a row no event could have (a tampered id or version)."""
    try:
        return event_digest(cid, version, topic, state, previous)
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None


@dataclass
class _Scan:
    """Everything one pass over the log learns."""

    count: int = 0
    frontier: list[bytes] = field(default_factory=list)  # the peaks, as ``Frontier`` keeps them
    roots_at: dict[int, bytes] = field(default_factory=dict)  # root of the first n leaves, n wanted
    position_at: dict[int, int] = field(default_factory=dict)  # position of leaf n, n wanted
    last: LedgerRow | None = None
    chains: _Finding = field(default_factory=_Finding)
    order: _Finding = field(default_factory=_Finding)
    damaged: set[UUID] = field(default_factory=set)


def verify_log(
    store: LedgerStore,
    *,
    trusted: Collection[PublicKey | str] = (),
    checkpoint: Checkpoint | None = None,
    finishing: Collection[str] = (),
    progress: Callable[[int, int], object] | None = None,
) -> AuditReport:
    """Verify the log in ``store`` (its chains, tree head, trusted signatures and ``checkpoint``).

    ``trusted`` holds public keys or their fingerprints (a stored signed head whose key has a
    trusted fingerprint is that key's). ``finishing`` names the stored topics after which a
    complaint records nothing more (its last digest is then forgotten); ``progress(done,
    total)`` is told the positions read.
    """
    head = store.ledger_head()
    if head is None or not head.complete:
        summary = (
            "the log was written before it was chained, or an upgrade is unfinished: run `lapor upgrade`"
        )
        return AuditReport(0, (Check("upgrade", FAIL, summary, failures=1),))
    keys = {k if isinstance(k, str) else k.fingerprint for k in trusted}
    if checkpoint is not None:
        keys.add(checkpoint.public_key.fingerprint)
    signed = [_signed(row) for row in store.signed_heads()]
    trusted_heads = [s for s in signed if s.fingerprint in keys]
    wanted = {s.size for s in trusted_heads} | {s.size - 1 for s in trusted_heads}
    wanted |= {head.size, *_peak_starts(head.size)}
    ranges = RangeRoots([])
    if checkpoint is not None:
        wanted |= {checkpoint.size, checkpoint.size - 1}
        if 0 < checkpoint.size <= head.size:
            ranges = RangeRoots(consistency_ranges(checkpoint.size, head.size))
    scan = _scan(store, head, wanted, set(finishing), ranges, progress)
    if checkpoint is not None and 0 < checkpoint.size <= scan.count != head.size:
        ranges = RangeRoots(consistency_ranges(checkpoint.size, scan.count))  # a second pass
        _feed_ranges(store, head, ranges)
    checks = [
        _chains_check(scan),
        _tree_check(scan, head),
        _signatures_check(scan, signed, trusted_heads, keys),
    ]
    if checkpoint is not None:
        checks.append(_checkpoint_check(scan, checkpoint, ranges))
    return AuditReport(scan.count, tuple(checks), tuple(sorted(keys)), frozenset(scan.damaged))


def _signed(row: SignedRow) -> SignedHead:
    return SignedHead(
        row.size, row.root, from_micros(row.instant_us), PublicKey(row.public_key), row.signature
    )


def _pages(store: LedgerStore, until: int) -> Iterable[list[LedgerRow]]:
    after = 0
    while page := store.ledger_page(after=after, until=until, limit=PAGE):
        yield page
        after = page[-1][0]


def _scan(
    store: LedgerStore,
    head: Head,
    wanted: set[int],
    finishing: set[str],
    ranges: RangeRoots,
    progress: Callable[[int, int], object] | None,
) -> _Scan:
    scan = _Scan()
    peaks = scan.frontier
    open_: dict[Any, bytes] = {}
    chains, order = scan.chains, scan.order
    count = 0
    for page in _pages(store, head.position):
        for row in page:
            position, cid, version, topic, state, leaf, digest, previous = _as_stored(row)
            if count in wanted:
                scan.position_at[count] = position
            if digest is None or previous is None or leaf is None:
                chains.add(_place(row), "an event has no digest (recorded by a program that does not chain)")
                _damaged(scan, row)
                previous = open_.get(cid, GENESIS)
                digest = _digest(cid, version, topic, state, previous) or bytes(32)
            else:
                if leaf != count:
                    order.add(_place(row), f"leaf {leaf} stands where leaf {count} should")
                if _digest(cid, version, topic, state, previous) != digest:
                    chains.add(_place(row), "its stored bytes do not match its digest")
                    _damaged(scan, row)
                expected = _expected_previous(store, open_, cid, version)
                if previous != expected:
                    what = (
                        "a first event that does not start a chain, or a second first event"
                        if version == 1
                        else f"it does not chain to event {version - 1} (missing, changed or moved)"
                    )
                    chains.add(_place(row), what)
                    _damaged(scan, row)
            if topic in finishing:
                open_.pop(cid, None)
            else:
                open_[cid] = digest
            leaf_node = leaf_hash(digest)
            _append(peaks, count, leaf_node)
            if ranges.ranges:
                ranges.feed(count, leaf_node)
            count += 1
            if count in wanted:
                scan.roots_at[count] = _root(peaks)
        scan.last = page[-1]
        if progress is not None:
            progress(page[-1][0], head.position)
    scan.count = count
    return scan


def _as_stored(row: LedgerRow) -> LedgerRow:
    """The row with the types the log writes; a tamperer may store others (SQLite keeps any
    value in any column), which then simply fail to verify."""
    position, cid, version, topic, state, leaf, digest, previous = row
    if type(state) is bytes and type(topic) is str and _blob(digest) and _blob(previous):
        return row
    return (
        position,
        cid,
        version,
        str(topic),
        state if isinstance(state, bytes) else str(state).encode(),
        leaf,
        digest if _blob(digest) else None,
        previous if _blob(previous) else None,
    )


def _blob(value: object) -> bool:
    return value is None or (type(value) is bytes and len(value) == 32)


def _damaged(scan: _Scan, row: LedgerRow) -> None:
    cid = _uuid(row[1])
    if cid is not None:
        scan.damaged.add(cid)


def _expected_previous(store: LedgerStore, open_: dict[Any, bytes], cid: Any, version: int) -> bytes | None:
    last = open_.get(cid)
    if version == 1:
        return GENESIS if last is None else None
    if last is not None:
        return last
    return store.ledger_digest(cid, version - 1)  # after a finishing event, or out of order


def _append(peaks: list[bytes], size: int, leaf: bytes) -> None:
    merged = leaf
    while size & 1:
        merged = node_hash(peaks.pop(), merged)
        size >>= 1
    peaks.append(merged)


def _root(peaks: list[bytes]) -> bytes:
    if not peaks:
        return Frontier().root()
    result = peaks[-1]
    for peak in reversed(peaks[:-1]):
        result = node_hash(peak, result)
    return result


def _feed_ranges(store: LedgerStore, head: Head, ranges: RangeRoots) -> None:
    """A second pass over the stored digests only, for a consistency proof's nodes."""
    index = 0
    for page in _pages(store, head.position):
        for row in page:
            digest = row[6]
            ranges.feed(index, leaf_hash(digest if digest is not None else b""))
            index += 1


def _chains_check(scan: _Scan) -> Check:
    found = scan.chains
    if found.first is None:
        return Check("chains", PASS, f"every event's digest and chain link verify ({scan.count} events)")
    return Check(
        "chains",
        FAIL,
        f"{found.count} event(s) do not verify; the first: {found.what}",
        found.first,
        found.count,
    )


def _tree_check(scan: _Scan, head: Head) -> Check:
    if scan.order.first is not None:
        return Check(
            "tree head",
            FAIL,
            f"events out of leaf order: {scan.order.what}",
            scan.order.first,
            scan.order.count,
        )
    if scan.count < head.size:
        last = _place(scan.last) if scan.last else Place(leaf=0)
        return Check(
            "tree head",
            FAIL,
            f"the tree head covers {head.size} events but the log holds {scan.count}: "
            f"the last {head.size - scan.count} are missing, after {last}",
            last,
            head.size - scan.count,
        )
    if scan.count > head.size:
        position = scan.position_at.get(head.size)
        return Check(
            "tree head",
            FAIL,
            f"the log holds {scan.count} events but the tree head covers {head.size}: "
            f"events from position {position} on were added outside the log's writes",
            Place(position=position, leaf=head.size),
            scan.count - head.size,
        )
    stored = Frontier.from_bytes(head.frontier)
    if scan.roots_at.get(head.size, Frontier().root()) != stored.root():
        return Check(
            "tree head",
            FAIL,
            f"the stored digests of the {scan.count} events do not give the stored tree head's root",
            _first_peak_place(scan, stored),
            1,
        )
    return Check("tree head", PASS, f"the tree head (size {head.size}) matches the stored digests")


def _peak_starts(size: int) -> list[int]:
    """The first leaf of each perfect subtree of a tree head of ``size`` leaves, left to right."""
    starts, start = [], 0
    for bit in reversed(range(size.bit_length())):
        if size >> bit & 1:
            starts.append(start)
            start += 1 << bit
    return starts


def _first_peak_place(scan: _Scan, stored: Frontier) -> Place | None:
    """Where the first perfect subtree of the head that differs from the digests' starts."""
    for start, mine, theirs in zip(_peak_starts(stored.size), scan.frontier, stored.peaks, strict=False):
        if mine != theirs:
            return Place(position=scan.position_at.get(start), leaf=start)
    return None


def _signatures_check(
    scan: _Scan, signed: list[SignedHead], trusted: list[SignedHead], keys: set[str]
) -> Check:
    untrusted = len(signed) - len(trusted)
    if not keys:
        return Check(
            "signatures",
            SKIPPED,
            f"no key trusted (give --trust or --checkpoint): {len(signed)} signed head(s) not checked",
            covers=0,
        )
    bad = _Finding()
    covered, matched = 0, 0
    for head in trusted:
        place = Place(position=scan.position_at.get(head.size - 1), leaf=head.size - 1)
        when = head.instant.isoformat()
        if not head.verifies():
            bad.add(
                place, f"the head signed at {when} (size {head.size}) has a signature that does not verify"
            )
        elif head.size > scan.count:
            bad.add(place, f"the head signed at {when} covers {head.size} events; the log holds {scan.count}")
        elif scan.roots_at.get(head.size) != head.root:
            bad.add(place, f"the log's first {head.size} events are not those signed at {when}")
        else:
            matched += 1
            covered = max(covered, head.size)
    also = f"; {untrusted} by other keys not checked" if untrusted else ""
    if bad.first is not None:
        return Check(
            "signatures",
            FAIL,
            f"{bad.count} signed head(s) fail: {bad.what}{also}",
            bad.first,
            bad.count,
            covered,
        )
    if not trusted:
        return Check(
            "signatures", PASS, f"no signed head by a trusted key{also}: they cover 0 events", covers=0
        )
    return Check(
        "signatures",
        PASS,
        f"{matched} signed head(s) verify; they cover the first {covered} of {scan.count} events{also}",
        covers=covered,
    )


def _checkpoint_check(scan: _Scan, checkpoint: Checkpoint, ranges: RangeRoots) -> Check:
    size = checkpoint.size
    when = checkpoint.head.instant.isoformat()
    if size > scan.count:
        return Check(
            "checkpoint",
            FAIL,
            f"the checkpoint of {when} covers {size} events; the log holds only {scan.count}",
            _place(scan.last) if scan.last else None,
            1,
            0,
        )
    if size == 0:
        return Check("checkpoint", PASS, f"the checkpoint of {when} covers no events", covers=0)
    current = scan.roots_at[scan.count] if scan.count in scan.roots_at else _root(scan.frontier)
    if not verify_consistency(size, scan.count, checkpoint.root, current, ranges.roots()):
        return Check(
            "checkpoint",
            FAIL,
            f"the log is not consistent with the checkpoint of {when}: its first {size} events changed",
            Place(position=scan.position_at.get(size - 1), leaf=size - 1),
            1,
            0,
        )
    return Check(
        "checkpoint",
        PASS,
        f"the log is consistent with the checkpoint of {when}: "
        f"it covers the first {size} of {scan.count} events",
        covers=size,
    )
