"""Merkle trees of the shape RFC 9162 (Certificate Transparency v2) gives, for a tamper-evident log.

The log's tree is over its entries in log order: a leaf's hash is SHA-256(0x00 || entry),
an interior node's SHA-256(0x01 || left || right), and a tree of n > 1 leaves splits at the
largest power of two below n (RFC 9162, 2.1.1). The empty tree's hash is SHA-256 of nothing.

* ``Frontier`` keeps the tree head as a log grows: the hashes of the perfect subtrees along
  its right edge (one per set bit of its size), so an append costs O(1) hashes amortised,
  and the root O(log size), never a rescan.
* ``inclusion_proof`` / ``verify_inclusion``: that an entry is leaf i of a tree of size n
  (2.1.3); ``consistency_proof`` / ``verify_consistency``: that a tree of size m is a prefix
  of one of size n (2.1.4), so a kept checkpoint covers what it covered, whatever came after.

Proofs are computed from the leaf hashes (the log's stored digests); verifying needs only
the proof, the sizes and the roots. A proof's nodes are the roots of disjoint ranges of
leaves (``inclusion_ranges``, ``consistency_ranges``), so ``RangeRoots`` can compute one
while the leaves stream past in log order, without holding the log in memory. The log
keeps its tree head as a ``Frontier`` (``lapor_domain.ledger``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(leaves: Sequence[bytes]) -> bytes:
    """The tree hash of these leaf hashes (MTH, computed bottom-up)."""
    if not leaves:
        return EMPTY_ROOT
    frontier = Frontier()
    for leaf in leaves:
        frontier = frontier.append(leaf)
    return frontier.root()


@dataclass(frozen=True, slots=True)
class Frontier:
    """The right edge of a tree of ``size`` leaves: one perfect subtree per set bit of the size,
    largest (leftmost) first."""

    size: int = 0
    peaks: tuple[bytes, ...] = ()

    def append(self, leaf: bytes) -> Frontier:
        """The frontier after one more leaf hash."""
        peaks = list(self.peaks)
        merged, size = leaf, self.size
        while size & 1:  # each trailing set bit is a perfect subtree of the new leaf's height
            merged = node_hash(peaks.pop(), merged)
            size >>= 1
        peaks.append(merged)
        return Frontier(self.size + 1, tuple(peaks))

    def root(self) -> bytes:
        if not self.peaks:
            return EMPTY_ROOT
        result = self.peaks[-1]
        for peak in reversed(self.peaks[:-1]):
            result = node_hash(peak, result)
        return result

    def to_bytes(self) -> bytes:
        """Its stored form: the size in 8 bytes, then the peaks."""
        return self.size.to_bytes(8, "big") + b"".join(self.peaks)

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        if len(data) < 8:
            raise ValueError(f"a frontier is its size in 8 bytes and its peaks, got {len(data)} bytes")
        size = int.from_bytes(data[:8], "big")
        hashes = data[8:]
        peaks = tuple(hashes[i : i + HASH_SIZE] for i in range(0, len(hashes), HASH_SIZE))
        if len(peaks) != size.bit_count() or len(hashes) != HASH_SIZE * len(peaks):
            raise ValueError(f"a frontier of size {size} needs {size.bit_count()} peaks, got {len(peaks)}")
        return cls(size, peaks)


def _split(n: int) -> int:
    """The largest power of two below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 9162, 2.1.3.1)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"no leaf {index} in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected: bytes) -> bool:
    """Whether ``proof`` shows ``leaf`` at ``index`` in the tree of ``size`` with root ``expected``
    (RFC 9162, 2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == expected


def consistency_proof(leaves: Sequence[bytes], first: int) -> list[bytes]:
    """The proof that the tree of the first ``first`` leaves is a prefix of the tree of all of
    them (RFC 9162, 2.1.4.1)."""
    if not 0 < first <= len(leaves):
        raise IndexError(f"no consistency proof from {first} to {len(leaves)} leaves")
    return _subproof(leaves, first, complete=True)


def _subproof(leaves: Sequence[bytes], m: int, *, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, complete=complete), root(leaves[k:])]
    return [*_subproof(leaves[k:], m - k, complete=False), root(leaves[:k])]


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree of size ``first`` (root ``first_root``) to be a prefix of
    the tree of size ``second`` (root ``second_root``) (RFC 9162, 2.1.4.2)."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if not path:
        return False
    if first & (first - 1) == 0:  # an exact power of two: the first tree is a subtree itself
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges [start, end) whose roots are the audit path of leaf ``index`` in a tree
    of ``size`` leaves, in the order ``inclusion_proof`` gives them."""
    if not 0 <= index < size:
        raise IndexError(f"no leaf {index} in a tree of {size}")
    return _inclusion_ranges(index, 0, size)


