"""What a tree head costs as the log grows (lapor_domain.merkle, for DOMAIN.md rule 15).

Appends N leaves to a frontier at several log sizes and prints the cost of one append and
of one root, against the cost of one SHA-256 of a leaf; the target (issue 9) is that a tree
head after N new events costs O(N log size) hashes at most, never a rescan: the per-append
cost must not grow with the size, the root's only with its logarithm.

    python bench/bench_merkle.py
"""

from __future__ import annotations

import argparse
import hashlib
import time

from lapor_domain.merkle import Frontier, leaf_hash


def grown(size: int) -> Frontier:
    """A frontier of ``size`` leaves, built without hashing them all (its peaks are all that
    matter for the cost of what comes next)."""
    peaks = tuple(hashlib.sha256(bytes([i])).digest() for i in range(size.bit_count()))
    return Frontier(size, peaks)


def per_call(action: object, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        action()  # type: ignore[operator]
    return (time.perf_counter() - started) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=20_000)
    args = parser.parse_args()
    leaf = leaf_hash(b"x" * 300)
    sha = per_call(lambda: leaf_hash(b"x" * 300), args.appends)
    print(f"bench_merkle  one leaf hash (300 bytes): {sha:.2f} us")
    rows = []
    for size in (10**3, 10**5, 10**7, 8 * 10**6 + 123_457, 2**40 - 1):
        frontier = grown(size)
        started = time.perf_counter()
        for _ in range(args.appends):
            frontier = frontier.append(leaf)
        append_us = (time.perf_counter() - started) / args.appends * 1e6
        root_us = per_call(frontier.root, 2000)
        rows.append((size, append_us, root_us, len(frontier.peaks)))
        print(f"  size {size:>16,}: append {append_us:6.2f} us ({append_us / sha:4.1f} leaf hashes), "
              f"root {root_us:6.2f} us over {len(frontier.peaks)} peaks")  # fmt: skip
    small, large = rows[0][1], max(r[1] for r in rows)
    verdict = "PASS" if large <= 2 * small else "FAIL"
    ratio = large / small
    print(f"{verdict}  append cost at up to 2^40 leaves / at 1,000 = {ratio:.2f} (target <= 2: no rescan)")


if __name__ == "__main__":
    main()
