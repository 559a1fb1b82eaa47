"""The log part of `lapor audit` (chains, tree head, signatures) against bare decoding, and
what a tree head costs after N new events (DOMAIN.md rule 15, issue 9).

    python bench/bench_audit.py --events 5000000 --db /tmp/lapor-audit-5m.db   # the issue's size
    python bench/bench_audit.py --events 200000                                 # a quick look

The log is built quickly, not through commands: a small simulation gives realistic stored
rows (topics and states of the app's own events); they are copied under fresh complaint
ids, 64 complaints in flight at once, each with its digest, chain link and leaf, with raw
SQLite inserts in big transactions, and the tree head written at the end (the same rule
and frontier the recorders use). An existing --db is reused.

Same run, same file: **bare decode** (the library's notification selection and the app's
mapper, nothing else) against **audit's log part** (`ledger.verify(deadlines=False)` with a
trusted key that signed the head: every digest recomputed, every chain link, the tree head,
the signature), each once, best of two for decoding. Target: audit >= 1x decode.

Then **a tree head after N new events**: N events imported (``import_events``, batches of
100) into the big log and into a fresh small one; the per-event cost must not grow with the
log (target: big / small <= 2: no rescan, O(N log size) hashes).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from lapor_domain import GENESIS, LaporApp, SigningKey, event_digest, fold
from lapor_domain.merkle import Frontier, leaf_hash
from lapor_projections.simulation import Workload, simulate

RECORDED = datetime(2026, 11, 27, tzinfo=UTC)
IN_FLIGHT = 64


def clock() -> datetime:
    return RECORDED


def templates(folder: str) -> list[list[tuple[str, bytes]]]:
    """Each simulated complaint's stored (topic, state) rows, in version order."""
    path = os.path.join(folder, "template.db")
    app = LaporApp(path, clock=clock)
    simulate(app, Workload(complaints=3000, start=date(2024, 1, 8), seed=9))
    app.close()
    conn = sqlite3.connect(path)
    found: dict[str, list[tuple[str, bytes]]] = {}
    for cid, topic, state in conn.execute(
        "SELECT originator_id, topic, state FROM stored_events ORDER BY originator_id, originator_version"
    ):
        found.setdefault(cid, []).append((topic, state))
    conn.close()
    return list(found.values())


def build(path: str, events: int, folder: str) -> None:
    """``events`` realistic rows with their ledger columns and the tree head, by raw inserts."""
    LaporApp(path, clock=clock).close()  # the tables, as the app creates them
    shapes = templates(folder)
    rng = random.Random(5)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    insert = (
        "INSERT INTO stored_events (originator_id, originator_version, topic, state, leaf, digest, previous) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    flight: list[tuple[str, list[tuple[str, bytes]], int, bytes]] = []
    frontier, leaf, started, batch = Frontier(), 0, time.perf_counter(), []
    conn.execute("BEGIN")
    while leaf < events:
        while len(flight) < IN_FLIGHT:
            flight.append((uuid.uuid4().hex, rng.choice(shapes), 0, GENESIS))
        slot = rng.randrange(len(flight))
        cid, rows, done, previous = flight[slot]
        topic, state = rows[done]
        digest = event_digest(cid, done + 1, topic, state, previous)
        batch.append((cid, done + 1, topic, state, leaf, digest, previous))
        frontier = frontier.append(leaf_hash(digest))
        leaf += 1
        if done + 1 == len(rows):
            flight.pop(slot)
        else:
            flight[slot] = (cid, rows, done + 1, digest)
        if len(batch) == 50_000:
            conn.executemany(insert, batch)
            batch = []
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            print(f"\r  built {leaf:,} events ({leaf / (time.perf_counter() - started):,.0f}/s)", end="")
    conn.executemany(insert, batch)
    conn.execute("UPDATE lapor_tree_head SET size = ?, frontier = ?", (frontier.size, frontier.to_bytes()))
    conn.execute("COMMIT")
    conn.close()
    print(f"\r  built {leaf:,} events in {time.perf_counter() - started:.0f} s" + " " * 20)


def decode_rate(path: str) -> float:
    app = LaporApp(path, clock=clock)
    recorder, mapper = app.log.recorder, app.log.mapper
    count, position, started = 0, 0, time.perf_counter()
    while page := recorder.select_notifications(start=position, limit=2_000, inclusive_of_start=False):
        for notification in page:
            mapper.to_domain_event(notification)
        count += len(page)
        position = page[-1].id
    took = time.perf_counter() - started
    app.close()
    return count / took


def audit_rate(path: str, key: SigningKey) -> tuple[float, int, str]:
    app = LaporApp(path, clock=clock)
    started = time.perf_counter()
    report = app.ledger.verify(trust=[key.public], deadlines=False)
    took = time.perf_counter() - started
    app.close()
    assert report.ok, report.failures
    return report.events / took, report.check("signatures").covers or 0, report.first_failure


def append_cost(path: str, n: int) -> float:
    """Seconds per event to import ``n`` events (batches of 100) and move the head."""
    source = LaporApp(os.path.join(os.path.dirname(path), f"src-{uuid.uuid4().hex[:6]}.db"), clock=clock)
    simulate(source, Workload(complaints=max(20, n // 5), start=date(2024, 1, 8), seed=3))
    events = [recorded.event for recorded in source.feed.since(0)][:n]
    source.close()
    app = LaporApp(path, clock=clock)
    renamed = {}
    fresh = []
    for event in events:
        cid = renamed.setdefault(event.originator_id, uuid.uuid4())
        fresh.append(event.model_copy(update={"originator_id": cid}))
    started = time.perf_counter()
    for start in range(0, len(fresh), 100):
        batch = fresh[start : start + 100]
        ids = {e.originator_id for e in batch}
        states = {cid: fold(e for e in fresh[: start + 100] if e.originator_id == cid) for cid in ids}
        app.import_events(batch, {cid: s for cid, s in states.items() if s is not None})
    took = time.perf_counter() - started
    app.close()
    return took / len(fresh)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--db", help="the big log (reused if it exists)")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lapor-bench-audit-")
    failed = False
    try:
        path = args.db or os.path.join(folder, "big.db")
        print(f"bench_audit  python {sys.version.split()[0]}  sqlite {sqlite3.sqlite_version}  {path}")
        if not Path(path).exists():
            build(path, args.events, folder)
        size = os.path.getsize(path) / 2**30
        key = SigningKey.generate()
        app = LaporApp(path, clock=clock)
        head = app.ledger.sign(key)
        app.close()
        print(f"  {head.size:,} events, {size:.1f} GiB; head signed")
        decode = max(decode_rate(path), decode_rate(path))
        print(f"  bare decode            {decode:>10,.0f} events/s")
        audit, covers, _ = audit_rate(path, key)
        print(f"  audit, log part        {audit:>10,.0f} events/s  (signature covers {covers:,})")
        ratio = audit / decode
        ok = ratio >= 1
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  audit / bare decode = {ratio:.2f} (target >= 1)")
        small = os.path.join(folder, "small.db")
        LaporApp(small, clock=clock).close()
        at_small = append_cost(small, args.appends)
        at_big = append_cost(path, args.appends)
        growth = at_big / at_small
        print(f"  import + head, per event: {at_small * 1e6:.0f} us at {args.appends:,} events, "
              f"{at_big * 1e6:.0f} us at {head.size:,}")  # fmt: skip
        ok = growth <= 2
        failed |= not ok
        verdict = "PASS" if ok else "FAIL"
        print(f"{verdict}  per-event cost, big log / small log = {growth:.2f} (target <= 2: no rescan)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