def _inclusion_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    if end - start == 1:
        return []
    k = _split(end - start)
    if index < start + k:
        return [*_inclusion_ranges(index, start, start + k), (start + k, end)]
    return [*_inclusion_ranges(index, start + k, end), (start, start + k)]


def consistency_ranges(first: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges [start, end) whose roots are the consistency proof from ``first`` leaves
    to ``size``, in the order ``consistency_proof`` gives them."""
    if not 0 < first <= size:
        raise IndexError(f"no consistency proof from {first} to {size} leaves")
    return _consistency_ranges(first, 0, size, complete=True)


def _consistency_ranges(m: int, start: int, end: int, *, complete: bool) -> list[tuple[int, int]]:
    n = end - start
    if m == n:
        return [] if complete else [(start, end)]
    k = _split(n)
    if m <= k:
        return [*_consistency_ranges(m, start, start + k, complete=complete), (start + k, end)]
    return [*_consistency_ranges(m - k, start + k, end, complete=False), (start, start + k)]


class RangeRoots:
    """The roots of some disjoint leaf ranges, computed while the leaves are fed in order."""

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self.ranges = list(ranges)
        self._frontiers = {r: Frontier() for r in self.ranges}
        self._by_start = sorted(self.ranges)
        self._next = 0  # the range the next leaves may fall in (by start)

    def feed(self, index: int, leaf: bytes) -> None:
        """Leaf hash number ``index`` (fed in increasing order)."""
        ranges = self._by_start
        while self._next < len(ranges) and ranges[self._next][1] <= index:
            self._next += 1
        if self._next < len(ranges):
            start, end = ranges[self._next]
            if start <= index < end:
                self._frontiers[ranges[self._next]] = self._frontiers[ranges[self._next]].append(leaf)

    def roots(self) -> list[bytes]:
        """The roots in the ranges' given order; every range must have been fed in full."""
        found = []
        for start, end in self.ranges:
            frontier = self._frontiers[(start, end)]
            if frontier.size != end - start:
                raise ValueError(f"leaves {start}..{end - 1} were not all fed ({frontier.size} were)")
            found.append(frontier.root())
        return found


def subtree_roots(
    leaves: Iterable[bytes], wanted: Collection[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The roots of the ``wanted`` leaf ranges [start, end) of the tree over all ``leaves``
    (leaf hashes, fed once, in order), each a node of that tree: a perfect subtree, or a
    range that ends at the tree's right edge (as ``inclusion_ranges`` and
    ``consistency_ranges`` give them). One pass, O(log n) memory, whatever the ranges overlap:
    every perfect subtree is seen once as it completes; a right-edge range is folded from
    the peaks it covers at the end."""
    want = set(wanted)
    found: dict[tuple[int, int], bytes] = {}
    peaks: list[tuple[int, int, bytes]] = []  # (start, size, hash): perfect subtrees, largest first
    size = 0
    for index, leaf in enumerate(leaves):
        start, width, node = index, 1, leaf
        if (start, start + 1) in want:
            found[(start, start + 1)] = node
        while peaks and peaks[-1][1] == width:
            left_start, _, left = peaks.pop()
            start, width, node = left_start, width * 2, node_hash(left, node)
            if (start, start + width) in want:
                found[(start, start + width)] = node
        peaks.append((start, width, node))
        size = index + 1
    for start, end in want - found.keys():
        if end != size:
            raise ValueError(f"leaves {start}..{end - 1} are not a node of the tree of {size} leaves")
        covered = [(s, h) for s, _, h in peaks if s >= start]
        if not covered or covered[0][0] != start:
            raise ValueError(f"leaves {start}..{end - 1} are not a node of the tree of {size} leaves")
        result = covered[-1][1]
        for _, peak in reversed(covered[:-1]):
            result = node_hash(peak, result)
        found[(start, end)] = result
    return found
