"""The Merkle tree of RFC 9162, checked against its recursive definition and its test shapes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_domain import merkle
from lapor_domain.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

ENTRIES = st.lists(st.binary(max_size=40), min_size=1, max_size=70)


def mth(entries: list[bytes]) -> bytes:
    """RFC 9162, 2.1.1, as written: the recursive definition over the entries themselves."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1
    while k * 2 < len(entries):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(entries[:k]) + mth(entries[k:])).digest()


def test_the_empty_tree_and_a_known_root() -> None:
    assert root([]) == EMPTY_ROOT == Frontier().root()
    # RFC 6962's reference test vectors: the tree of the eight entries "", 00, 10, 2021, ...
    entries = [bytes.fromhex(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
    assert root([leaf_hash(e) for e in entries]).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


@given(ENTRIES)
def test_the_frontier_and_the_root_are_the_recursive_tree_hash(entries: list[bytes]) -> None:
    frontier = Frontier()
    for n, entry in enumerate(entries, start=1):
        frontier = frontier.append(leaf_hash(entry))
        assert frontier.size == n and len(frontier.peaks) == bin(n).count("1")
        assert frontier.root() == mth(entries[:n])
        assert Frontier.from_bytes(frontier.to_bytes()) == frontier
    assert root([leaf_hash(e) for e in entries]) == mth(entries)


@given(ENTRIES, st.data())
def test_every_leaf_has_a_proof_that_verifies_and_a_changed_one_does_not(
    entries: list[bytes], data: st.DataObject
) -> None:
    leaves = [leaf_hash(e) for e in entries]
    head = root(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, len(leaves), proof, head)
    assert not verify_inclusion(leaf_hash(entries[index] + b"!"), index, len(leaves), proof, head)
    if len(leaves) > 1:
        assert not verify_inclusion(leaves[index], (index + 1) % len(leaves), len(leaves), proof, head) or (
            leaves[index] == leaves[(index + 1) % len(leaves)]
        )
        tampered = [*proof]
        tampered[0] = node_hash(tampered[0], tampered[0])
        assert not verify_inclusion(leaves[index], index, len(leaves), tampered, head)
    assert not verify_inclusion(leaves[index], len(leaves), len(leaves), proof, head)  # no such leaf


@given(ENTRIES, st.data())
def test_a_prefix_is_proven_consistent_and_a_rewritten_history_is_not(
    entries: list[bytes], data: st.DataObject
) -> None:
    leaves = [leaf_hash(e) for e in entries]
    first = data.draw(st.integers(1, len(leaves)))
    proof = consistency_proof(leaves, first)
    old, new = root(leaves[:first]), root(leaves)
    assert verify_consistency(first, len(leaves), old, new, proof)
    changed = data.draw(st.integers(0, first - 1))
    rewritten = [*leaves[:changed], leaf_hash(entries[changed] + b"!"), *leaves[changed + 1 :]]
    assert not verify_consistency(first, len(leaves), old, root(rewritten), proof)
    if first < len(leaves):
        assert not verify_consistency(first, len(leaves), root(rewritten[:first]), new, proof)


@pytest.mark.parametrize("size", [0, 1, 3, 64])
def test_a_frontier_of_the_wrong_shape_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="peaks"):
        Frontier.from_bytes(size.to_bytes(8, "big") + b"\x00" * (32 * (bin(size).count("1") + 1)))


def test_a_truncated_frontier_is_refused() -> None:
    with pytest.raises(ValueError, match="peaks"):
        Frontier.from_bytes(b"\x00" * 7)


CASES = st.integers(1, 300).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n - 1), max_size=6))
)


@given(CASES)
def test_subtree_roots_give_every_inclusion_proof_in_one_pass(case: tuple[int, list[int]]) -> None:
    size, indexes = case
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    wanted = {r for i in indexes for r in merkle.inclusion_ranges(i, size)}
    roots = merkle.subtree_roots(iter(leaves), wanted)
    for i in indexes:
        path = [roots[r] for r in merkle.inclusion_ranges(i, size)]
        assert path == merkle.inclusion_proof(leaves, i)
        assert merkle.verify_inclusion(leaves[i], i, size, path, merkle.root(leaves))
